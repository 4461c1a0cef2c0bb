// The bench's CPU accounting, on real processes: this one and a real Postgres backend.
import t from 'tap'
import pg from 'pg'
import { cpuBetween, cpuSnapshot, cpuTicks, postgresTicks, TICKS } from '../cpu.ts'

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const spin = (ms: number) => {
  const end = performance.now() + ms
  let x = 0
  while (performance.now() < end) x += Math.sqrt(x + 1)
  return x
}

t.test('cpuTicks: this process, busy for 300 ms, used about that much', async (t) => {
  const before = cpuTicks(process.pid)
  const used = process.cpuUsage()
  spin(300)
  const mine = process.cpuUsage(used)
  const ticks = cpuTicks(process.pid) - before
  t.ok(ticks > 0, `${ticks} ticks`)
  // /proc counts whole ticks (10 ms): within two of what Node itself measured
  t.ok(Math.abs(ticks / TICKS - (mine.user + mine.system) / 1e6) <= 0.03, `${ticks / TICKS} s vs ${(mine.user + mine.system) / 1e6} s`)
  t.equal(cpuTicks(2 ** 22 + 12_345), 0, 'a process that does not exist used nothing')
})

t.test('postgresTicks: finds the backend of a connection by its database, and leaves out excluded ones', async (t) => {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  t.teardown(() => client.end())
  const { rows } = await client.query<{ pid: number; db: string }>('select pg_backend_pid() as pid, current_database() as db')
  const { pid, db } = rows[0]!
  const before = postgresTicks(db)
  t.ok(before.backends.has(pid), `backend ${pid} of ${db} found`)
  t.notOk(postgresTicks(db, new Set([pid])).backends.has(pid), 'excluded')
  t.notOk(postgresTicks(`${db}_no_such_database`).backends.has(pid), 'not counted for another database')

  // a busy backend shows up in cpuBetween
  const a = cpuSnapshot(process.pid, process.pid, db, new Set())
  await client.query('select count(*) from generate_series(1, 3000000)')
  const b = cpuSnapshot(process.pid, process.pid, db, new Set())
  const used = cpuBetween(a, b)
  // CPU time, not the share of a core: on a loaded machine the query takes longer, not more CPU
  const cpuSeconds = used.postgresBackends * ((b.at - a.at) / 1000)
  t.ok(cpuSeconds > 0.05, `the backend used ${cpuSeconds.toFixed(3)} s of CPU (${used.postgresBackends.toFixed(2)} cores over ${((b.at - a.at) / 1000).toFixed(2)} s)`)
})
