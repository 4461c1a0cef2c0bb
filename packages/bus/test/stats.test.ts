// What a service's /metrics samples from the bus, against real NATS and Postgres: the lag of each
// durable pulling on the connection (JetStream consumer info), its dead letters (DEADLETTER's
// per-subject counts) and the outbox backlog (unpublished rows, parked ones, the oldest's age).
import t from 'tap'
import { STREAMS } from '@sunbae/contracts'
import { consumerLag, createEvent, deadLetterCounts, ensureStreams, OutboxRelay, publishInTx, startConsumer, UnprocessableEvent } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, sql, streamDef, testBus, uniq, waitFor } from './fixtures/helpers.ts'

const id = uniq()
const STREAM = `STATS_${id}`
const subject = `stats${id}`
const bus = await testBus(`stats-test-${id}`)
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${subject}.>`]), STREAMS.deadLetter])
const schema = await createTestSchema()
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM])
  // this file's dead letters only (DEADLETTER is shared by everything on this server)
  await bus.jsm.streams.purge(STREAMS.deadLetter.name, { filter: `dlq.${id}_refuses.>` }).catch(() => {})
  await bus.close()
  await schema.drop()
})

const mk = (type: string) => createEvent({ type, version: 1, source: 'stats-test', actor: { type: 'system', id: null }, data: {} })
const publish = async (type: string, n: number) => {
  for (let i = 0; i < n; i++) {
    const e = mk(type)
    await bus.js.publish(type, JSON.stringify(e), { msgID: e.id })
  }
}

t.test('consumer lag: N published and not consumed show as N, by durable; a stopped consumer is no longer sampled', async (t) => {
  const durable = `${id}_slow`
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  const consumer = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable,
    filterSubject: `${subject}.slow.>`,
    logger: quietLogger,
    // the first message holds the only slot: the rest wait in the stream
    handler: () => held,
  })
  t.teardown(() => {
    release()
    return consumer.stop()
  })
  t.same(await consumerLag(bus), [{ stream: STREAM, durable, pending: 0, ackPending: 0 }], 'a durable with nothing to do: no lag')

  await publish(`${subject}.slow.thing`, 7)
  // other subjects of the stream are not this durable's
  await publish(`${subject}.other.thing`, 3)
  const lag = await waitFor(async () => {
    const [l] = await consumerLag(bus)
    return l && l.pending + l.ackPending === 7 ? l : null
  }, { what: 'the seven messages in the lag' })
  // one in the handler, the next pulled and waiting for the slot: delivered, not acknowledged
  t.ok(lag.ackPending >= 1 && lag.ackPending <= 2, `delivered and not acknowledged: ${lag.ackPending}`)
  t.equal(lag.pending, 7 - lag.ackPending, 'the rest not delivered yet; the other subject is not counted')

  release()
  await waitFor(async () => {
    const [l] = await consumerLag(bus)
    return l && l.pending + l.ackPending === 0
  }, { what: 'the consumer catching up' })
  t.pass('drained: no lag')
  await consumer.stop()
  t.same(await consumerLag(bus), [], 'a stopped consumer leaves the sampled set')
})

t.test('dead letters per durable: one refused message shows as 1, a durable without any as 0', async (t) => {
  const refuses = `${id}_refuses`
  const fine = `${id}_fine`
  const c1 = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable: refuses,
    filterSubject: `${subject}.dlq.>`,
    logger: quietLogger,
    handler: async () => {
      throw new UnprocessableEvent('not for us')
    },
  })
  const c2 = await startConsumer({ bus, db: schema.db, stream: STREAM, durable: fine, filterSubject: `${subject}.fine.>`, logger: quietLogger, handler: async () => {} })
  t.teardown(() => Promise.all([c1.stop(), c2.stop()]))
  t.same(Object.fromEntries(await deadLetterCounts(bus)), { [refuses]: 0, [fine]: 0 }, 'none yet')

  await publish(`${subject}.dlq.thing`, 1)
  await publish(`${subject}.fine.thing`, 1)
  const counts = await waitFor(async () => {
    const c = await deadLetterCounts(bus)
    return c.get(refuses) === 1 ? c : null
  }, { what: 'the dead letter' })
  t.same(Object.fromEntries(counts), { [refuses]: 1, [fine]: 0 })
})

t.test('outbox backlog: unpublished rows, parked ones and the oldest age; nothing once published', async (t) => {
  const relay = new OutboxRelay({ db: schema.db, js: bus.js, logger: quietLogger, maxAttempts: 3 })
  t.same(await relay.backlog(), { pending: 0, parked: 0, oldestAgeSeconds: 0 }, 'empty')

  await schema.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 4; i++) await publishInTx(trx, mk(`${subject}.outbox.thing`))
  })
  // one row written a minute ago, one parked (its publish failed on its own maxAttempts times)
  await sql`update outbox set created_at = now() - interval '60 seconds' where id = (select min(id) from outbox)`.execute(schema.db)
  await sql`update outbox set attempts = 3 where id = (select max(id) from outbox)`.execute(schema.db)
  const b = await relay.backlog()
  t.match(b, { pending: 4, parked: 1 })
  t.ok(b.oldestAgeSeconds >= 60 && b.oldestAgeSeconds < 3600, `the oldest is a minute old (${b.oldestAgeSeconds} s)`)

  t.equal(await relay.flush(), 3, 'the relay publishes the three that are not parked')
  const after = await relay.backlog()
  t.match(after, { pending: 1, parked: 1 }, 'the parked row stays')
  await sql`update outbox set published_at = now() where published_at is null`.execute(schema.db)
  t.same(await relay.backlog(), { pending: 0, parked: 0, oldestAgeSeconds: 0 }, 'all published: no backlog')
})
