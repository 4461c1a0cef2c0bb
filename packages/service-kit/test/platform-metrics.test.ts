// The platform's series on a service's /metrics, against real Postgres and NATS: consumer lag per
// durable, dead letters per durable, the outbox backlog and the Postgres pool (connections, requests
// waiting, waits counted) — sampled at the scrape, never on the request path.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Type } from 'typebox'
import { sql } from 'kysely'
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { createDb, migrateSchema, DEFAULT_ADMIN_URL } from '@sunbae/db'
import { UnprocessableEvent } from '@sunbae/bus'
import type { EventDef, StreamDef } from '@sunbae/contracts'
import { buildService, domainEvent, loadConfig, serviceConfig, platform, subscriptions } from '../src/index.ts'
import { TEST_IDENTITY_SECRET } from '../src/testing.ts'

const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const id = randomBytes(4).toString('hex')
const schema = `kit_metrics_${id}`
const stream: StreamDef = { name: `KITMETRICS_${id}`, subjects: [`kitmetrics${id}.>`], maxAgeMs: 60_000, maxBytes: 1 << 20, duplicateWindowMs: 60_000 }
const Slow = { type: `kitmetrics${id}.slow.happened`, version: 1, schema: Type.Object({}) } as const satisfies EventDef
const Bad = { type: `kitmetrics${id}.bad.happened`, version: 1, schema: Type.Object({}) } as const satisfies EventDef
const slowDurable = `kit_metrics_slow_${id}`
const badDurable = `kit_metrics_bad_${id}`
const system = { actor: { type: 'system' as const, id: null } }

const setup = createDb({ connectionString: adminUrl, schema, service: 'kit-test', slowQueryMs: 10_000 })
await sql`create schema ${sql.id(schema)}`.execute(setup.db)
await migrateSchema({ db: setup.db, schema })
await setup.close()

const nc = await connect({ servers: natsUrl, name: 'kit-metrics-test' })
const js = jetstream(nc)
t.teardown(async () => {
  const jsm = await jetstreamManager(nc)
  await jsm.streams.delete(stream.name).catch(() => {})
  await jsm.streams.purge('DEADLETTER', { filter: `dlq.${badDurable}.>` }).catch(() => {})
  await nc.close()
  const cleanup = createDb({ connectionString: adminUrl, schema: 'public', service: 'kit-test', slowQueryMs: 10_000 })
  await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db)
  await cleanup.close()
})

