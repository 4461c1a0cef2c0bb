import t from 'tap'
import { createDb, databaseName, DEFAULT_ADMIN_URL, dropDatabase, listDatabases, migrateAll, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { fileDatabaseName, ownInfrastructure, templateDatabaseName } from '../src/isolation.ts'
import { ROOT } from '../src/processes.ts'

t.test("a test file's database is named after the run's database and the file's path", async (t) => {
  const a = fileDatabaseName('sunbae_test', 'services/matching/test/numbers.test.ts')
  const b = fileDatabaseName('sunbae_test', 'services/meeting/test/numbers.test.ts')
  t.match(a, /^sunbae_test__matching_numbers_[0-9a-f]{6}$/)
  t.match(b, /^sunbae_test__meeting_numbers_[0-9a-f]{6}$/)
  t.not(a, b, 'files of the same name in two services never share a database')
  t.equal(fileDatabaseName('sunbae_test', 'services/matching/test/numbers.test.ts'), a, 'the same file: the same name (a killed run’s database is dropped by the next)')
})

t.test('long names stay within Postgres’s 63 characters and stay distinct', async (t) => {
  const run = 'a_rather_long_database_name_for_the_test_run'
  const x = fileDatabaseName(run, 'services/mentor-catalog/test/an-extremely-long-file-name-about-searching-one.test.ts')
  const y = fileDatabaseName(run, 'services/mentor-catalog/test/an-extremely-long-file-name-about-searching-two.test.ts')
  t.ok(x.length <= 63 && y.length <= 63, `${x.length} and ${y.length} characters`)
  t.not(x, y)
})

t.test("a file's database is a copy of its services' migrated template: the same tables, grants and migrations as one set up and migrated", async (t) => {
  const runUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
  const run = databaseName(runUrl)
  const services = ['payment', 'meeting']
  const template = await templateDatabaseName(run, services)
  t.equal(await templateDatabaseName(run, services), template, 'the same services and migrations: the same template')
  t.not(await templateDatabaseName(run, ['payment']), template, 'other services: another template')

  // the old way, for comparison
  const fresh = withDatabase(runUrl, `${run}__isolation_fresh`)
  await dropDatabase(fresh)
  await setupDatabase({ adminUrl: fresh, rootDir: ROOT, services })
  await migrateAll({ adminUrl: fresh, rootDir: ROOT, services })
  const copies: string[] = []
  t.teardown(async () => {
    process.env.DATABASE_URL = runUrl
    for (const url of [fresh, ...copies]) await dropDatabase(url)
  })
  for (const file of ['packages/testing/test/isolation-one.test.ts', 'packages/testing/test/isolation-two.test.ts']) {
    const { adminUrl } = await ownInfrastructure({ services, testFile: file })
    process.env.DATABASE_URL = runUrl // ownInfrastructure points the process at the file's database
    copies.push(adminUrl)
  }
  t.ok((await listDatabases(runUrl, template)).includes(template), 'the template was built')

  // what a service sees: tables and columns, its privileges, the database's own grants, the migrations run
  const fingerprint = async (adminUrl: string) => {
    const { pool, close } = createDb({ connectionString: adminUrl, schema: 'public', service: 'isolation-test', slowQueryMs: Infinity })
    try {
      const q = async (text: string) => (await pool.query(text)).rows
      return {
        columns: await q(`select table_schema, table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
                          where table_schema in ('payment', 'meeting') order by 1, 2, 3`),
        privileges: await q(`select table_schema, table_name, grantee, privilege_type from information_schema.role_table_grants
                             where table_schema in ('payment', 'meeting') order by 1, 2, 3, 4`),
        // null: Postgres's default, under which PUBLIC may connect
        databaseAcl: ((await q('select datacl::text[] as acl from pg_database where datname = current_database()'))[0].acl as string[] | null)
          ?.map((a) => a.replace(/\/.*$/, '')).sort() ?? null,
        migrations: await q(`select 'payment' as s, name from payment.kysely_migration union all
                             select 'meeting', name from meeting.kysely_migration order by 1, 2`),
      }
    } finally {
      await close()
    }
  }
  const expected = await fingerprint(fresh)
  t.ok(expected.columns.length > 10 && expected.migrations.length > 4, 'the fresh database has tables and migrations')
  for (const copy of copies) {
    t.same(await fingerprint(copy), expected, `${databaseName(copy)} matches the fresh database`)
    // the service's role can connect (CONNECT is a database-level grant a copy does not carry) and work
    const { pool, close } = createDb({ connectionString: serviceDatabaseUrl(copy, 'payment'), schema: 'payment', service: 'payment', slowQueryMs: Infinity })
    t.teardown(close)
    const { rows } = await pool.query("select has_schema_privilege('payment', 'usage') as usage")
    t.same(rows, [{ usage: true }], 'payment\'s role connects to the copy and uses its schema')
  }
})
