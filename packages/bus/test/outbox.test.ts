import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { headers as natsHeaders } from '@nats-io/nats-core'
import { createEvent, ensureStreams, OutboxRelay, publishInTx, publishManyInTx } from '../src/index.ts'
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
  const r = relay({ maxBackoffMs: 200 })
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
