// A Postgres restart cuts every session, including those of clients checked out of the pool. Found by
// the fault suite (bench/faults, "Postgres restarted"): matching, chat-bridge and notification exited
// ("shutting down after a fatal error") because such a client's 'error' event had no listener.
import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { createDb, serviceDatabaseUrl, setupDatabase } from '../src/index.ts'
import { scratch } from './fixtures/helpers.ts'

const s = await scratch(t, ['alpha'])
await setupDatabase({ adminUrl: s.adminUrl, rootDir: s.rootDir })
const alpha = s.schemas.alpha!

t.test("a checked-out client losing its server is reported, fails its caller's next query, and the pool goes on", async (t) => {
  const errors: unknown[] = []
  const h = createDb({ connectionString: serviceDatabaseUrl(s.adminUrl, alpha), schema: alpha, service: 'alpha', slowQueryMs: 1e9, onError: (err) => errors.push(err) })
  t.teardown(h.close)
  const admin = new pg.Client(s.adminUrl)
  await admin.connect()
  t.teardown(() => admin.end())
  // an uncaught 'error' event would end this process here (the defect): tap reports it as a failure
  const failed = await h.db
    .transaction()
    .execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)
      // the session is cut while this transaction holds it and no query runs, as a restart does
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid])
      const deadline = Date.now() + 10_000
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      await sql`select 1`.execute(trx)
    })
    .then(
      () => null,
      (err: Error) => err,
    )
  t.ok(failed, 'the transaction fails')
  // (the cut session's error, and for some timings the socket's end after it)
  t.ok(errors.length >= 1, 'the loss is reported, through onError')
  t.match(String((errors[0] as Error)?.message), /terminating connection/)
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(h.db)
  t.same(rows, [{ one: 1 }], 'the pool serves on a fresh connection')
})

t.test('an idle client losing its server is reported (by the pool) and the pool goes on', async (t) => {
  const errors: unknown[] = []
  const h = createDb({ connectionString: serviceDatabaseUrl(s.adminUrl, alpha), schema: alpha, service: 'alpha', slowQueryMs: 1e9, onError: (err) => errors.push(err) })
  t.teardown(h.close)
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(h.db)
  const admin = new pg.Client(s.adminUrl)
  await admin.connect()
  t.teardown(() => admin.end())
  await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid])
  const deadline = Date.now() + 10_000
  while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  t.equal(errors.length, 1, 'once: the pool reports it, the client listener stays quiet')
  t.same((await sql<{ one: number }>`select 1 as one`.execute(h.db)).rows, [{ one: 1 }])
})
