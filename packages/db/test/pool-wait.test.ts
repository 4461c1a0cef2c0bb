// Pool waits, as a service's /metrics counts them: a query that finds every connection busy queues
// (pg's waitingCount) and, once it gets one, onPoolWait says how long it waited; a query that finds
// a free connection (or room for a new one) is not a wait.
import { sql } from 'kysely'
import t from 'tap'
import { createDb } from '../src/index.ts'
import { SERVER_URL } from './fixtures/helpers.ts'

t.test('an exhausted pool: the next query waits (waitingCount 1), and its wait is reported once it runs', async (t) => {
  const waits: number[] = []
  const h = createDb({ connectionString: SERVER_URL, schema: 'public', service: 'pool-test', slowQueryMs: 1e9, poolMax: 1, onPoolWait: (ms) => waits.push(ms) })
  t.teardown(h.close)

  await sql`select 1`.execute(h.db)
  await sql`select 1`.execute(h.db)
  t.same(waits, [], 'a free connection, or room for one: no wait')

  let release!: () => void
  const holding = new Promise<void>((resolve) => (release = resolve))
  let entered!: () => void
  const inside = new Promise<void>((resolve) => (entered = resolve))
  // the pool's one connection, held by a transaction until released
  const tx = h.db.transaction().execute(async (trx) => {
    await sql`select 1`.execute(trx)
    entered()
    await holding
  })
  await inside
  const queued = sql<{ one: number }>`select 1 as one`.execute(h.db)
  // Kysely reaches pool.connect() a few ticks after execute()
  for (let i = 0; i < 100 && h.pool.waitingCount === 0; i++) await new Promise((r) => setImmediate(r))
  t.equal(h.pool.waitingCount, 1, 'the query queues for the busy connection')
  t.same(waits, [], 'nothing reported while it waits')
  release()
  await tx
  t.same((await queued).rows, [{ one: 1 }], 'it runs once the connection is free')
  t.equal(waits.length, 1, 'one wait reported')
  t.ok(waits[0]! > 0, `with its length (${waits[0]!.toFixed(1)} ms)`)
  t.equal(h.pool.waitingCount, 0, 'nothing queued any more')
})

t.test('no onPoolWait: the pool is handed to Kysely as it is', async (t) => {
  const h = createDb({ connectionString: SERVER_URL, schema: 'public', service: 'pool-test', slowQueryMs: 1e9, poolMax: 1 })
  t.teardown(h.close)
  t.same((await sql<{ one: number }>`select 1 as one`.execute(h.db)).rows, [{ one: 1 }])
})
