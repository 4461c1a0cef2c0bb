import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createServer, type AddressInfo } from 'node:net'
import pg from 'pg'
import { headers as natsHeaders } from '@nats-io/nats-core'
import type { DomainEvent } from '@sunbae/contracts'
import { createEvent, ensureStreams, startConsumer, TransientError, UnprocessableEvent, type EventHandler } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, streamDef, streamMessages, testBus, uniq, waitFor } from './fixtures/helpers.ts'

const fixture = fileURLToPath(new URL('./fixtures/consumer-crash.ts', import.meta.url))

const p = uniq()
const STREAM = `${p.toUpperCase()}_EV`
const DLQ = `${p.toUpperCase()}_DLQ`
const bus = await testBus('bus-test-consumer')
const schema = await createTestSchema(`create table effects (id serial primary key, event_id uuid not null, delivery int not null);`)
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.ev.>`]), streamDef(DLQ, [`${p}.dlq.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM, DLQ])
  await bus.close()
  await schema.drop()
})

const enc = new TextEncoder()
const publish = (ev: DomainEvent, msgID: string = ev.id) =>
  bus.js.publish(ev.type, enc.encode(JSON.stringify(ev)), { msgID, headers: natsHeaders() })
const event = (type: string) => createEvent({ type, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { hello: 'world' } })
const effects = async (eventId: string) => schema.db.selectFrom('effects').selectAll().where('event_id', '=', eventId).execute()
/** Everything in the stream for this durable was delivered and acked or terminated. */
const settled = (durable: string) => async () => {
  const info = await bus.jsm.consumers.info(STREAM, durable)
  return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0
}
const dlqFor = (durable: string) => (subject: string) => `${p}.dlq.${durable}.${subject}`

t.test('a consumer killed mid-handler: redelivered, effect applied once, duplicates skipped', async (t) => {
  const durable = `crash_${uniq()}`
  const filter = `${p}.ev.crash.>`
  const ev = event(`${p}.ev.crash.happened`)
  await publish(ev)

  const child = spawn(process.execPath, [fixture, schema.schema, STREAM, durable, filter, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (_code, sig) => resolve(sig))
  })
  t.equal(signal, 'SIGKILL', 'the consumer died inside its handler')
  t.equal((await effects(ev.id)).length, 0, 'the uncommitted effect was rolled back')

  const seen: number[] = []
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: filter,
    ackWaitMs: 1500,
    logger: quietLogger,
    handler: async (e, { trx, deliveryCount }) => {
      seen.push(deliveryCount)
      await trx.insertInto('effects').values({ event_id: e.id, delivery: deliveryCount }).execute()
    },
  })
  t.teardown(() => c.stop())
  await waitFor(async () => (await effects(ev.id)).length > 0, { what: 'redelivery after ack_wait' })
  // >= 2, not === 2: the server may still hand one redelivery to the dead process's pull
  t.equal(seen.length, 1, 'the fresh consumer ran the handler once')
  t.ok(seen[0]! >= 2, `it was a redelivery (delivery ${seen[0]})`)

  // the same event again under another message id (a producer retried outside the dedup window)
  await publish(ev, `${ev.id}-again`)
  await waitFor(settled(durable), { what: 'duplicate acked' })
  t.equal((await effects(ev.id)).length, 1, 'effect applied exactly once')
  t.equal(seen.length, 1, 'handler not run for the duplicate')
  const marks = await schema.db.selectFrom('processed_events').selectAll().where('consumer', '=', durable).execute()
  t.equal(marks.length, 1)
})

