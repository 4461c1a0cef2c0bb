// Typed events through the platform against real Postgres and NATS: app.events.publish checks the
// data against the event's schema before it reaches the outbox, and a service's subscriptions
// dispatch by type and version, checking the data first; what they cannot use is dead-lettered
// with the reason, what another consumer may use is acked and skipped.
import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { sql } from 'kysely'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager, jetstream } from '@nats-io/jetstream'
import { createDb, migrateSchema, DEFAULT_ADMIN_URL } from '@sunbae/db'
import { CatalogEvents, STREAMS, type DomainEvent, type EventDef, type StreamDef } from '@sunbae/contracts'
import { buildService, EventRefused, eventRouter, loadConfig, platform, serviceConfig, subscriptions, type EventContext } from '../src/index.ts'
import { TEST_IDENTITY_SECRET } from '../src/testing.ts'

const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const id = randomBytes(4).toString('hex')
const schema = `kit_events_${id}`
const prefix = `kitev${id}`
const stream: StreamDef = { name: `KITEV_${id}`, subjects: [`${prefix}.>`], maxAgeMs: 60_000, maxBytes: 1 << 20, duplicateWindowMs: 60_000 }
const durable = `kit_events_${id}`

// test contracts (types under the test stream's subjects)
const ThingHappened = {
  type: `${prefix}.thing.happened`,
  version: 1,
  schema: Type.Object({ thingId: Type.String({ format: 'uuid' }), count: Type.Integer({ minimum: 1 }) }),
} as const satisfies EventDef
const ThingHappenedV2 = { ...ThingHappened, version: 2, schema: Type.Object({ thingId: Type.String({ format: 'uuid' }) }) } as const satisfies EventDef
const OtherHappened = { type: `${prefix}.other.happened`, version: 1, schema: Type.Object({ note: Type.String() }) } as const satisfies EventDef

const setup = createDb({ connectionString: adminUrl, schema, service: 'kit-test', slowQueryMs: 10_000 })
await sql`create schema ${sql.id(schema)}`.execute(setup.db)
await sql`create table ${sql.id(schema, 'things')} (id uuid primary key, count int not null)`.execute(setup.db)
await setup.close()
const migrator = createDb({ connectionString: adminUrl, schema, service: 'kit-test', slowQueryMs: 10_000 })
await migrateSchema({ db: migrator.db, schema })
await migrator.close()

const nc = await connect({ servers: natsUrl, name: 'kit-events-test' })
const jsm = await jetstreamManager(nc)
const js = jetstream(nc)
t.teardown(async () => {
  await jsm.streams.delete(stream.name).catch(() => {})
  await nc.close()
  const cleanup = createDb({ connectionString: adminUrl, schema: 'public', service: 'kit-test', slowQueryMs: 10_000 })
  await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db)
  await cleanup.close()
})

interface Seen {
  data: unknown
  ctx: EventContext
  version: number
}

const configSchema = serviceConfig({})
const config = loadConfig(configSchema, { PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: adminUrl, NATS_URL: natsUrl, IDENTITY_SECRET: TEST_IDENTITY_SECRET })
const seen: Seen[] = []
const app = await buildService(
  {
    name: `kit-events-${id}`,
    configSchema,
    app: async (app, { config }) => {
      await app.register(platform, { service: `kit-events-${id}`, schema, config, streams: [stream] })
      await app.register(
        subscriptions((app, consumer) => {
          consumer({ stream, durable, filterSubject: `${prefix}.>`, backoffMs: [50] }, (on) => {
            on(ThingHappened, async (data, ctx) => {
              // typed: data.count is a number here
              seen.push({ data, ctx, version: 1 })
              await ctx.trx.insertInto('things').values({ id: data.thingId, count: data.count }).execute()
            })
            on(OtherHappened, (data, ctx) => void seen.push({ data, ctx, version: 1 }))
          })
        }),
      )
    },
  },
  config,
)
await app.ready()
t.teardown(() => app.close())

const system = { actor: { type: 'system' as const, id: null } }
const outboxRows = async () => (await sql<{ payload: DomainEvent }>`select payload from ${sql.id(schema, 'outbox')} order by id`.execute(app.db)).rows.map((r) => r.payload)

