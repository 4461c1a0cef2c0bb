import t from 'tap'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { headers as natsHeaders } from '@nats-io/nats-core'
import { createEvent, ensureStreams, OutboxRelay, publishInTx, publishManyInTx, purgePlatformTables } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, streamDef, streamMessages, testBus, uniq, waitFor } from './fixtures/helpers.ts'

const fixture = fileURLToPath(new URL('./fixtures/outbox-crash.ts', import.meta.url))

const p = uniq()
const STREAM = `${p.toUpperCase()}_OUTBOX`
const bus = await testBus('bus-test-outbox')
const schema = await createTestSchema()
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM])
  await bus.close()
  await schema.drop()
})

const relay = (opts: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) =>
  new OutboxRelay({ db: schema.db, js: bus.js, logger: quietLogger, pollIntervalMs: 50, ...opts })

function runFixture(args: string[]): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.on('error', reject)
    child.on('exit', (_code, signal) => resolve({ stdout, signal }))
  })
}

const unpublished = async () =>
  Number((await schema.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('published_at', 'is', null).executeTakeFirstOrThrow()).n)

const messagesFor = async (eventId: string) => (await streamMessages(bus.jsm, STREAM)).filter((m) => m.data.id === eventId)

t.test('a row committed by a process killed before publishing is published exactly once', async (t) => {
  const subject = `${p}.crash.happened`
  const { stdout, signal } = await runFixture([schema.schema, subject])
  t.equal(signal, 'SIGKILL', 'the producer died right after commit')
  const eventId = stdout.trim()
  t.match(eventId, /^[0-9a-f-]{36}$/)
  t.equal((await messagesFor(eventId)).length, 0, 'nothing reached JetStream yet')

  // Two relays at once (two replicas): SKIP LOCKED splits the work, msgID dedup backs it up.
  const a = relay()
  const b = relay()
  a.start()
  b.start()
  a.kick()
  b.kick()
  await waitFor(async () => (await unpublished()) === 0, { what: 'outbox drained' })
  await Promise.all([a.stop(), b.stop()])

  const msgs = await messagesFor(eventId)
  t.equal(msgs.length, 1, 'exactly one message')
  t.equal(msgs[0]?.subject, subject)
  t.equal(msgs[0]?.headers['Nats-Msg-Id'], eventId, 'published with the event id as message id')
  const row = await schema.db.selectFrom('outbox').selectAll().where('event_id', '=', eventId).executeTakeFirstOrThrow()
  t.ok(row.published_at, 'row marked published')
})

t.test('many rows with several relays: each published once, in one piece', async (t) => {
  const subject = `${p}.bulk.created`
  const ids: string[] = []
  for (let i = 0; i < 30; i++) {
    const ev = createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } })
    ids.push(ev.id)
    await schema.db.transaction().execute((trx) => publishInTx(trx, ev))
  }
  const relays = [relay({ batchSize: 4 }), relay({ batchSize: 4 }), relay({ batchSize: 4 })]
  for (const r of relays) r.start()
  await waitFor(async () => (await unpublished()) === 0, { what: 'outbox drained' })
  await Promise.all(relays.map((r) => r.stop()))
  const msgs = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.subject === subject)
  t.equal(msgs.length, 30)
  t.same(new Set(msgs.map((m) => m.data.id)), new Set(ids))
})

t.test('a row claimed by another relay is skipped, not waited for (SKIP LOCKED)', async (t) => {
  const subject = `${p}.locked.row`
  const [a, b] = [0, 1].map((i) => createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } }))
  for (const ev of [a!, b!]) await schema.db.transaction().execute((trx) => publishInTx(trx, ev))
  const r = relay()
  await schema.db.transaction().execute(async (trx) => {
    // another replica is in the middle of publishing row a
    await trx.selectFrom('outbox').select('id').where('event_id', '=', a!.id).forUpdate().execute()
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('flush blocked on a locked row')), 20_000).unref())
    t.equal(await Promise.race([r.flush(), timeout]), 1, 'only the unlocked row was published')
  })
  t.equal((await messagesFor(a!.id)).length, 0)
  t.equal((await messagesFor(b!.id)).length, 1)
  t.equal(await r.flush(), 1, 'the row is published once its lock is released')
  t.equal((await messagesFor(a!.id)).length, 1)
})

