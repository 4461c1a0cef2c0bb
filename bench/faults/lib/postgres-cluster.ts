// A Postgres cluster of the fault suite's own: `initdb` into a temporary folder, the postmaster on a
// free loopback port with trust authentication, as a child process the suite can stop (a fast
// shutdown: sessions are cut, as in a restart or a failover) and start again on the same port and
// data. initdb and postgres refuse to run as root: as root they run as the `postgres` OS user, and the
// folder is made its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const BIN_CANDIDATES = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin']

/** The folder holding initdb and postgres: PG_BIN_DIR, else the newest Debian install. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = env.PG_BIN_DIR ? [env.PG_BIN_DIR] : BIN_CANDIDATES
  return dirs.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'postgres'))) ?? null
}

export interface PostgresCluster {
  port: number
  /** the superuser's URL of database `postgres` */
  adminUrl(database?: string): string
  /** Whether the postmaster runs. */
  running(): boolean
  /** A fast shutdown (SIGINT: open sessions are terminated), waited for. */
  stop(): Promise<void>
  /** Starts the postmaster again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>
  /** Stops it and removes the folder. */
  destroy(): Promise<void>
  /** SIGKILL and remove the folder at once (synchronous: for a process 'exit' handler). */
  kill(): void
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** uid/gid of the `postgres` OS user when we are root (initdb refuses root), else nothing to switch. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    throw new Error('running as root, and there is no `postgres` OS user to run initdb/postgres as')
  }
}

function accepts(port: number): Promise<boolean> {
  // A StartupMessage's answer tells a ready server from one still starting (57P03 'the database system is starting up').
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0')
    const head = Buffer.alloc(8)
    head.writeInt32BE(8 + params.length, 0)
    head.writeInt32BE(196608, 4)
    let buf = Buffer.alloc(0)
    const done = (ok: boolean) => {
      s.destroy()
      resolve(ok)
    }
    s.once('connect', () => s.write(Buffer.concat([head, params])))
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      if (buf[0] === 0x45) done(false) // ErrorResponse
      else if (buf.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) done(true) // ReadyForQuery
    })
    s.once('error', () => done(false))
    s.setTimeout(1_000, () => done(false))
  })
}

export interface ClusterOptions {
  /** server settings (`-c name=value`) on top of the suite's */
  settings?: Record<string, string | number>
  log?: (msg: string) => void
  timeoutMs?: number
}

/** initdb + start. The caller must stop it: destroy(), or kill() from an 'exit' handler. */
export async function startPostgresCluster(binDir: string, options: ClusterOptions = {}): Promise<PostgresCluster> {
  const timeoutMs = options.timeoutMs ?? 60_000
  const user = runAs()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-faults-pg-'))
  const data = path.join(dir, 'data')
  if (user) fs.chownSync(dir, user.uid, user.gid)
  const spawnOpts = { cwd: dir, ...(user ?? {}) }
  try {
    execFileSync(path.join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...spawnOpts, stdio: 'pipe' })
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true })
    const e = err as { stderr?: Buffer; message: string }
    throw new Error(`initdb failed: ${e.stderr?.toString() || e.message}`)
  }
  const port = await freePort()
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: dir,
    // seven services, their pools and jobs, migrations and the suite's own checks
    max_connections: 300,
    // a throw-away cluster: durability is not what is measured
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    ...options.settings,
  }
  const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
  const logFile = path.join(dir, 'postgres.log')
  let child: ChildProcess | null = null

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return
    const out = fs.openSync(logFile, 'a')
    if (user) fs.fchownSync(out, user.uid, user.gid)
    const c = spawn(path.join(binDir, 'postgres'), args, { ...spawnOpts, stdio: ['ignore', out, out] })
    fs.closeSync(out)
    child = c
    const deadline = Date.now() + timeoutMs
    while (!(await accepts(port))) {
      if (c.exitCode !== null || c.signalCode !== null || Date.now() > deadline) {
        c.kill('SIGKILL')
        throw new Error(`postgres did not start on 127.0.0.1:${port}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`)
      }
      await sleep(50)
    }
  }
  const stop = async () => {
    const c = child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise((r) => c.once('exit', r))
    c.kill('SIGINT')
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
  }
  const kill = () => {
    const c = child
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    await start()
  } catch (err) {
    kill()
    throw err
  }
  options.log?.(`postgres ${path.basename(path.dirname(binDir))} on 127.0.0.1:${port} (data in ${data})`)
  return {
    port,
    adminUrl: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    running: () => child !== null && child.exitCode === null && child.signalCode === null,
    stop,
    start,
    destroy: async () => {
      await stop()
      kill()
    },
    kill,
  }
}
