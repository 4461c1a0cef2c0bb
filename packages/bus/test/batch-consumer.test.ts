import t from 'tap'
import { randomUUID } from 'node:crypto'
import { ensureStreams, startBatchConsumer, type BatchItem } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, sql, streamDef, streamMessages, testBus, uniq, waitFor } from './fixtures/helpers.ts'

const p = uniq()
const STREAM = `${p.toUpperCase()}_BATCH`
const DLQ = `${p.toUpperCase()}_BDLQ`
const bus = await testBus('bus-test-batch-consumer')
// `n` must be positive: a row with n <= 0 is a "poison" value Postgres refuses (check violation)
const schema = await createTestSchema(`create table rows (id uuid primary key, n integer not null check (n > 0), batch integer not null);`)
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.b.>`]), streamDef(DLQ, [`${p}.dlq.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM, DLQ])
  await bus.close()
  await schema.drop()
})

const enc = new TextEncoder()
interface Row {
  id: string
  n: number
}
const publishRows = async (subject: string, rows: Row[]) => {
  for (const r of rows) bus.nc.publish(subject, enc.encode(JSON.stringify(r)))
  await bus.nc.flush()
}
const stored = async (ids: string[]) =>
  Number((await sql<{ n: string }>`select count(*) as n from rows where id = any(${ids}::uuid[])`.execute(schema.db)).rows[0]!.n)

let batchNo = 0
/** multi-row insert, idempotent on the id, like tracking's writers */
const insert = async (items: BatchItem<Row>[]) => {
  const b = ++batchNo
  await schema.db
    .insertInto('rows')
    .values(items.map((i) => ({ id: i.value.id, n: i.value.n, batch: b })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}
const decode = (m: { data: Uint8Array }) => JSON.parse(new TextDecoder().decode(m.data)) as Row
const dlqFor = (durable: string) => (subject: string) => `${p}.dlq.${durable}.${subject}`

t.test('writes in batches of at most batchSize, each message once, all acked', async (t) => {
  const durable = `batch_${uniq()}`
  const subject = `${p}.b.many`
  const rows = Array.from({ length: 2_500 }, (_, i) => ({ id: randomUUID(), n: i + 1 }))
  await publishRows(subject, rows)
  const sizes: number[] = []
  const c = await startBatchConsumer<Row>({
    bus,
    stream: STREAM,
    durable,
    filterSubject: subject,
    batchSize: 500,
    maxWaitMs: 20,
    logger: quietLogger,
    decode,
    handle: async (items) => {
      sizes.push(items.length)
      await insert(items)
    },
  })
  t.teardown(() => c.stop())
  await waitFor(async () => (await stored(rows.map((r) => r.id))) === rows.length, { what: 'all rows stored' })
  await waitFor(async () => (await bus.jsm.consumers.info(STREAM, durable)).num_ack_pending === 0, { what: 'all acked' })
  t.ok(Math.max(...sizes) <= 500, `no batch above 500 (largest ${Math.max(...sizes)})`)
  t.ok(sizes.length < 2_500 / 10, `written in few transactions (${sizes.length})`)
  t.equal(c.stats.stored, 2_500)
})

t.test('batchBytes cuts a batch by the size of its payloads before batchSize is reached', async (t) => {
  const durable = `bytes_${uniq()}`
  const subject = `${p}.b.bytes`
  const rows = Array.from({ length: 600 }, (_, i) => ({ id: randomUUID(), n: i + 1 }))
  const bytesOf = (r: Row) => enc.encode(JSON.stringify(r)).length
  const perMessage = bytesOf(rows[0]!)
  await publishRows(subject, rows)
  const batches: number[][] = []
  const c = await startBatchConsumer<Row>({
    bus,
    stream: STREAM,
    durable,
    filterSubject: subject,
    batchSize: 1_000,
    // room for 50 of these messages: the 50th reaches the bound and cuts the batch
    batchBytes: perMessage * 50,
    maxWaitMs: 200,
    logger: quietLogger,
    decode,
    handle: async (items) => {
      batches.push(items.map((i) => bytesOf(i.value)))
      await insert(items)
    },
  })
  t.teardown(() => c.stop())
  await waitFor(async () => (await stored(rows.map((r) => r.id))) === rows.length, { what: 'all rows stored' })
  const largest = Math.max(...batches.map((b) => b.reduce((a, x) => a + x, 0)))
  t.ok(largest <= perMessage * 50 + perMessage, `no batch holds much more than batchBytes (largest ${largest} bytes, bound ${perMessage * 50})`)
  t.ok(batches.length >= 600 / 51, `the 600 messages took at least 12 batches (${batches.length}), not one of batchSize`)
  t.equal(c.stats.stored, 600)
})

t.test('a redelivered batch is stored once (idempotent handler), and a partial batch waits at most maxWaitMs', async (t) => {
  const durable = `redeliver_${uniq()}`
  const subject = `${p}.b.redeliver`
  const rows = Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), n: i + 1 }))
  await publishRows(subject, rows)
  let failOnce = true
  const c = await startBatchConsumer<Row>({
    bus,
    stream: STREAM,
    durable,
    filterSubject: subject,
    batchSize: 1_000,
    maxWaitMs: 30,
    backoffMs: [100],
    logger: quietLogger,
    decode,
    handle: async (items) => {
      await insert(items)
      if (failOnce) {
        // committed, then "the connection dropped" before we could ack: the batch comes back
        failOnce = false
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' })
      }
    },
  })
  t.teardown(() => c.stop())
  await waitFor(async () => (await bus.jsm.consumers.info(STREAM, durable)).num_ack_pending === 0 && c.stats.stored === 10, { what: 'acked after retry' })
  t.equal(await stored(rows.map((r) => r.id)), 10, 'every row exactly once')
  t.equal(c.stats.retried, 10, 'the transient failure retried the whole batch (no split)')
  t.equal(c.stats.deadLettered, 0)
})