t.test('a publish repeated after a crash between publish and marking is dropped by JetStream', async (t) => {
  const subject = `${p}.dedup.checked`
  const ev = createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: {} })
  await schema.db.transaction().execute((trx) => publishInTx(trx, ev))
  // what a relay that died after publishing (but before marking) left behind
  await bus.js.publish(subject, new TextEncoder().encode(JSON.stringify(ev)), { msgID: ev.id, headers: natsHeaders() })
  const r = relay()
  t.equal(await r.flush(), 1, 'flush republished the row')
  t.equal(await unpublished(), 0)
  t.equal((await messagesFor(ev.id)).length, 1, 'still one message')
})

t.test('publish failures are recorded and retried until they succeed', async (t) => {
  const q = uniq()
  const subject = `${q}.late.stream`
  const ev = createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: {} })
  await schema.db.transaction().execute((trx) => publishInTx(trx, ev))
  const r = relay({ maxBackoffMs: 200, maxAttempts: 1_000 })
  await t.rejects(r.flush(), 'no stream listens on the subject yet')
  r.start()
  const failed = await waitFor(
    async () => {
      const row = await schema.db.selectFrom('outbox').selectAll().where('event_id', '=', ev.id).executeTakeFirstOrThrow()
      return row.attempts >= 2 ? row : null
    },
    { what: 'attempts recorded' },
  )
  t.ok(failed.last_error, 'last_error kept')
  t.equal(failed.published_at, null)
  const late = `${q.toUpperCase()}_LATE`
  t.teardown(() => deleteStreams(bus.jsm, [late]))
  await ensureStreams(bus.jsm, [streamDef(late, [`${q}.>`])])
  await waitFor(async () => (await unpublished()) === 0, { what: 'row published once the stream exists' })
  await r.stop()
  t.equal((await streamMessages(bus.jsm, late)).length, 1)
})

t.test('publishManyInTx: one transaction, many rows, published once each in order; rolled back with the transaction', async (t) => {
  const subject = `${p}.batch.imported`
  const events = Array.from({ length: 25 }, (_, i) =>
    createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } }),
  )
  // a failing transaction leaves nothing behind
  await t.rejects(
    schema.db.transaction().execute(async (trx) => {
      await publishManyInTx(trx, events, { chunkSize: 10 })
      throw new Error('import batch failed')
    }),
  )
  t.equal(await unpublished(), 0, 'rolled back')

  await schema.db.transaction().execute((trx) => publishManyInTx(trx, events, { chunkSize: 10 }))
  t.equal(await unpublished(), 25)
  t.equal(await relay().flush(), 25)
  const msgs = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.subject === subject)
  t.same(msgs.map((m) => m.data.data.i), events.map((_, i) => i), 'in order, each once')
  t.same(msgs.map((m) => m.headers['Nats-Msg-Id']), events.map((e) => e.id))
})

/** The relay's js, counting how many publishes are in flight at once. */
function countingJs() {
  const stats = { inFlight: 0, max: 0, calls: 0 }
  const js = new Proxy(bus.js, {
    get(target, prop, receiver) {
      if (prop !== 'publish') return Reflect.get(target, prop, receiver)
      return (...args: Parameters<typeof bus.js.publish>) => {
        stats.calls++
        stats.max = Math.max(stats.max, ++stats.inFlight)
        return target.publish(...args).finally(() => stats.inFlight--)
      }
    },
  })
  return { js, stats }
}

/** schema.db, recording the SQL it runs and optionally failing a statement (a crash at that point). */
function watchedDb(failWhen: (sqlText: string) => boolean = () => false) {
  const statements: string[] = []
  const db = schema.db.withPlugin({
    transformQuery(args) {
      const node = args.node as { kind: string; sqlFragments?: readonly string[] }
      const text = node.kind === 'RawNode' ? (node.sqlFragments ?? []).join('?') : node.kind
      statements.push(text)
      if (failWhen(text)) throw new Error('relay died here')
      return args.node
    },
    transformResult: async (args) => args.result,
  })
  return { db, statements }
}

