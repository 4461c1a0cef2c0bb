import t from 'tap'
import type { DomainEvent } from '@sunbae/contracts'
import { createEvent, ensureStreams, followStream, readModelFollower, streamLastSeq, type ReadModelOptions } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, sql, streamDef, testBus, uniq, waitFor } from './fixtures/helpers.ts'

const p = uniq()
const STREAM = `${p.toUpperCase()}_READMODEL`
const bus = await testBus('bus-test-read-model')
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.>`])])
const pg = await createTestSchema('create table items (id integer primary key, v text not null);')
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM])
  await pg.drop()
  await bus.close()
})

const enc = new TextEncoder()
/** What a service does in one transaction + outbox: the row changes, then its event is published. */
async function setItem(id: number, v: string): Promise<number> {
  await sql`insert into items (id, v) values (${id}, ${v}) on conflict (id) do update set v = excluded.v`.execute(pg.db)
  const ev = createEvent({ type: `${p}.item.set`, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { id, v } })
  return (await bus.js.publish(ev.type, enc.encode(JSON.stringify(ev)), { msgID: ev.id })).seq
}
const snapshot = async () => (await sql<{ id: number; v: string }>`select id, v from items order by id`.execute(pg.db)).rows
const clear = () => sql`truncate items`.execute(pg.db)

/** A map of items built from `items` and kept current from `${p}.item.set`. */
function itemsModel(overrides: Partial<ReadModelOptions> & { beforeSnapshot?: () => Promise<void>; afterSnapshot?: () => Promise<void> } = {}) {
  let model = new Map<number, string>()
  const applied: number[] = []
  const follower = readModelFollower({
    bus,
    stream: STREAM,
    filterSubject: `${p}.item.>`,
    name: 'items',
    logger: quietLogger,
    retryMs: 5,
    notReady: () => `building (${model.size} items so far)`,
    build: async () => {
      model = new Map()
      await overrides.beforeSnapshot?.()
      for (const r of await snapshot()) model.set(r.id, r.v)
      await overrides.afterSnapshot?.()
    },
    handler: (e: DomainEvent | null, meta) => {
      const d = e?.data as { id: number; v: string }
      model.set(d.id, d.v)
      applied.push(meta.seq)
    },
    ...overrides,
  })
  return {
    follower,
    applied,
    get model() {
      return model
    },
  }
}

t.test('builds from the database, then follows from the sequence read before the snapshot: no event is lost', async (t) => {
  await clear()
  const before = await setItem(1, 'a')
  let between = 0
  let after = 0
  const m = itemsModel({
    // a change committed after the start sequence was read but before the snapshot: in both
    beforeSnapshot: async () => void (between = await setItem(2, 'b')),
    // one committed after the snapshot, before the stream is followed: only the stream has it
    afterSnapshot: async () => void (after = await setItem(3, 'c')),
  })
  t.teardown(() => m.follower.close())
  t.equal(m.follower.ready, false)
  await t.rejects(m.follower.check(), { message: 'building (0 items so far)' }, 'readiness fails before the start')
  m.follower.start()
  await m.follower.whenReady()
  t.equal(m.follower.ready, true)
  await t.resolves(m.follower.check(), 'ready')
  t.equal(m.follower.stats().followingFromSeq, before + 1, 'follows from the sequence after the last one before the build')
  t.ok((m.follower.stats().buildMs ?? -1) >= 0)

  await waitFor(() => m.applied.includes(after), { what: 'the event after the snapshot' })
  t.same(m.applied, [between, after], 'the replayed event and the one the snapshot missed; none before the start')
  t.same([...m.model], [[1, 'a'], [2, 'b'], [3, 'c']])

  const later = await setItem(1, 'z')
  await waitFor(() => m.follower.stats().lastSeq === later, { what: 'a later event' })
  t.equal(m.model.get(1), 'z', 'kept current while following')
})

t.test('a failed build is retried from a new start sequence until it succeeds', async (t) => {
  await clear()
  const starts: number[] = []
  let attempts = 0
  let lastBeforeSuccess = 0
  const m = itemsModel({
    beforeSnapshot: async () => {
      attempts++
      starts.push(await streamLastSeq(bus, STREAM))
      if (attempts < 3) {
        // moves the stream on, so the next attempt must start later
        await setItem(10 + attempts, 'x')
        throw new Error(`snapshot unavailable (${attempts})`)
      }
      lastBeforeSuccess = starts[starts.length - 1]!
    },
  })
  t.teardown(() => m.follower.close())
  m.follower.start()
  m.follower.start()
  await m.follower.whenReady()
  t.equal(attempts, 3, 'two failures, then success; start() twice builds once')
  t.equal(m.follower.stats().followingFromSeq, lastBeforeSuccess + 1, 'the sequence of the successful attempt')
  t.ok(starts[2]! > starts[0]!)
  t.same([...m.model.keys()].sort(), [11, 12], 'the successful snapshot has what the failed attempts announced')
})

t.test('not ready while every build fails; close stops the retries', async (t) => {
  let attempts = 0
  const m = itemsModel({
    retryMs: 60_000,
    beforeSnapshot: async () => {
      attempts++
      throw new Error('database down')
    },
  })
  let readied = false
  void m.follower.whenReady().then(() => (readied = true))
  m.follower.start()
  await waitFor(() => attempts === 1, { what: 'a failed attempt' })
  await t.rejects(m.follower.check(), { message: 'building (0 items so far)' }, 'readiness fails after a failed build')
  // the next attempt is a minute away: close must not wait for it
  await m.follower.close()
  t.equal(attempts, 1, 'no attempt after close')
  t.equal(m.follower.ready, false)
  t.equal(readied, false)
  t.same(m.follower.stats(), { buildMs: null, followingFromSeq: null, lastSeq: null })
})

t.test('close during a build waits for it and never follows; close after ready stops following', async (t) => {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  let entered = false
  const building = itemsModel({
    beforeSnapshot: async () => {
      entered = true
      await gate
    },
  })
  building.follower.start()
  await waitFor(() => entered, { what: 'the build' })
  let closed = false
  const closing = building.follower.close().then(() => (closed = true))
  await new Promise((r) => setImmediate(r))
  t.equal(closed, false, 'close waits for the running build')
  release()
  await closing
  t.equal(building.follower.ready, false, 'a build aborted by close is never followed')

  const m = itemsModel()
  m.follower.start()
  await m.follower.whenReady()
  await m.follower.close()
  const seen: number[] = []
  const other = await followStream({ bus, stream: STREAM, filterSubject: `${p}.item.>`, startSeq: (await streamLastSeq(bus, STREAM)) + 1, logger: quietLogger, handler: (_e, meta) => void seen.push(meta.seq) })
  t.teardown(() => other.stop())
  const seq = await setItem(99, 'after close')
  await waitFor(() => seen.includes(seq), { what: 'another follower to get it' })
  t.notOk(m.applied.includes(seq), 'the closed follower did not apply it')
  t.notOk(m.model.has(99))
})

t.test('a given start sequence (a durable consumer ack floor) replaces the stream last sequence', async (t) => {
  await clear()
  const first = await setItem(7, 'from the stream only')
  await clear()
  const m = itemsModel({ startSeq: async () => first })
  t.teardown(() => m.follower.close())
  m.follower.start()
  await m.follower.whenReady()
  t.equal(m.follower.stats().followingFromSeq, first)
  await waitFor(() => m.model.get(7), { what: 'the replayed event' })
  t.equal(m.model.get(7), 'from the stream only', 'events from the given sequence are replayed')
})