t.test('one poison message: the batch is split, the others stored, the poison dead-lettered after maxDeliver', async (t) => {
  const durable = `poison_${uniq()}`
  const subject = `${p}.b.poison`
  const rows = Array.from({ length: 40 }, (_, i) => ({ id: randomUUID(), n: i === 17 ? -1 : i + 1 }))
  await publishRows(subject, rows)
  // and one that is not JSON at all: dead-lettered on its first delivery
  bus.nc.publish(subject, enc.encode('{not json'))
  await bus.nc.flush()
  const c = await startBatchConsumer<Row>({
    bus,
    stream: STREAM,
    durable,
    filterSubject: subject,
    batchSize: 100,
    maxWaitMs: 20,
    maxDeliver: 3,
    backoffMs: [50],
    deadLetterSubject: dlqFor(durable),
    logger: quietLogger,
    decode,
    handle: insert,
  })
  t.teardown(() => c.stop())
  await waitFor(() => c.stats.deadLettered === 2, { what: 'two dead letters' })
  const good = rows.filter((r) => r.n > 0).map((r) => r.id)
  t.equal(await stored(good), 39, 'every good row stored')
  const dead = (await streamMessages(bus.jsm, DLQ)).filter((m) => m.subject === `${p}.dlq.${durable}.${subject}`)
  t.equal(dead.length, 2)
  const poison = dead.find((d) => d.data.raw.includes('"n":-1'))
  t.ok(poison, 'the poison row is in the dead letters, raw')
  t.equal(poison?.data.deliveries, 3, 'after maxDeliver deliveries')
  t.match(poison?.data.error.message, /check constraint/)
  t.ok(dead.find((d) => d.data.raw === '{not json'), 'the undecodable message too')
  await waitFor(async () => (await bus.jsm.consumers.info(STREAM, durable)).num_ack_pending === 0, { what: 'nothing left pending' })
})

t.test('stop() writes what was pulled and waits for it', async (t) => {
  const durable = `stop_${uniq()}`
  const subject = `${p}.b.stop`
  const rows = Array.from({ length: 300 }, (_, i) => ({ id: randomUUID(), n: i + 1 }))
  await publishRows(subject, rows)
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const c = await startBatchConsumer<Row>({
    bus,
    stream: STREAM,
    durable,
    filterSubject: subject,
    batchSize: 1_000,
    maxWaitMs: 10,
    // messages on the wire when the pull subscription closed come back after ack_wait
    ackWaitMs: 1_000,
    logger: quietLogger,
    decode,
    handle: async (items) => {
      await gate
      await insert(items)
    },
  })
  await waitFor(async () => (await bus.jsm.consumers.info(STREAM, durable)).num_ack_pending > 0, { what: 'messages pulled' })
  const stopped = c.stop()
  release()
  await stopped
  const afterStop = await stored(rows.map((r) => r.id))
  t.ok(afterStop > 0, `the batch held at stop was written (${afterStop})`)
  // a second run of the same durable picks up exactly what the first did not write
  const again = await startBatchConsumer<Row>({ bus, stream: STREAM, durable, filterSubject: subject, maxWaitMs: 10, ackWaitMs: 1_000, logger: quietLogger, decode, handle: insert })
  t.teardown(() => again.stop())
  await waitFor(async () => (await stored(rows.map((r) => r.id))) === 300, { what: 'the rest stored' })
  t.equal(await stored(rows.map((r) => r.id)), 300, 'nothing lost')
  // a message whose ack came after ack_wait (a loaded machine) is written again: a no-op, by key
  t.ok(again.stats.stored >= 300 - afterStop, 'the second run wrote at least what the first had not')
})
