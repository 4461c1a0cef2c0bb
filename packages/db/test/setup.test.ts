import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import {
  databaseName,
  dropDatabase,
  ownerRole,
  PgErrorCode,
  pgErrorCode,
  serviceDatabaseUrl,
  serviceRole,
  setupDatabase,
  withDatabase,
} from '../src/index.ts'
import { query, scratch } from './fixtures/helpers.ts'

t.test('setupDatabase creates database, roles and schemas, idempotently', async (t) => {
  const s = await scratch(t, ['alpha', 'beta'])
  const first = await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  t.equal(first.databaseCreated, true)
  t.same(first.services.map((x) => [x.service, x.roleCreated]), [['alpha', true], ['beta', true]])

  const second = await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  t.equal(second.databaseCreated, false)
  t.same(second.services.map((x) => [x.service, x.roleCreated]), [['alpha', false], ['beta', false]])

  const { rows } = await query(s.adminUrl,
    `select n.nspname as schema, r.rolname as owner from pg_namespace n join pg_roles r on r.oid = n.nspowner
     where n.nspname = any($1) order by 1`, [Object.values(s.schemas)])
  t.same(rows, Object.values(s.schemas).map((schema) => ({ schema, owner: ownerRole(schema) })))

  const a = s.schemas.alpha!
  const roles = await query(s.adminUrl,
    `select rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = any($1) order by rolname`, [[serviceRole(a), ownerRole(a)]])
  t.same(roles.rows, [
    { rolname: serviceRole(a), rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false },
    { rolname: ownerRole(a), rolcanlogin: false, rolsuper: false, rolcreatedb: false, rolcreaterole: false },
  ])
})

t.test('concurrent setups of the same roles on two databases both succeed', async (t) => {
  // Roles are cluster-wide: without the setup lock, parallel CREATE/ALTER ROLE collide.
  const s = await scratch(t, ['alpha', 'beta'])
  const other = withDatabase(s.adminUrl, `${databaseName(s.adminUrl)}_2`)
  t.teardown(() => dropDatabase(other))
  const runs = await Promise.all([
    ...Array.from({ length: 3 }, () => setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })),
    ...Array.from({ length: 3 }, () => setupDatabase({ adminUrl: other, rootDir: s.rootDir })),
  ])
  t.equal(runs.filter((r) => r.databaseCreated).length, 2)
  t.equal(runs.flatMap((r) => r.services).filter((x) => x.roleCreated).length, 2)
})

t.test('setupDatabase restricted to one service', async (t) => {
  const s = await scratch(t, ['alpha', 'beta'])
  const r = await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir, services: ['beta'] })
  t.same(r.services.map((x) => x.service), ['beta'])
  const { rows } = await query(s.adminUrl, 'select nspname from pg_namespace where nspname = any($1)', [Object.values(s.schemas)])
  t.same(rows.map((x) => x.nspname), [s.schemas.beta])
})

t.test('setupDatabase in production refuses to run without passwords, before changing anything', async (t) => {
  const s = await scratch(t, ['alpha'])
  await t.rejects(setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir, env: { NODE_ENV: 'production' } }), /DB_PASSWORD_T.*_ALPHA is not set/)
  const { rowCount } = await query(s.adminUrl.replace(/\/[^/]+$/, '/postgres'), 'select 1 from pg_roles where rolname = $1', [serviceRole(s.schemas.alpha!)])
  t.equal(rowCount, 0)
})

t.test('each role uses its own schema and nothing else', async (t) => {
  const s = await scratch(t, ['alpha', 'beta'])
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const a = s.schemas.alpha!
  const b = s.schemas.beta!
  const alphaUrl = serviceDatabaseUrl(s.adminUrl, a)
  const betaUrl = serviceDatabaseUrl(s.adminUrl, b)

  // A role uses its own schema with unqualified names (ALTER ROLE ... SET search_path); the table
  // comes from its owner, as a migration's would.
  await query(s.adminUrl, `set role ${ownerRole(b)}; create table ${b}.secrets (v text)`)
  await query(betaUrl, "insert into secrets values ('beta only')")
  t.same((await query(betaUrl, 'select current_schema() as s, current_user as u')).rows, [{ s: b, u: serviceRole(b) }])
  t.same((await query(betaUrl, 'select v from secrets')).rows, [{ v: 'beta only' }])
  t.same((await query(s.adminUrl, `select tableowner from pg_tables where schemaname = $1`, [b])).rows, [{ tableowner: ownerRole(b) }])

  // ...and cannot see into another's, qualified or via search_path.
  const fails = async (url: string, sqlText: string, code: string, what: string) => {
    const err = await query(url, sqlText).then(() => undefined, (e: unknown) => e)
    t.equal(pgErrorCode(err), code, `${what}: ${code}`)
  }
  const denied = (url: string, sqlText: string, what: string) => fails(url, sqlText, PgErrorCode.insufficientPrivilege, what)
  await denied(alphaUrl, `select * from ${b}.secrets`, 'alpha reads beta')
  // Postgres skips search_path schemas the role may not use, so the table is simply not there.
  await fails(alphaUrl, `set search_path = ${b}; select * from secrets`, PgErrorCode.undefinedTable, 'alpha reads beta via search_path')
  await denied(alphaUrl, `create table ${b}.intruder (x int)`, 'alpha writes into beta')
  await denied(alphaUrl, 'create table public.shared (x int)', 'alpha creates in public')
  await denied(alphaUrl, `alter role ${serviceRole(b)} set search_path = public`, 'alpha alters beta role')
})

t.test('setupDatabase creates the extensions a service declares, and its role can use them', async (t) => {
  const s = await scratch(t, ['alpha'])
  await writeFile(
    join(s.rootDir, 'services', 'alpha', 'package.json'),
    JSON.stringify({ name: '@t/alpha', type: 'module', sunbae: { schema: s.schemas.alpha, port: 4100, extensions: ['btree_gist'] } }),
  )
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const { rows } = await query(s.adminUrl, `select extname from pg_extension where extname = 'btree_gist'`)
  t.equal(rows.length, 1)
  // the schema's owner (no CREATE on the database, no usage on public) builds an exclusion constraint
  // on text =, and the service role relies on it
  const a = s.schemas.alpha!
  await query(s.adminUrl, `set role ${ownerRole(a)}; create table ${a}.slots (who text, span tstzrange, exclude using gist (who with =, span with &&))`)
  const roleUrl = serviceDatabaseUrl(s.adminUrl, a)
  await query(roleUrl, `insert into slots values ('a', tstzrange('2026-01-01 10:00Z', '2026-01-01 11:00Z'))`)
  const clash = await query(roleUrl, `insert into slots values ('a', tstzrange('2026-01-01 10:30Z', '2026-01-01 11:30Z'))`).catch((err: unknown) => err)
  t.equal(pgErrorCode(clash), PgErrorCode.exclusionViolation)
  await t.rejects(query(roleUrl, 'create extension if not exists pg_trgm'), 'the role itself still cannot create extensions')
})