t.test('a batch is published pipelined, in outbox order, and marked with one UPDATE', async (t) => {
  const subject = `${p}.pipelined.sent`
  const events = Array.from({ length: 250 }, (_, i) => createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } }))
  await schema.db.transaction().execute((trx) => publishManyInTx(trx, events))
  const { js, stats } = countingJs()
  const { db, statements } = watchedDb()
  t.equal(await relay({ js, db, batchSize: 100, concurrency: 16 }).flush(), 250)
  t.equal(stats.calls, 250)
  t.ok(stats.max > 1 && stats.max <= 16, `publishes overlapped, within the bound (max in flight ${stats.max})`)
  t.equal(statements.filter((s) => /update outbox set published_at/.test(s)).length, 3, 'one UPDATE per batch (100 + 100 + 50)')
  t.equal(await unpublished(), 0)
  const msgs = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.subject === subject)
  t.same(msgs.map((m) => m.data.data.i), events.map((_, i) => i), 'the stream holds them once each, in outbox order')
  t.same(msgs.map((m) => m.headers['Nats-Msg-Id']), events.map((e) => e.id), 'each with its event id as message id')
})

t.test('a relay dying between publishing a batch and marking it: the next relay republishes, JetStream drops every repeat', async (t) => {
  const subject = `${p}.crash.before.mark`
  const events = Array.from({ length: 120 }, (_, i) => createEvent({ type: subject, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } }))
  await schema.db.transaction().execute((trx) => publishManyInTx(trx, events))
  const dying = watchedDb((s) => /update outbox set published_at/.test(s))
  await t.rejects(relay({ db: dying.db, batchSize: 200, concurrency: 32 }).flush(), /relay died here/)
  t.equal(await unpublished(), 120, 'nothing was marked: the transaction rolled back')
  const sent = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.subject === subject)
  t.equal(sent.length, 120, 'but every event reached the stream')

  t.equal(await relay({ batchSize: 50, concurrency: 8 }).flush(), 120, 'the next relay publishes (and marks) them all again')
  t.equal(await unpublished(), 0)
  const msgs = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.subject === subject)
  t.equal(msgs.length, 120, 'no duplicate delivery: the repeats fell in the duplicate window')
  t.same(msgs.map((m) => m.data.data.i), events.map((_, i) => i), 'in order')
})

t.test('a failure mid-batch: acknowledged rows are marked, the failed row is recorded and goes out first next time', async (t) => {
  const q = uniq()
  const good = `${p}.mixed.ok`
  const late = `${q}.mixed.late`
  const mk = (type: string, i: number) => createEvent({ type, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } })

  // one at a time: strict — nothing after the failed row is sent
  const strict = [mk(good, 0), mk(good, 1), mk(late, 2), mk(good, 3), mk(good, 4)]
  await schema.db.transaction().execute((trx) => publishManyInTx(trx, strict))
  await t.rejects(relay({ concurrency: 1 }).flush())
  const rows = await schema.db.selectFrom('outbox').select(['event_id', 'published_at', 'attempts', 'last_error']).where('event_id', 'in', strict.map((e) => e.id)).orderBy('id').execute()
  t.same(rows.map((r) => r.published_at !== null), [true, true, false, false, false], 'stopped at the failed row')
  t.same(rows.map((r) => r.attempts), [0, 0, 1, 0, 0], 'only the failed row counts an attempt')
  t.ok(rows[2]!.last_error)

  // pipelined: rows already in flight complete and are marked; the failed one stays first in line
  const piped = [mk(late, 5), mk(good, 6), mk(good, 7)]
  await schema.db.transaction().execute((trx) => publishManyInTx(trx, piped))
  await t.rejects(relay({ concurrency: 64 }).flush())
  const after = await schema.db.selectFrom('outbox').select(['event_id', 'published_at', 'attempts']).where('published_at', 'is', null).orderBy('id').execute()
  t.same(after.map((r) => r.event_id), [strict[2]!.id, piped[0]!.id], 'only the rows whose subject has no stream are left')
  t.same(after.map((r) => r.attempts), [2, 1])

  const lateStream = `${q.toUpperCase()}_MIXED`
  t.teardown(() => deleteStreams(bus.jsm, [lateStream]))
  await ensureStreams(bus.jsm, [streamDef(lateStream, [`${q}.>`])])
  t.equal(await relay().flush(), 2)
  t.same((await streamMessages(bus.jsm, lateStream)).map((m) => m.data.data.i), [2, 5], 'the late stream got both, in outbox order')
  const goodMsgs = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.subject === good)
  t.same(goodMsgs.map((m) => m.data.data.i), [0, 1, 3, 4, 6, 7], 'the other stream got the rest once each, in outbox order')
})