t.test('a poison message is dead-lettered after maxDeliver attempts and not redelivered', async (t) => {
  const durable = `poison_${uniq()}`
  const filter = `${p}.ev.poison.>`
  const ev = event(`${p}.ev.poison.sent`)
  let calls = 0
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: filter,
    maxDeliver: 3,
    backoffMs: [50, 100],
    deadLetterSubject: dlqFor(durable),
    logger: quietLogger,
    handler: async (_e, { trx }) => {
      calls++
      await trx.insertInto('effects').values({ event_id: ev.id, delivery: calls }).execute()
      throw new Error(`cannot handle this (${calls})`)
    },
  })
  t.teardown(() => c.stop())
  await publish(ev)

  const dead = await waitFor(async () => (await streamMessages(bus.jsm, DLQ)).find((m) => m.subject === `${p}.dlq.${durable}.${ev.type}`), {
    what: 'dead letter',
  })
  t.equal(dead.data.error.message, 'cannot handle this (3)')
  t.equal(dead.data.error.name, 'Error')
  t.same(dead.data.event, ev, 'the original event travels with the error')
  t.equal(dead.data.consumer, durable)
  t.equal(dead.data.deliveries, 3)
  t.ok(Date.parse(dead.data.failedAt))
  await waitFor(settled(durable), { what: 'poison terminated' })
  const info = await bus.jsm.consumers.info(STREAM, durable)
  t.equal(info.num_ack_pending, 0, 'nothing left to redeliver')
  t.equal(calls, 3, 'handler ran maxDeliver times')
  t.equal((await effects(ev.id)).length, 0, 'failed attempts left no effect')
  t.equal((await schema.db.selectFrom('processed_events').selectAll().where('consumer', '=', durable).execute()).length, 0)
})

t.test('an unparseable payload is dead-lettered on the first delivery', async (t) => {
  const durable = `garbage_${uniq()}`
  const subject = `${p}.ev.garbage.sent`
  let calls = 0
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: `${p}.ev.garbage.>`,
    deadLetterSubject: dlqFor(durable),
    logger: quietLogger,
    handler: async () => {
      calls++
    },
  })
  t.teardown(() => c.stop())
  await bus.js.publish(subject, enc.encode('{not json'))
  const dead = await waitFor(async () => (await streamMessages(bus.jsm, DLQ)).find((m) => m.subject === `${p}.dlq.${durable}.${subject}`), {
    what: 'dead letter',
  })
  t.equal(dead.data.raw, '{not json')
  t.equal(dead.data.deliveries, 1)
  t.equal(calls, 0)
})

t.test('bounded concurrency and stop() waits for handlers in flight', async (t) => {
  const durable = `conc_${uniq()}`
  const filter = `${p}.ev.conc.>`
  let running = 0
  let peak = 0
  let done = 0
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: filter,
    concurrency: 3,
    logger: quietLogger,
    handler: async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 100))
      running--
      done++
    },
  })
  for (let i = 0; i < 12; i++) await publish(event(`${p}.ev.conc.item`))
  await waitFor(() => done >= 4, { what: 'some handled' })
  await c.stop()
  t.equal(running, 0, 'no handler still running after stop()')
  t.ok(peak <= 3, `peak concurrency ${peak} <= 3`)
  t.ok(peak >= 2, `handlers did run in parallel (peak ${peak})`)
})

t.test('UnprocessableEvent from a handler: dead-lettered on the first delivery with its reason, no retries', async (t) => {
  const durable = `unproc_${uniq()}`
  const ev = event(`${p}.ev.unproc.sent`)
  let calls = 0
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: `${p}.ev.unproc.>`,
    maxDeliver: 5,
    backoffMs: [50],
    deadLetterSubject: dlqFor(durable),
    logger: quietLogger,
    handler: async (_e, { trx }) => {
      calls++
      await trx.insertInto('effects').values({ event_id: ev.id, delivery: calls }).execute()
      throw new UnprocessableEvent('no contract defines this')
    },
  })
  t.teardown(() => c.stop())
  await publish(ev)
  const dead = await waitFor(async () => (await streamMessages(bus.jsm, DLQ)).find((m) => m.subject === `${p}.dlq.${durable}.${ev.type}`), {
    what: 'dead letter',
  })
  t.equal(dead.data.error.message, 'no contract defines this')
  t.equal(dead.data.error.name, 'UnprocessableEvent')
  t.equal(dead.data.deliveries, 1)
  t.same(dead.data.event, ev)
  await waitFor(settled(durable), { what: 'terminated' })
  t.equal(calls, 1, 'not retried')
  t.equal((await effects(ev.id)).length, 0, 'its effects rolled back')
})