/** The value of one sample line of the exposition; undefined when the series is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    const inner = rest.startsWith('{') ? rest.slice(1, rest.lastIndexOf('}')) : rest.startsWith(' ') ? '' : null
    if (inner === null) continue
    const have = inner ? inner.split(',') : []
    if (want.length === have.length && want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

async function until<T>(fn: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const v = await fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

t.test('lag, dead letters, outbox backlog and pool waits on /metrics', async (t) => {
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let releaseRoute!: () => void
  const routeHeld = new Promise<void>((resolve) => (releaseRoute = resolve))
  let routeIn!: () => void
  const inRoute = new Promise<void>((resolve) => (routeIn = resolve))
  const configSchema = serviceConfig({})
  const config = loadConfig(configSchema, {
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: adminUrl,
    NATS_URL: natsUrl,
    IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    // two connections: the slow consumer's transaction holds one, /hold the other
    DB_POOL_MAX: '2',
    DB_CONNECT_TIMEOUT_MS: '7000',
    DB_STATEMENT_TIMEOUT_MS: '1000',
  })
  const app = await buildService(
    {
      name: `kit-metrics-${id}`,
      configSchema,
      app: async (app, { config }) => {
        await app.register(platform, { service: `kit-metrics-${id}`, schema, config, streams: [stream], metricsCacheMs: 0 })
        await app.register(
          subscriptions((_app, consumer) => {
            consumer({ stream, durable: slowDurable, filterSubject: Slow.type }, (on) => on(Slow, () => held))
            consumer({ stream, durable: badDurable, filterSubject: Bad.type }, (on) =>
              on(Bad, async () => {
                throw new UnprocessableEvent('refused on purpose')
              }),
            )
          }),
        )
        app.get('/hold', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => {
          await app.db.transaction().execute(async (trx) => {
            await sql`select 1`.execute(trx)
            routeIn()
            await routeHeld
          })
          return { ok: true }
        })
        app.get('/query', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => {
          await sql`select 1`.execute(app.db)
          return { ok: true }
        })
      },
    },
    config,
  )
  t.teardown(async () => {
    release()
    releaseRoute()
    await app.close()
  })
  await app.ready()
  const scrape = async () => (await app.inject('/metrics')).body

  const idle = await scrape()
  t.equal(sample(idle, 'sunbae_consumer_pending_messages', { stream: stream.name, consumer: slowDurable }), 0, 'a durable with nothing to do: lag 0')
  t.equal(sample(idle, 'sunbae_dead_letter_messages', { consumer: badDurable }), 0, 'no dead letters yet')
  t.equal(sample(idle, 'sunbae_outbox_pending_messages'), 0, 'an empty outbox')
  t.equal(sample(idle, 'sunbae_outbox_oldest_age_seconds'), 0)
  t.equal(sample(idle, 'sunbae_db_pool_max_connections'), 2)

  // 5 events for the slow durable (its handler never returns here), 1 the other refuses
  for (let i = 0; i < 5; i++) {
    const e = domainEvent(Slow, {}, { ...system, source: 'kit-metrics-test' })
    await js.publish(e.type, JSON.stringify(e), { msgID: e.id })
  }
  const bad = domainEvent(Bad, {}, { ...system, source: 'kit-metrics-test' })
  await js.publish(bad.type, JSON.stringify(bad), { msgID: bad.id })
  // an outbox row whose publish failed on its own five times (parked), written a minute ago
  const parked = domainEvent(Slow, {}, { ...system, source: 'kit-metrics-test' })
  await sql`insert into outbox (event_id, subject, payload, attempts, created_at)
    values (${parked.id}, ${parked.type}, ${JSON.stringify(parked)}, 5, now() - interval '1 minute')`.execute(app.db)

  const busy = await until(async () => {
    const text = await scrape()
    const lag = (sample(text, 'sunbae_consumer_pending_messages', { stream: stream.name, consumer: slowDurable }) ?? 0) +
      (sample(text, 'sunbae_consumer_ack_pending_messages', { stream: stream.name, consumer: slowDurable }) ?? 0)
    return lag === 5 && sample(text, 'sunbae_dead_letter_messages', { consumer: badDurable }) === 1 && text
  }, 'lag 5 and one dead letter')
  t.ok((sample(busy, 'sunbae_consumer_ack_pending_messages', { stream: stream.name, consumer: slowDurable }) ?? 0) >= 1, 'the message in the handler is delivered, not acknowledged')
  t.equal(sample(busy, 'sunbae_consumer_pending_messages', { stream: stream.name, consumer: badDurable }), 0, 'the refusing durable has no lag: its message left for the dead letters')
  t.equal(sample(busy, 'sunbae_dead_letter_messages', { consumer: slowDurable }), 0, 'dead letters are per durable')
  t.equal(sample(busy, 'sunbae_outbox_pending_messages'), 1, 'the parked row is unpublished')
  t.equal(sample(busy, 'sunbae_outbox_parked_messages'), 1)
  t.ok((sample(busy, 'sunbae_outbox_oldest_age_seconds') ?? 0) >= 60, 'its age, a minute')
  t.ok(sample(busy, 'sunbae_db_pool_connections', { state: 'busy' })! >= 1, "the slow handler's transaction holds a connection")

  // the second connection held by a request, a third request queues behind both
  const waitsBefore = sample(busy, 'sunbae_db_pool_wait_seconds_count')!
  const hold = app.inject('/hold')
  await inRoute
  const query = app.inject('/query')
  const exhausted = await until(async () => {
    const text = await scrape()
    return sample(text, 'sunbae_db_pool_waiting_requests')! >= 1 && text
  }, 'a request waiting for a connection')
  t.equal(sample(exhausted, 'sunbae_db_pool_connections', { state: 'busy' }), 2, 'every connection busy')
  t.equal(sample(exhausted, 'sunbae_db_pool_connections', { state: 'idle' }), 0)
  t.equal(sample(exhausted, 'sunbae_outbox_pending_messages'), 1, 'the outbox sample found no connection in time: its last value, and the scrape still answers')
  releaseRoute()
  t.equal((await hold).statusCode, 200)
  t.equal((await query).statusCode, 200, 'the waiting request runs once a connection is free')
  const after = await scrape()
  t.ok(sample(after, 'sunbae_db_pool_wait_seconds_count')! >= waitsBefore + 1, 'its wait is counted')
  t.ok(sample(after, 'sunbae_db_pool_wait_seconds_sum')! > 0, 'with its length')
  await sql`update outbox set published_at = now() where event_id = ${parked.id}`.execute(app.db)
  t.equal(sample(await scrape(), 'sunbae_outbox_pending_messages'), 0, 'sampled again once a connection is free')
})
