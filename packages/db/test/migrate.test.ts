import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  createDb,
  migrateAll,
  migrateSchema,
  platformMigrations,
  serviceDatabaseUrl,
  ownerRole,
  setupDatabase,
} from '../src/index.ts'
import { FIXTURE_MIGRATIONS, query, scratch } from './fixtures/helpers.ts'

const PLATFORM = ['0000-00-00T0000_platform_outbox', '0000-00-00T0001_platform_processed_events']
const FOLDER = ['2026-01-01T0000_create_widgets', '2026-01-02T0000_add_widget_color']

t.test('platform migrations sort before any dated service migration', async (t) => {
  t.same(Object.keys(platformMigrations), PLATFORM)
  t.ok(PLATFORM.every((name) => name < '1970-01-01'))
})

t.test('migrateSchema: platform then folder, in order, idempotent', async (t) => {
  const s = await scratch(t, ['alpha'])
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const schema = s.schemas.alpha!
  const { db, close } = createDb({ connectionString: s.adminUrl, role: ownerRole(schema), schema, service: 'alpha', slowQueryMs: 1e9 })
  t.teardown(close)

  const migrationsDir = fileURLToPath(FIXTURE_MIGRATIONS)
  const first = await migrateSchema({ db, schema, migrationsDir })
  t.same(first.applied, [...PLATFORM, ...FOLDER])
  const again = await migrateSchema({ db, schema, migrationsDir })
  t.same(again.applied, [])

  const recorded = await query(s.adminUrl, `select name from ${schema}.kysely_migration order by timestamp, name`)
  t.same(recorded.rows.map((r) => r.name), [...PLATFORM, ...FOLDER])

  // The outbox matches the spec the bus relies on.
  const cols = await query(s.adminUrl,
    `select column_name, data_type, is_nullable, column_default from information_schema.columns
     where table_schema = $1 and table_name = 'outbox' order by ordinal_position`, [schema])
  t.same(cols.rows.map((c) => [c.column_name, c.data_type, c.is_nullable]), [
    ['id', 'bigint', 'NO'], ['event_id', 'uuid', 'NO'], ['subject', 'text', 'NO'], ['payload', 'jsonb', 'NO'],
    ['headers', 'jsonb', 'NO'], ['created_at', 'timestamp with time zone', 'NO'], ['published_at', 'timestamp with time zone', 'YES'],
    ['attempts', 'integer', 'NO'], ['last_error', 'text', 'YES'],
  ])
  const idx = await query(s.adminUrl, `select indexdef from pg_indexes where schemaname = $1 and tablename = 'outbox' order by indexname`, [schema])
  t.match(idx.rows.map((r) => r.indexdef).join('\n'), /USING btree \(id\) WHERE \(published_at IS NULL\)/)
  t.match(idx.rows.map((r) => r.indexdef).join('\n'), /UNIQUE INDEX .* \(event_id\)/)
  const pk = await query(s.adminUrl,
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where n.nspname = $1 and c.conrelid = $2::regclass and c.contype = 'p'`, [schema, `${schema}.processed_events`])
  t.same(pk.rows, [{ def: 'PRIMARY KEY (consumer, event_id)' }])

  // Usable as the bus will use them: defaults filled in, duplicates rejected.
  await query(serviceDatabaseUrl(s.adminUrl, schema), `insert into outbox (event_id, subject, payload) values (gen_random_uuid(), 'a.b.c', '{}')`)
  const row = await query(serviceDatabaseUrl(s.adminUrl, schema), 'select headers, attempts, published_at from outbox')
  t.same(row.rows, [{ headers: {}, attempts: 0, published_at: null }])

  const down = await migrateSchema({ db, schema, migrationsDir, direction: 'down' })
  t.same(down.applied, ['2026-01-02T0000_add_widget_color'])
})

t.test('migrateSchema refuses a connection not bound to the schema', async (t) => {
  const s = await scratch(t, ['alpha'])
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  // The admin's search_path is the default one: its tables would land in the wrong place.
  const { db, close } = createDb({ connectionString: s.adminUrl, schema: 'public', service: 'x', slowQueryMs: 1e9 })
  t.teardown(close)
  await t.rejects(migrateSchema({ db, schema: s.schemas.alpha! }), /cannot migrate t\w+_alpha: the connection resolves unqualified names to public/)
})

t.test('a failing migration names itself and stops', async (t) => {
  const s = await scratch(t, ['alpha'])
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const dir = join(s.rootDir, 'services', 'alpha', 'migrations')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, '2026-02-01T0000_broken.ts'), `export async function up(db) { await db.schema.alterTable('missing').addColumn('x', 'text').execute() }\n`)
  await t.rejects(migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir }), /alpha: migrating t\w+_alpha failed at 2026-02-01T0000_broken: relation "missing" does not exist/)
  // Kysely runs one pending batch in one transaction on Postgres: nothing of it sticks.
  const recorded = await query(s.adminUrl, `select name from ${s.schemas.alpha}.kysely_migration order by name`)
  t.same(recorded.rows.map((r) => r.name), [])
  const tables = await query(s.adminUrl, `select tablename from pg_tables where schemaname = $1 and tablename = 'outbox'`, [s.schemas.alpha])
  t.equal(tables.rowCount, 0)
})

t.test('badly named migration files are rejected', async (t) => {
  const s = await scratch(t, ['alpha'])
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const dir = join(s.rootDir, 'services', 'alpha', 'migrations')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'create_users.ts'), 'export async function up() {}\n')
  await t.rejects(migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir }), /migration names start with a date/)
})

t.test('migrateAll runs as each schema\'s owner role, which then owns its tables', async (t) => {
  const s = await scratch(t, ['alpha', 'beta'], ['beta'])
  await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
  const seen: string[] = []
  const results = await migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir, onMigrated: (svc, r) => seen.push(`${svc.name}:${r.applied.length}`) })
  t.same(seen, ['alpha:2', 'beta:4'])
  t.same(results.map((r) => [r.service, r.schema]), [['alpha', s.schemas.alpha], ['beta', s.schemas.beta]])

  const owners = await query(s.adminUrl,
    `select schemaname, tablename, tableowner from pg_tables where schemaname = any($1) order by 1, 2`, [Object.values(s.schemas)])
  t.ok(owners.rows.length >= 8)
  for (const row of owners.rows) t.equal(row.tableowner, ownerRole(row.schemaname), `${row.schemaname}.${row.tablename} owned by its owner role`)
  t.ok(owners.rows.some((r) => r.schemaname === s.schemas.beta && r.tablename === 'widgets'))
  t.notOk(owners.rows.some((r) => r.schemaname === s.schemas.alpha && r.tablename === 'widgets'))

  const again = await migrateAll({ adminUrl: s.adminUrl, rootDir: s.rootDir, services: ['beta'] })
  t.same(again.map((r) => [r.service, r.applied]), [['beta', []]])
})