t.test('a row that fails on its own maxAttempts times is parked: the rows after it flow, it waits for a redrive', async (t) => {
  const q = uniq()
  const good = `${p}.parked.ok`
  const orphan = `${q}.parked.nostream`
  const mk = (type: string, i: number) => createEvent({ type, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } })
  const events = [mk(orphan, 0), mk(good, 1), mk(good, 2)]
  await schema.db.transaction().execute((trx) => publishManyInTx(trx, events))
  const logged: string[] = []
  const r = relay({
    concurrency: 1,
    maxAttempts: 3,
    maxBackoffMs: 50,
    logger: { ...quietLogger, error: (_o: unknown, msg?: string) => void logged.push(msg ?? '') },
  })
  r.start()
  t.teardown(() => r.stop())
  await waitFor(async () => (await messagesFor(events[2]!.id)).length === 1, { what: 'the rows after the orphan published' })
  const row = await schema.db.selectFrom('outbox').selectAll().where('event_id', '=', events[0]!.id).executeTakeFirstOrThrow()
  t.equal(row.attempts, 3, 'parked after three failures of its own')
  t.equal(row.published_at, null)
  t.match(logged, [/outbox row parked/])

  // fixed (a stream now takes the subject): a parked row stays aside until it is redriven
  const stream = `${q.toUpperCase()}_PARKED`
  t.teardown(() => deleteStreams(bus.jsm, [stream]))
  await ensureStreams(bus.jsm, [streamDef(stream, [`${q}.>`])])
  r.kick()
  await new Promise((res) => setTimeout(res, 300))
  t.equal((await streamMessages(bus.jsm, stream)).length, 0, 'not retried by itself')
  await schema.db.updateTable('outbox').set({ attempts: 0 }).where('event_id', '=', events[0]!.id).execute()
  r.kick()
  await waitFor(async () => (await streamMessages(bus.jsm, stream)).length === 1, { what: 'redriven row published' })
})

t.test('retention: published rows past the cutoff and old processed-event marks go; unpublished and recent rows stay', async (t) => {
  const q = uniq()
  const mk = (i: number) => createEvent({ type: `${p}.retention.ok`, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { i } })
  const events = [mk(0), mk(1), mk(2)]
  await schema.db.transaction().execute((trx) => publishManyInTx(trx, events))
  await relay().flush()
  // one published long ago, one published now, one never published
  await schema.db.updateTable('outbox').set({ published_at: new Date(Date.now() - 10 * 86_400_000) }).where('event_id', '=', events[0]!.id).execute()
  await schema.db.updateTable('outbox').set({ published_at: null }).where('event_id', '=', events[2]!.id).execute()
  const old = randomUUID()
  await schema.db.insertInto('processed_events').values([
    { consumer: `c_${q}`, event_id: old, processed_at: new Date(Date.now() - 40 * 86_400_000) },
    { consumer: `c_${q}`, event_id: events[1]!.id },
  ]).execute()
  const r = await purgePlatformTables(schema.db, { outboxBefore: new Date(Date.now() - 7 * 86_400_000), processedBefore: new Date(Date.now() - 35 * 86_400_000), batch: 1 })
  t.ok(r.outbox >= 1 && r.processedEvents >= 1, `deleted ${JSON.stringify(r)}`)
  const left = (await schema.db.selectFrom('outbox').select('event_id').where('event_id', 'in', events.map((e) => e.id)).execute()).map((x) => x.event_id)
  t.same(left.sort(), [events[1]!.id, events[2]!.id].sort(), 'the recent published row and the unpublished one stay')
  const marks = (await schema.db.selectFrom('processed_events').select('event_id').where('consumer', '=', `c_${q}`).execute()).map((x) => x.event_id)
  t.same(marks, [events[1]!.id], 'only the recent mark stays')
})
