// Each service's login role can use its own schema and nothing else — checked on the real roles and
// schemas of the test database that `npm test` set up and migrated.
import t from 'tap'
import pg from 'pg'
import { fileURLToPath } from 'node:url'
import { DEFAULT_ADMIN_URL, discoverServices, serviceDatabaseUrl } from '@sunbae/db'

const root = fileURLToPath(new URL('../..', import.meta.url))
const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
const services = await discoverServices(root)

async function asRole<T>(schema: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serviceDatabaseUrl(adminUrl, schema) })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

const code = (err: unknown) => (err as { code?: string }).code

t.test('seven services, seven schemas', async (t) => {
  t.equal(services.length, 7)
  t.equal(new Set(services.map((s) => s.schema)).size, 7)
})

for (const own of services) {
  t.test(`${own.schema} role: own schema only`, async (t) => {
    await asRole(own.schema, async (c) => {
      const me = await c.query('select current_user, current_schema()')
      t.same(me.rows[0], { current_user: `sunbae_${own.schema}`, current_schema: own.schema })
      await c.query('select count(*) from outbox')
      t.pass('reads its own outbox')
      for (const other of services.filter((s) => s !== own)) {
        await t.rejects(c.query(`select * from ${other.schema}.outbox limit 1`), { code: '42501' }, `cannot read ${other.schema}`)
        await t.rejects(c.query(`insert into ${other.schema}.processed_events (consumer, event_id) values ('x', gen_random_uuid())`), { code: '42501' }, `cannot write ${other.schema}`)
      }
      const created = await c.query('create table public.sneaky (id int)').catch((err) => err)
      t.equal(code(created), '42501', 'cannot create tables in public')
      // rows only: its schema belongs to sunbae_<schema>_owner, which migrations act as
      for (const ddl of ['create table sneaky (id int)', 'alter table outbox add column sneaky int', 'drop table processed_events', 'truncate outbox']) {
        t.equal(code(await c.query(ddl).catch((err) => err)), '42501', `cannot ${ddl.split(' ')[0]} in its own schema`)
      }
    })
  })
}
