import { context, trace, TraceFlags } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { sql, type Generated } from 'kysely'
import t from 'tap'
import {
  createDb,
  isUniqueViolation,
  migrateSchema,
  pgErrorCode,
  PgErrorCode,
  ownerRole,
  setupDatabase,
  Transactions,
  type SlowQuery,
} from '../src/index.ts'
import { scratch } from './fixtures/helpers.ts'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())

interface Widget { id: Generated<number>; name: string }
type Test = { teardown(fn: () => unknown): void }
interface DB { widgets: Widget }

const s = await scratch(t, ['alpha', 'beta'])
await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
const alpha = s.schemas.alpha!
const beta = s.schemas.beta!

// These tests create their own tables, so they act as the schema's owner (what migrations do).
function open(t: Test, schema: string, extra: Partial<Parameters<typeof createDb>[0]> = {}) {
  const handle = createDb<DB>({ connectionString: s.adminUrl, role: ownerRole(schema), schema, service: schema, slowQueryMs: 1e9, ...extra })
  t.teardown(handle.close)
  return handle
}

t.test('unqualified names resolve to the bound schema', async (t) => {
  const a = open(t, alpha)
  const b = open(t, beta)
  for (const [h, name] of [[a, 'in alpha'], [b, 'in beta']] as const) {
    await sql`create table widgets (id serial primary key, name text not null unique)`.execute(h.db)
    await h.db.insertInto('widgets').values({ name }).execute()
  }
  t.same(await a.db.selectFrom('widgets').select('name').execute(), [{ name: 'in alpha' }])
  t.same(await b.db.selectFrom('widgets').select('name').execute(), [{ name: 'in beta' }])
  const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(a.db)
  t.same(rows, [{ s: alpha }])
})

t.test('search_path binding does not depend on the role default', async (t) => {
  // An admin connection has no ALTER ROLE search_path: the connect option alone must bind it.
  const h = createDb({ connectionString: s.adminUrl, schema: beta, service: 'admin', slowQueryMs: 1e9 })
  t.teardown(h.close)
  const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(h.db)
  t.same(rows, [{ s: beta }])
})

t.test('slow queries are reported, normalized, with the trace id', async (t) => {
  const reports: SlowQuery[] = []
  // wide margins both ways: a busy 2-core machine can take tens of ms for `select 1`
  const h = open(t, alpha, { slowQueryMs: 300, onSlowQuery: (r) => { reports.push(r) } })
  const secret = 'hunter2-very-secret'

  await sql`select pg_sleep(0.6), ${secret}::text as s, 'inline-secret' as t, 12345 as n`.execute(h.db)
  // Fast queries are not reported.
  await sql`select 1`.execute(h.db)

  t.equal(reports.length, 1)
  const r = reports[0]!
  t.equal(r.service, alpha)
  t.ok(r.durationMs >= 590, `durationMs ${r.durationMs}`)
  t.equal(r.traceId, null, 'no active span: null trace id')
  t.ok(!Number.isNaN(Date.parse(r.occurredAt)))
  t.equal(r.sql, 'select pg_sleep(?), $1::text as s, ? as t, ? as n')
  t.notMatch(r.sql, secret)
  t.notMatch(r.sql, 'inline-secret')
  t.notMatch(r.sql, '12345')

  const traceId = '0af7651916cd43dd8448eb211c80319c'
  const span = trace.wrapSpanContext({ traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED })
  await context.with(trace.setSpan(context.active(), span), () => h.db.selectNoFrom(sql`pg_sleep(0.35)`.as('x')).execute())
  t.equal(reports.length, 2)
  t.equal(reports[1]!.traceId, traceId)
})

t.test('a failing or throwing reporter never fails the query', async (t) => {
  const errors: unknown[] = []
  const h = open(t, alpha, {
    slowQueryMs: 0,
    onSlowQuery: () => { throw new Error('reporter down') },
    onError: (e) => errors.push(e),
  })
  await sql`select 1`.execute(h.db)
  const h2 = open(t, alpha, { slowQueryMs: 0, onSlowQuery: async () => { throw new Error('async down') }, onError: (e) => errors.push(e) })
  await sql`select 1`.execute(h2.db)
  await new Promise((r) => setImmediate(r))
  t.same(errors.map((e) => (e as Error).message), ['reporter down', 'async down'])
})

t.test('failed queries that were slow are reported too', async (t) => {
  const reports: SlowQuery[] = []
  const h = open(t, alpha, { slowQueryMs: 10, statementTimeoutMs: 30, onSlowQuery: (r) => { reports.push(r) } })
  const err = await sql`select pg_sleep(1)`.execute(h.db).then(() => undefined, (e: unknown) => e)
  t.equal(pgErrorCode(err), PgErrorCode.queryCanceled, 'statement_timeout applies')
  t.equal(reports.length, 1)
  t.equal(reports[0]!.sql, 'select pg_sleep(?)')
})

t.test('error helpers recognise real Postgres errors', async (t) => {
  const h = open(t, beta)
  await sql`create table if not exists uniq (v text unique)`.execute(h.db)
  await sql`insert into uniq values ('x')`.execute(h.db)
  const err = await sql`insert into uniq values ('x')`.execute(h.db).then(() => undefined, (e: unknown) => e)
  t.equal(isUniqueViolation(err), true)
  t.equal(isUniqueViolation(new Error('nope')), false)
})

t.test('ping, close (idempotent), and a bound db can run migrateSchema', async (t) => {
  const h = createDb({ connectionString: s.adminUrl, role: ownerRole(beta), schema: beta, service: 'beta', slowQueryMs: 1e9 })
  await h.ping()
  const r = await migrateSchema({ db: h.db, schema: beta })
  t.same(r.applied, ['0000-00-00T0000_platform_outbox', '0000-00-00T0001_platform_processed_events'])
  await h.close()
  await h.close()
  await t.rejects(h.ping())
})

t.test('ping fails on an unreachable server', async (t) => {
  const h = createDb({ connectionString: 'postgres://postgres@127.0.0.1:1/x', schema: alpha, service: 'x', slowQueryMs: 1e9 })
  t.teardown(h.close)
  await t.rejects(h.ping(), { code: 'ECONNREFUSED' })
})

t.test('Transactions.run commits what its work wrote when it resolves, and nothing when it throws', async (t) => {
  const h = open(t, beta)
  await sql`create table if not exists widgets (id serial primary key, name text not null unique)`.execute(h.db)
  await sql`truncate widgets`.execute(h.db)
  const transactions = new Transactions(h.db)
  const id = await transactions.run(async (tx) => {
    const row = await tx.insertInto('widgets').values({ name: 'kept' }).returning('id').executeTakeFirstOrThrow()
    await tx.insertInto('widgets').values({ name: 'kept too' }).execute()
    return row.id
  })
  t.type(id, 'number', 'the work\'s result is returned')
  await t.rejects(
    transactions.run(async (tx) => {
      await tx.insertInto('widgets').values({ name: 'rolled back' }).execute()
      throw new Error('the rule refused')
    }),
    { message: 'the rule refused' },
  )
  const names = (await h.db.selectFrom('widgets').select('name').orderBy('name').execute()).map((r) => r.name)
  t.same(names, ['kept', 'kept too'])
})
