// Least privilege (issue 20, item 7): a service's login role reads and writes rows of its schema but
// cannot change the schema; its owner role (NOLOGIN, used by migrations) can. Databases set up before
// the split, where the login role owned everything, are upgraded by db:setup without losing rows.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import {
  createDb,
  dropDatabase,
  DEV_PASSWORD,
  migrateAll,
  migrateSchema,
  ownerRole,
  PgErrorCode,
  pgErrorCode,
  serviceDatabaseUrl,
  serviceRole,
  setupDatabase,
} from '../src/index.ts'
import { FIXTURE_MIGRATIONS, query, scratch } from './fixtures/helpers.ts'

/** Every statement is refused with 42501 (insufficient_privilege) on the login role's own connection. */
async function refused(t: Test, url: string, statements: string[]): Promise<void> {
  for (const text of statements) {
    const err = await query(url, text).then(() => undefined, (e: unknown) => e)
    t.equal(pgErrorCode(err), PgErrorCode.insufficientPrivilege, `refused: ${text}`)
  }
}

const DDL = [
  'create table intruder (x int)',
  'alter table widgets add column intruder text',
  'alter table widgets rename to gadgets',
  'drop table widgets',
  'truncate widgets',
  'create index widgets_by_color on widgets (color)',
  'create function intruder() returns int language sql as $$ select 1 $$',
  'create view intruder as select * from widgets',
  'create sequence intruder',
  'alter sequence widgets_id_seq restart with 1',
  "comment on table widgets is 'mine'",
]

t.test('the login role has rows only: DDL on its own tables is refused, DML works', async (t) => {
  const s = await scratch(t, ['alpha'], ['alpha'])
  const schema = s.schemas.alpha!
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  await migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const url = serviceDatabaseUrl(s.adminUrl, schema)

  await refused(t, url, DDL)
  // serial ids (the sequence), updates, deletes, RETURNING
  const inserted = await query(url, "insert into widgets (name, color) values ('a', 'red'), ('b', 'blue') returning id")
  t.equal(inserted.rowCount, 2)
  await query(url, "update widgets set color = 'green' where name = 'a'")
  await query(url, "delete from widgets where name = 'b'")
  t.same((await query(url, 'select name, color from widgets')).rows, [{ name: 'a', color: 'green' }])
  await query(url, "insert into outbox (event_id, subject, payload) values (gen_random_uuid(), 'a.b.c', '{}')")
  t.equal((await query(url, 'select count(*)::int as n from outbox')).rows[0].n, 1)

  await refused(t, url, ['select * from kysely_migration', "delete from kysely_migration where name like '2026%'", 'update kysely_migration_lock set is_locked = 1'])
  const owners = await query(s.adminUrl, 'select distinct tableowner from pg_tables where schemaname = $1', [schema])
  t.same(owners.rows, [{ tableowner: ownerRole(schema) }], 'every table belongs to the owner role')
  const login = await query(s.adminUrl, 'select rolcanlogin from pg_roles where rolname = $1', [ownerRole(schema)])
  t.same(login.rows, [{ rolcanlogin: false }], 'nobody logs in as the owner')
})

t.test('a table, sequence and function added by a later migration are usable by the login role at once', async (t) => {
  const s = await scratch(t, ['alpha'], ['alpha'])
  const schema = s.schemas.alpha!
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  await migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  await writeFile(
    join(s.rootDir, 'services', 'alpha', 'migrations', '2026-02-01T0000_create_gadgets.ts'),
    // the temp root has no node_modules: the migration imports kysely by its resolved URL
    `import { sql } from ${JSON.stringify(import.meta.resolve('kysely'))}
export async function up(db) {
  await sql\`create table gadgets (id bigserial primary key, label text not null)\`.execute(db)
  await sql\`create function gadget_count() returns bigint language sql stable as $$ select count(*) from gadgets $$\`.execute(db)
}
`,
  )
  const later = await migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  t.same(later.map((r) => r.applied), [['2026-02-01T0000_create_gadgets']])

  const url = serviceDatabaseUrl(s.adminUrl, schema)
  await query(url, "insert into gadgets (label) values ('x'), ('y')")
  t.same((await query(url, 'select gadget_count()::int as n')).rows, [{ n: 2 }])
  await refused(t, url, ['drop table gadgets', 'alter table gadgets add column z int', 'truncate gadgets', 'drop function gadget_count()'])
})

