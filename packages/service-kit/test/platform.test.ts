// The platform plugin against real Postgres and NATS: 5xx and slow queries leave as telemetry
// events, events written in a transaction leave through the outbox, consumers receive them, and
// close() shuts everything down in order with the outbox flushed.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Type } from 'typebox'
import { sql } from 'kysely'
import { connect, type Msg } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { createDb, migrateSchema, DEFAULT_ADMIN_URL } from '@sunbae/db'
import type { DomainEvent, EventDef, StreamDef } from '@sunbae/contracts'
import { buildService, loadConfig, serviceConfig, platform, subscriptions } from '../src/index.ts'
import { TEST_IDENTITY_SECRET } from '../src/testing.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'

const natsBinary = findNatsServer()

const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const id = randomBytes(4).toString('hex')
const schema = `kit_test_${id}`
const stream: StreamDef = { name: `KITTEST_${id}`, subjects: [`kittest${id}.>`], maxAgeMs: 60_000, maxBytes: 1 << 20, duplicateWindowMs: 60_000 }
const subject = `kittest${id}.thing.happened`
const ThingHappened = { type: subject, version: 1, schema: Type.Object({ n: Type.Integer() }) } as const satisfies EventDef
const system = { actor: { type: 'system' as const, id: null } }

// A throwaway schema with the platform tables, connected as the admin (tests only).
const setup = createDb({ connectionString: adminUrl, schema, service: 'kit-test', slowQueryMs: 10_000 })
await sql`create schema ${sql.id(schema)}`.execute(setup.db)
await setup.close()
const migrator = createDb({ connectionString: adminUrl, schema, service: 'kit-test', slowQueryMs: 10_000 })
await migrateSchema({ db: migrator.db, schema })
await migrator.close()

const nc = await connect({ servers: natsUrl, name: 'kit-platform-test' })
t.teardown(async () => {
  const jsm = await jetstreamManager(nc)
  await jsm.streams.delete(stream.name).catch(() => {})
  await nc.close()
  const cleanup = createDb({ connectionString: adminUrl, schema: 'public', service: 'kit-test', slowQueryMs: 10_000 })
  await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db)
  await cleanup.close()
})

function next(subjectFilter: string, match: (m: Msg) => boolean, timeoutMs = 15_000): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const sub = nc.subscribe(subjectFilter)
    const timer = setTimeout(() => {
      sub.unsubscribe()
      reject(new Error(`nothing on ${subjectFilter} within ${timeoutMs} ms`))
    }, timeoutMs)
    void (async () => {
      for await (const m of sub) {
        if (match(m)) {
          clearTimeout(timer)
          sub.unsubscribe()
          resolve(m)
        }
      }
    })()
  })
}

const configSchema = serviceConfig({})
async function build(handled: DomainEvent[], nats = natsUrl, env: Record<string, string> = {}) {
  const config = loadConfig(configSchema, {
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: adminUrl,
    NATS_URL: nats,
    IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    SLOW_QUERY_MS: '20',
    ...env,
  })
  return buildService(
    {
      name: `kit-test-${id}`,
      configSchema,
      app: async (app, { config }) => {
        await app.register(platform, { service: `kit-test-${id}`, schema, config, streams: [stream] })
        await app.register(
          subscriptions((_app, consumer) => {
            consumer({ stream, durable: `kit_test_${id}`, filterSubject: `kittest${id}.>` }, (on) => {
              on(ThingHappened, (_data, { event }) => void handled.push(event))
            })
          }),
        )
        app.get('/boom', async () => {
          throw new Error(`kaboom ${id}`)
        })
        app.get('/slow', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => {
          await sql`select pg_sleep(0.05), ${`secret-${id}`}::text as s`.execute(app.db)
          return { ok: true }
        })
        app.post('/dup', async () => {
          await sql`insert into processed_events (consumer, event_id) values ('dup', '00000000-0000-4000-8000-000000000001') on conflict do nothing`.execute(app.db)
          await sql`insert into processed_events (consumer, event_id) values ('dup', '00000000-0000-4000-8000-000000000001')`.execute(app.db)
          return { ok: true }
        })
        app.get('/sleep', async () => {
          await sql`select pg_sleep(10)`.execute(app.db)
          return { ok: true }
        })
        app.get('/locked', async () => {
          await sql`select * from processed_events where consumer = 'locked' for update`.execute(app.db)
          return { ok: true }
        })
        app.get('/bad-value', async () => {
          await sql`select ${'not-a-uuid'}::uuid`.execute(app.db)
          return { ok: true }
        })
        app.post('/things', { schema: { response: { 201: Type.Object({ id: Type.String() }) } } }, async (_req, reply) => {
          await app.db.transaction().execute((trx) => app.events.publish(trx, ThingHappened, { n: 1 }, system))
          const { rows } = await sql<{ id: string }>`select event_id as id from outbox order by outbox.id desc limit 1`.execute(app.db)
          return reply.code(201).send({ id: rows[0]!.id })
        })
      },
    },
    config,
  )
}

