// CPU accounting for the bench: utime + stime of /proc/<pid>/stat, in clock ticks (USER_HZ, 100 a
// second on Linux), for the tracking process, NATS and the Postgres processes — the bench
// database's backends (one per connection) and the server's own (WAL writer, checkpointer, …).
import { readdirSync, readFileSync } from 'node:fs'

export const TICKS = 100

/** CPU ticks a process has used (user + system); 0 when it is gone. */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after "(comm)", which may itself hold spaces: state is field 3, utime 14, stime 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return 0
  }
}

export interface PostgresTicks {
  /** pid → ticks of the backends connected to `database` */
  backends: Map<number, number>
  /** pid → ticks of the server's background processes */
  server: Map<number, number>
}

const SERVER_PROCESS = /^postgres: (\d+\/main: )?(walwriter|checkpointer|background writer|autovacuum launcher|logical replication launcher|stats collector)/

/** Postgres processes by their title (`postgres: 15/main: <user> <database> <host> <state>`). */
export function postgresTicks(database: string, exclude: ReadonlySet<number> = new Set()): PostgresTicks {
  const backends = new Map<number, number>()
  const server = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (!cmd.startsWith('postgres: ')) continue
    const pid = Number(d)
    if (exclude.has(pid)) continue
    if (cmd.includes(` ${database} `)) backends.set(pid, cpuTicks(pid))
    else if (SERVER_PROCESS.test(cmd)) server.set(pid, cpuTicks(pid))
  }
  return { backends, server }
}

/** Ticks used since `then`; a process that appeared since counts from zero. */
const sumSince = (now: Map<number, number>, then: Map<number, number>) => [...now].reduce((a, [pid, t]) => a + t - (then.get(pid) ?? 0), 0)

export interface CpuSnapshot {
  at: number
  node: number
  nats: number
  pg: PostgresTicks
}

/** `exclude`: the bench's own backends (its polling is not the service's cost) */
export function cpuSnapshot(nodePid: number, natsPid: number, database: string, exclude: ReadonlySet<number>): CpuSnapshot {
  return { at: performance.now(), node: cpuTicks(nodePid), nats: cpuTicks(natsPid), pg: postgresTicks(database, exclude) }
}

/** CPU used between two snapshots, in cores (1.0 = one core busy all the time) */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot) {
  const secs = (b.at - a.at) / 1000
  const cores = (ticks: number) => ticks / TICKS / secs
  return {
    tracking: cores(b.node - a.node),
    postgresBackends: cores(sumSince(b.pg.backends, a.pg.backends)),
    postgresServer: cores(sumSince(b.pg.server, a.pg.server)),
    nats: cores(b.nats - a.nats),
  }
}