t.test('db:setup upgrades a database where the login role owned its schema, keeping the rows', async (t) => {
  const s = await scratch(t, ['alpha'], ['alpha'])
  const schema = s.schemas.alpha!
  const role = serviceRole(schema)
  // The state before the split, as the previous db:setup and migrate left it: the login role owns
  // the schema and migrated it as itself.
  await query(s.adminUrl.replace(/\/[^/]+$/, '/postgres'), `create database ${s.adminUrl.replace(/^.*\//, '')}`)
  await query(s.adminUrl, `create role ${role} login password '${DEV_PASSWORD}'`)
  await query(s.adminUrl, `grant connect, temporary on database ${s.adminUrl.replace(/^.*\//, '')} to ${role}`)
  await query(s.adminUrl, `create schema ${schema} authorization ${role}`)
  await query(s.adminUrl, `alter role ${role} set search_path = ${schema}`)
  const url = serviceDatabaseUrl(s.adminUrl, schema)
  const old = createDb({ connectionString: url, schema, service: 'alpha', slowQueryMs: 1e9, poolMax: 1 })
  try {
    await migrateSchema({ db: old.db, schema, migrationsDir: fileURLToPath(FIXTURE_MIGRATIONS) })
  } finally {
    await old.close()
  }
  await query(url, "insert into widgets (name, color) values ('kept', 'red')")
  await query(url, 'create table made_at_runtime (x int)')
  await query(url, 'insert into made_at_runtime values (1)')

  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })

  const owned = await query(s.adminUrl,
    `select c.relname, r.rolname from pg_class c join pg_roles r on r.oid = c.relowner join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and r.rolname <> $2`, [schema, ownerRole(schema)])
  t.same(owned.rows, [], 'every relation of the schema moved to the owner role')
  t.same((await query(url, 'select name, color from widgets')).rows, [{ name: 'kept', color: 'red' }], 'rows kept')
  t.same((await query(url, 'select x from made_at_runtime')).rows, [{ x: 1 }])
  await refused(t, url, DDL)
  await refused(t, url, ["delete from kysely_migration where name like '2026%'"])
  await query(url, "insert into widgets (name) values ('after')")

  // the migration history came along: nothing re-runs, and migrations still apply as the owner
  const again = await migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  t.same(again.map((r) => r.applied), [[]])
})

t.test('an admin without superuser (CREATEDB, CREATEROLE: RDS) sets up, migrates and upgrades', async (t) => {
  const s = await scratch(t, ['alpha'], ['alpha'])
  const schema = s.schemas.alpha!
  const admin = `${schema}_admin`
  const server = s.adminUrl.replace(/\/[^/]+$/, '/postgres')
  await query(server, `create role ${admin} login createdb createrole`)
  t.teardown(async () => {
    // after the scratch's own teardown or before it: the database this admin owns goes first
    await dropDatabase(s.adminUrl)
    await query(server, `drop role if exists ${admin}`)
  })
  const url = new URL(s.adminUrl)
  url.username = admin
  const adminUrl = url.toString()
  await setupDatabase({ adminUrl, rootDir: s.rootDir })
  await migrateAll({ adminUrl, rootDir: s.rootDir })
  const owners = await query(s.adminUrl, 'select distinct tableowner from pg_tables where schemaname = $1', [schema])
  t.same(owners.rows, [{ tableowner: ownerRole(schema) }])
  // the login role owning something again (as before the split) is upgraded by this admin too
  await query(s.adminUrl, `alter table ${schema}.widgets owner to ${serviceRole(schema)}`)
  await setupDatabase({ adminUrl, rootDir: s.rootDir })
  const service = serviceDatabaseUrl(s.adminUrl, schema)
  await refused(t, service, ['drop table widgets', 'alter table widgets add column x int'])
  await query(service, "insert into widgets (name) values ('by the login role')")
})