t.test('a 5xx is reported on telemetry.error with its stack, the client sees none of it', async (t) => {
  const app = await build([])
  t.teardown(() => app.close())
  await app.ready()
  const reported = next('telemetry.error', (m) => m.json<{ message: string }>().message === `kaboom ${id}`)
  await nc.flush()
  const res = await app.inject('/boom')
  t.equal(res.statusCode, 500)
  t.notMatch(res.body, /kaboom/)
  const report = (await reported).json<Record<string, unknown>>()
  t.match(report, { service: `kit-test-${id}`, route: '/boom', status: 500, requestId: res.json().error.requestId })
  t.match(report.stack, /platform\.test\.ts/)
})

t.test('constraint violations and values Postgres refuses are 4xx, not 5xx', async (t) => {
  const app = await build([])
  t.teardown(() => app.close())
  await app.ready()
  const dup = await app.inject({ method: 'POST', url: '/dup' })
  t.equal(dup.statusCode, 409)
  t.equal(dup.json().error.code, 'CONFLICT')
  t.notMatch(dup.body, /processed_events|duplicate key/, 'no internals')
  const bad = await app.inject('/bad-value')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'BAD_REQUEST')
})

t.test('a slow query is reported on telemetry.slow_query without its parameter values', async (t) => {
  const app = await build([])
  t.teardown(() => app.close())
  await app.ready()
  const reported = next('telemetry.slow_query', (m) => m.json<{ service: string }>().service === `kit-test-${id}` && /pg_sleep/.test(m.string()))
  await nc.flush()
  t.equal((await app.inject('/slow')).statusCode, 200)
  const report = (await reported).json<{ sql: string; durationMs: number }>()
  t.ok(report.durationMs >= 20)
  t.notMatch(report.sql, new RegExp(`secret-${id}`), 'no parameter values')
})

