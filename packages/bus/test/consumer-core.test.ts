import t from 'tap'
import { delayFor } from '../src/consumer-core.ts'
import { ensureStreams, startBatchConsumer, startConsumer } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, streamDef, testBus, uniq, waitFor } from './fixtures/helpers.ts'

// What startConsumer and startBatchConsumer share (src/consumer-core.ts), through both public entry points.

const p = uniq()
const STREAM = `${p.toUpperCase()}_CORE`
const bus = await testBus('bus-test-consumer-core')
const schema = await createTestSchema()
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.core.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM])
  await bus.close()
  await schema.drop()
})

t.test('back-off: the nth delivery waits the nth delay, the last one repeats', async (t) => {
  const backoff = [100, 200, 300]
  t.same([1, 2, 3, 4, 10].map((n) => delayFor(backoff, n)), [100, 200, 300, 300, 300])
  t.equal(delayFor([7], 1), 7)
  t.equal(delayFor([7], 5), 7)
  // a delivery count below 1 never comes from the server; it still gets a delay, not undefined
  t.equal(delayFor(backoff, 0), 300)
})

t.test('a durable started again with other settings is updated, per-event and batch alike', async (t) => {
  const durable = `core_${uniq()}`
  const filter = `${p}.core.settings.>`
  const config = async () => (await bus.jsm.consumers.info(STREAM, durable)).config
  const perEvent = (maxDeliver: number, ackWaitMs: number) =>
    startConsumer({ bus, db: schema.db, stream: STREAM, durable, filterSubject: filter, maxDeliver, ackWaitMs, logger: quietLogger, handler: async () => {} })

  let c = await perEvent(3, 10_000)
  await c.stop()
  t.match(await config(), { filter_subject: filter, max_deliver: -1, ack_wait: 10_000 * 1_000_000, max_ack_pending: 100 }, 'unlimited on the server: the consumer counts the failures that are the message\'s own')

  c = await perEvent(7, 20_000)
  await c.stop()
  t.match(await config(), { max_deliver: -1, ack_wait: 20_000 * 1_000_000 }, 'updated: the new ack wait')

  const b = await startBatchConsumer({ bus, stream: STREAM, durable, filterSubject: filter, batchSize: 10, concurrency: 1, logger: quietLogger, decode: () => undefined, handle: async () => {} })
  await b.stop()
  t.match(await config(), { filter_subject: filter, max_deliver: -1, ack_wait: 30_000 * 1_000_000, max_ack_pending: 30 }, 'the batch consumer counts deliveries itself')
})

t.test('a dead letter that cannot be published leaves the message in the stream, redelivered after the back-off', async (t) => {
  const durable = `core_${uniq()}`
  const subject = `${p}.core.nodlq.sent`
  // no stream captures this subject: the dead-letter publish fails (no responders)
  const nowhere = `${p}-nowhere.${durable}`
  const deliveries: number[] = []
  const c = await startBatchConsumer({
    bus,
    stream: STREAM,
    durable,
    filterSubject: subject,
    maxWaitMs: 0,
    backoffMs: [20],
    deadLetterSubject: nowhere,
    logger: quietLogger,
    decode: (msg) => {
      deliveries.push(msg.info.deliveryCount)
      throw new Error('bad payload')
    },
    handle: async () => {},
  })
  t.teardown(() => c.stop())
  await bus.js.publish(subject, new TextEncoder().encode('{}'))
  await waitFor(() => deliveries.length >= 3, { what: 'redeliveries' })
  t.same(deliveries.slice(0, 3), [1, 2, 3], 'nak, not term: the same message comes back')
  t.equal(c.stats.deadLettered, 0)
})