async function waitFor<T>(fn: () => Promise<T> | T, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const v = await fn()
    if (v) return v as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const settled = () =>
  waitFor(async () => {
    const info = await jsm.consumers.info(stream.name, durable)
    return info.num_pending === 0 && info.num_ack_pending === 0
  }, 'the consumer to settle')

/** Publishes an envelope as another (possibly broken) producer would, on a subject of the test stream. */
async function publishRaw(subject: string, envelope: Partial<DomainEvent>): Promise<DomainEvent> {
  const e = { id: randomUUID(), version: 1, occurredAt: new Date().toISOString(), source: 'elsewhere', actor: system.actor, ...envelope } as DomainEvent
  await js.publish(subject, JSON.stringify(e), { msgID: e.id })
  return e
}

const deadLetter = (subject: string) =>
  waitFor(
    () =>
      jsm.streams
        .getMessage(STREAMS.deadLetter.name, { last_by_subj: `dlq.${durable}.${subject}` })
        .then((m) => m?.json<{ event: DomainEvent; error: { name: string; message: string }; deliveries: number }>() ?? null)
        .catch(() => null),
    `a dead letter on dlq.${durable}.${subject}`,
  )

t.test('publish: the envelope is stamped and written in the transaction; data its schema refuses is never written', async (t) => {
  const thingId = randomUUID()
  await app.db.transaction().execute((trx) =>
    app.events.publish(trx, ThingHappened, { thingId, count: 2 }, { ...system, subject: { type: 'thing', id: thingId } }),
  )
  const written = (await outboxRows()).find((e) => (e.data as { thingId?: string }).thingId === thingId)
  t.match(written, { type: ThingHappened.type, version: 1, source: `kit-events-${id}`, actor: system.actor, subject: { type: 'thing', id: thingId }, data: { thingId, count: 2 } })

  const before = (await outboxRows()).length
  const refused = app.db.transaction().execute(async (trx) => {
    await app.events.publish(trx, OtherHappened, { note: 'kept only if the transaction commits' }, system)
    // a caller that bypasses the types: what the contract refuses must not leave
    await app.events.publish(trx, ThingHappened, { thingId: 'not-a-uuid', count: 0 }, system)
  })
  await t.rejects(refused, EventRefused)
  await t.rejects(
    app.db.transaction().execute((trx) => app.events.publish(trx, ThingHappened, { thingId: 'not-a-uuid', count: 0 }, system)),
    { message: /thing\.happened v1: \/thingId must match format "uuid"; \/count must be >= 1/ },
  )
  t.equal((await outboxRows()).length, before, 'nothing written: the refusal rolled the transaction back')

  await t.rejects(
    app.db.transaction().execute((trx) => app.events.publishMany(trx, ThingHappened, [{ data: { thingId, count: 1 }, meta: system }, { data: { thingId, count: -1 }, meta: system }])),
    EventRefused,
    'publishMany refuses the batch when one item breaks the contract',
  )
})

t.test('on(): the subscribed event reaches its handler with checked data and the envelope, in the consumer transaction', async (t) => {
  const thingId = randomUUID()
  await app.db.transaction().execute((trx) => app.events.publish(trx, ThingHappened, { thingId, count: 3 }, system))
  app.events.flushSoon()
  const got = await waitFor(() => seen.find((s) => (s.data as { thingId?: string }).thingId === thingId), 'the handler')
  t.same(got.data, { thingId, count: 3 })
  t.equal(got.ctx.event.type, ThingHappened.type)
  t.equal(got.ctx.event.source, `kit-events-${id}`)
  t.equal(got.ctx.deliveryCount, 1)
  const row = await waitFor(() => sql<{ count: number }>`select count from ${sql.id(schema, 'things')} where id = ${thingId}`.execute(app.db).then((r) => r.rows[0]), 'the row')
  t.equal(row.count, 3, 'the handler wrote through the consumer transaction')

  const note = `note ${id}`
  await publishRaw(OtherHappened.type, { type: OtherHappened.type, data: { note } })
  await waitFor(() => seen.find((s) => (s.data as { note?: string }).note === note), 'the second handler')
})

t.test('a known contract event this consumer does not subscribe to is acked and skipped', async (t) => {
  const before = seen.length
  // a real contract type, on a subject of the test stream (the router dispatches on the envelope's type)
  const e = await publishRaw(`${prefix}.known`, {
    type: CatalogEvents.mentorRated.type,
    data: { mentorId: randomUUID(), rating: 4.5, reviewCount: 2 },
  })
  await settled()
  t.equal(seen.length, before, 'no handler ran')
  const info = await jsm.streams.getMessage(STREAMS.deadLetter.name, { last_by_subj: `dlq.${durable}.${prefix}.known` }).catch(() => null)
  t.equal(info, null, 'not dead-lettered')
  const marked = await sql`select 1 from ${sql.id(schema, 'processed_events')} where consumer = ${durable} and event_id = ${e.id}`.execute(app.db)
  t.equal(marked.rows.length, 1, 'acked as handled')
})

t.test('unknown type, unsubscribed version and refused data are dead-lettered at once with the reason', async (t) => {
  const before = seen.length
  const unknown = await publishRaw(`${prefix}.mystery.happened`, { type: `${prefix}.mystery.happened`, data: {} })
  const dlUnknown = await deadLetter(`${prefix}.mystery.happened`)
  t.equal(dlUnknown.event.id, unknown.id)
  t.equal(dlUnknown.error.name, 'UnprocessableEvent')
  t.equal(dlUnknown.error.message, `no contract defines the event type "${prefix}.mystery.happened"`)
  t.equal(dlUnknown.deliveries, 1, 'no retries')

  const v2 = await publishRaw(`${prefix}.v2`, { type: ThingHappenedV2.type, version: 2, data: { thingId: randomUUID() } })
  const dlVersion = await deadLetter(`${prefix}.v2`)
  t.equal(dlVersion.event.id, v2.id)
  t.equal(dlVersion.error.message, `${ThingHappened.type} v2 is not subscribed (this consumer knows v1)`)
  t.equal(dlVersion.deliveries, 1)

  const bad = await publishRaw(`${prefix}.bad`, { type: ThingHappened.type, data: { thingId: randomUUID(), count: 'three' } })
  const dlBad = await deadLetter(`${prefix}.bad`)
  t.equal(dlBad.event.id, bad.id)
  t.equal(dlBad.error.message, `payload refused by its schema: ${ThingHappened.type} v1: /count must be integer`)
  t.equal(dlBad.deliveries, 1)

  await settled()
  t.equal(seen.length, before, 'no handler ran for any of them')
})

t.test('a consumer declares each event once', async (t) => {
  t.throws(
    () =>
      eventRouter((on) => {
        on(ThingHappened, () => {})
        on(ThingHappened, () => {})
      }),
    /subscribed twice/,
  )
  t.throws(() => eventRouter(() => {}), /subscribes to no event/)
})