t.test('events leave through the outbox, consumers get them, close() flushes what is pending', async (t) => {
  const handled: DomainEvent[] = []
  const app = await build(handled)
  await app.ready()
  const res = await app.inject({ method: 'POST', url: '/things' })
  t.equal(res.statusCode, 201)
  const eventId = res.json().id
  const deadline = Date.now() + 15_000
  while (!handled.some((e) => e.id === eventId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  t.ok(handled.some((e) => e.id === eventId), 'consumer received the event')

  // Written just before close: the shutdown flush publishes it.
  const arrived = next(subject, (m) => m.json<DomainEvent<{ n: number }>>().data.n === 2)
  await nc.flush()
  await app.db.transaction().execute((trx) => app.events.publish(trx, ThingHappened, { n: 2 }, system))
  await app.close()
  t.equal((await arrived).json<DomainEvent<{ n: number }>>().data.n, 2, 'published during shutdown')
  const check = createDb({ connectionString: adminUrl, schema, service: 'kit-test', slowQueryMs: 10_000 })
  const { rows } = await sql<{ n: string }>`select count(*) as n from outbox where published_at is null`.execute(check.db)
  await check.close()
  t.equal(Number(rows[0]?.n), 0, 'nothing left unpublished')
})

t.test('NATS unreachable: the service stays ready (degraded, counted), and writes still succeed through the outbox', { skip: natsBinary ? false : 'no nats-server binary here' }, async (t) => {
  const nats = await startPrivateNats(natsBinary!, mkdtempSync(path.join(tmpdir(), 'kit-readiness-nats-')))
  t.teardown(() => nats.kill())
  const app = await build([], nats.url)
  t.teardown(() => app.close())
  await app.ready()
  let res = await app.inject('/readyz')
  t.same([res.statusCode, res.json()], [200, { status: 'ready', checks: { postgres: 'ok', nats: 'ok' } }])

  await nats.stop()
  res = await app.inject('/readyz')
  t.equal(res.statusCode, 200, 'still in rotation: reads need no NATS, writes go to the outbox')
  t.equal(res.json().status, 'degraded')
  t.equal(res.json().checks.postgres, 'ok')
  t.equal(res.json().checks.nats, 'degraded')
  const metrics = await app.inject('/metrics')
  t.match(metrics.body, /sunbae_dependency_up\{dependency="nats",critical="false"\} 0/)
  t.match(metrics.body, /sunbae_dependency_up\{dependency="postgres",critical="true"\} 1/)

  const write = await app.inject({ method: 'POST', url: '/things' })
  t.equal(write.statusCode, 201, 'a write during the outage succeeds')
  const { rows } = await sql<{ published: boolean }>`select published_at is not null as published from outbox where event_id = ${write.json().id}`.execute(app.db)
  t.same(rows, [{ published: false }], 'its event waits in the outbox for NATS')
  t.equal((await app.inject('/healthz')).statusCode, 200, 'liveness asks nothing of NATS')
})

t.test('a query past DB_STATEMENT_TIMEOUT_MS or a lock wait past DB_LOCK_TIMEOUT_MS answers 503 DATABASE_TIMEOUT at once, not a hang', async (t) => {
  const app = await build([], natsUrl, { DB_STATEMENT_TIMEOUT_MS: '300', DB_LOCK_TIMEOUT_MS: '300' })
  t.teardown(() => app.close())
  await app.ready()
  let started = Date.now()
  let res = await app.inject('/sleep')
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'DATABASE_TIMEOUT')
  t.equal(res.headers['retry-after'], '1')
  t.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms, not after the 10 s query`)

  // another connection holds the row's lock for longer than the lock timeout
  await sql`insert into processed_events (consumer, event_id) values ('locked', '00000000-0000-4000-8000-0000000000aa') on conflict do nothing`.execute(app.db)
  const holder = createDb({ connectionString: adminUrl, schema, service: 'kit-test-holder', slowQueryMs: 10_000 })
  t.teardown(() => holder.close())
  let release!: () => void
  const held = new Promise<void>((r) => (release = r))
  const locked = new Promise<void>((lockedResolve) => {
    void holder.db.transaction().execute(async (trx) => {
      await sql`select * from processed_events where consumer = 'locked' for update`.execute(trx)
      lockedResolve()
      await held
    })
  })
  await locked
  started = Date.now()
  res = await app.inject('/locked')
  release()
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'DATABASE_TIMEOUT')
  t.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms, not after the lock holder`)
})

t.test('Postgres unreachable: a request answers 503 SERVICE_UNAVAILABLE within the connect timeout, and the service is not ready', async (t) => {
  const app = await build([], natsUrl, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', DB_CONNECT_TIMEOUT_MS: '500' })
  t.teardown(() => app.close())
  await app.ready()
  const started = Date.now()
  const res = await app.inject('/slow')
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'SERVICE_UNAVAILABLE')
  t.equal(res.headers['retry-after'], '5')
  t.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`)
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().status, 'not_ready')
  t.equal(ready.json().checks.postgres, 'failing')
})

t.test('the platform retention job deletes published outbox rows past OUTBOX_RETENTION_HOURS, keeps the rest', async (t) => {
  const app = await build([], natsUrl, { OUTBOX_RETENTION_HOURS: '1' })
  t.teardown(() => app.close())
  await app.ready()
  const a = (await app.inject({ method: 'POST', url: '/things' })).json().id as string
  const b = (await app.inject({ method: 'POST', url: '/things' })).json().id as string
  await sql`update outbox set published_at = now() - interval '2 hours' where event_id = ${a}`.execute(app.db)
  await sql`update outbox set published_at = now() where event_id = ${b}`.execute(app.db)
  const r = await app.retention.run()
  t.ok(r.outbox >= 1, `deleted ${r.outbox}`)
  const { rows } = await sql<{ event_id: string }>`select event_id from outbox where event_id in (${a}, ${b})`.execute(app.db)
  t.same(rows.map((x) => x.event_id), [b])
})