t.test('afterCommit: runs once the transaction committed (another connection sees the rows), never after a rollback', async (t) => {
  const durable = `after_${uniq()}`
  const ev = event(`${p}.ev.after.sent`)
  const hooks: { delivery: number; seen: number }[] = []
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: `${p}.ev.after.>`,
    backoffMs: [50],
    logger: quietLogger,
    handler: async (e, { trx, deliveryCount, afterCommit }) => {
      await trx.insertInto('effects').values({ event_id: e.id, delivery: deliveryCount }).execute()
      // what the payment reconciler's wake-up does: read the handler's rows from another connection
      afterCommit(async () => void hooks.push({ delivery: deliveryCount, seen: (await effects(e.id)).length }))
      if (deliveryCount === 1) throw new Error('first attempt fails after queueing its hook')
    },
  })
  t.teardown(() => c.stop())
  await publish(ev)
  await waitFor(() => hooks.length > 0, { what: 'the hook' })
  await waitFor(settled(durable), { what: 'acked' })
  t.same(hooks, [{ delivery: 2, seen: 1 }], 'only the committed attempt ran its hook, and it saw the committed row')
})

/** A port nothing listens on: connecting to it fails as a database that is down does (ECONNREFUSED). */
const deadPort = await new Promise<number>((resolve) => {
  const srv = createServer()
  srv.listen(0, '127.0.0.1', () => {
    const port = (srv.address() as AddressInfo).port
    srv.close(() => resolve(port))
  })
})
const queryTheDownedDatabase = async () => {
  const client = new pg.Client({ host: '127.0.0.1', port: deadPort, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 })
  await client.connect()
}

/** A consumer of `${p}.ev.<topic>.>` with maxDeliver 2 and quick back-offs, stopped when `t` ends. */
async function retrying(t: Test, durable: string, topic: string, handler: EventHandler): Promise<void> {
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: `${p}.ev.${topic}.>`,
    maxDeliver: 2,
    backoffMs: [50],
    transientBackoffMs: [50],
    deadLetterSubject: dlqFor(durable),
    logger: quietLogger,
    handler,
  })
  t.teardown(() => c.stop())
}

t.test('a database that is down: the handler is retried past maxDeliver until it is back, never dead-lettered, and applied once', async (t) => {
  const durable = `outage_${uniq()}`
  const ev = event(`${p}.ev.outage.sent`)
  let calls = 0
  await retrying(t, durable, 'outage', async (e, { trx }) => {
    calls++
    // the first six deliveries meet a database that refuses connections (three times maxDeliver)
    if (calls <= 6) await queryTheDownedDatabase()
    await trx.insertInto('effects').values({ event_id: e.id, delivery: calls }).execute()
  })
  await publish(ev)
  await waitFor(settled(durable), { what: 'handled' })
  t.equal(calls, 7, 'six failed deliveries, then the one that worked')
  t.same((await effects(ev.id)).map((r) => r.delivery), [7], 'the effect once')
  const dead = (await streamMessages(bus.jsm, DLQ)).filter((m) => m.subject.startsWith(`${p}.dlq.${durable}.`))
  t.same(dead, [], 'nothing dead-lettered')
})

t.test('after an outage, a message that fails on its own still gets its maxDeliver attempts before the dead letters', async (t) => {
  const durable = `ownfail_${uniq()}`
  const ev = event(`${p}.ev.ownfail.sent`)
  let calls = 0
  await retrying(t, durable, 'ownfail', async () => {
    calls++
    if (calls <= 4) throw new TransientError('the payment provider is not answering', { cause: new Error('socket hang up') })
    throw new Error('a broken invariant')
  })
  await publish(ev)
  const dead = await waitFor(async () => (await streamMessages(bus.jsm, DLQ)).find((m) => m.subject === `${p}.dlq.${durable}.${ev.type}`), { what: 'dead letter' })
  await waitFor(settled(durable), { what: 'terminated' })
  t.equal(calls, 6, 'four deliveries waited out the dependency, then two failed on their own')
  t.equal(dead.data.deliveries, 6)
  t.equal(dead.data.error.message, 'a broken invariant')
})
