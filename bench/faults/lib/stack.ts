// The fault suite's own platform: a private nats-server with a JetStream store it can stop and start
// again on the same port and store, a Postgres cluster of its own (initdb in a temporary folder) it
// can restart or stop, `npm run db:setup` + `npm run migrate` against it as `npm start` runs them, a
// mail sink, and every service and the gateway as separate processes (scripts/lib/platform.ts: the
// commands and environment `npm start` uses) it can kill -9 and start again. The Firebase emulators
// are the running ones (their hosts come in `emulatorEnv`).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'
import { freePort } from '@sunbae/testing/processes'
import { startMailSink, type MailSink } from '@sunbae/notification/mail-sink'
import { localPlatformEnv, platformProcesses, type PlatformProcess } from '../../../scripts/lib/platform.ts'
import { REPO_ROOT } from '../../../scripts/lib/repo.ts'
import { findPostgresBin, startPostgresCluster, type PostgresCluster } from './postgres-cluster.ts'

export const DATABASE = 'sunbae_faults'

/** One process of the platform, started (again) on demand, its output appended to `<logDir>/<name>.log`. */
export class PlatformChild {
  child: ChildProcess | null = null
  readonly spec: PlatformProcess
  readonly logFile: string
  constructor(spec: PlatformProcess, logFile: string) {
    this.spec = spec
    this.logFile = logFile
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null
  }

  start(): void {
    if (this.alive) return
    const out = fs.openSync(this.logFile, 'a')
    this.child = spawn(process.execPath, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', out, out] })
    fs.closeSync(out)
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    const c = this.child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise((r) => c.once('exit', r))
    c.kill(signal)
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }

  /** Polls /readyz until it answers 2xx; fails with the end of its log when it exits or the time is up. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last = ''
    for (;;) {
      if (!this.alive) throw new Error(`${this.spec.name} exited:\n${this.tail()}`)
      try {
        const res = await fetch(this.spec.readyUrl, { signal: AbortSignal.timeout(2_000) })
        if (res.ok) return
        last = `${res.status} ${(await res.text()).slice(0, 300)}`
      } catch (err) {
        last = (err as Error).message
      }
      if (Date.now() > deadline) throw new Error(`${this.spec.name} not ready within ${timeoutMs / 1000} s (${last}):\n${this.tail()}`)
      await sleep(200)
    }
  }

  tail(chars = 3_000): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').slice(-chars)
    } catch {
      return ''
    }
  }
}

export interface FaultStack {
  gatewayUrl: string
  /** the superuser's URL of the platform's database */
  adminUrl: string
  pg: PostgresCluster
  /** stopped / started on the same port and JetStream store */
  nats: { url: string; stop(): Promise<void>; start(): Promise<void> }
  /** every service by folder name, and `gateway` */
  procs: Map<string, PlatformChild>
  /** the services' names (not the gateway) */
  services: string[]
  logDir: string
  /** `npm run user:role -- <email> <role>` against this stack (claim, account mirror, refresh tokens revoked). */
  setRole(email: string, role: 'mentee' | 'mentor' | 'admin'): Promise<void>
  /** Starts one process again and waits for its readiness. */
  restart(name: string, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export interface FaultStackOptions {
  /** FIREBASE_AUTH_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST … of the running emulators */
  emulatorEnv: Record<string, string>
  log: (msg: string) => void
  /** where each process's log goes (emptied first; kept after the run) */
  logDir: string
  readyTimeoutMs?: number
}

function runNpm(script: string, env: Record<string, string>, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    // npm scripts run under the Node running this file (first on PATH), as scripts/test.ts runs them
    const PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`
    const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: REPO_ROOT, env: { ...env, PATH }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`npm run ${script} exited ${code}:\n${out.slice(-3000)}`))))
  })
}

/** Everything the suite started, for the synchronous 'exit' handler. */
const live = new Set<{ kill(): void }>()
const killLive = () => {
  for (const x of live) x.kill()
}
process.once('exit', killLive)
let signalsGuarded = false
/**
 * A signal ends the process without 'exit' handlers: when nobody else handles it by the time a stack
 * starts (a test file that tap stops at its timeout; run.ts has its own, graceful handlers), end what
 * was started first.
 */
function guardSignals() {
  if (signalsGuarded) return
  signalsGuarded = true
  for (const [sig, n] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]] as const) {
    if (process.listenerCount(sig) > 0) continue
    process.once(sig, () => {
      killLive()
      process.exit(128 + n)
    })
  }
}

export async function startFaultStack(opts: FaultStackOptions): Promise<FaultStack> {
  const { log } = opts
  guardSignals()
  const natsBinary = findNatsServer()
  if (!natsBinary) throw new Error('nats-server not found: the fault suite runs its own (apt-get install nats-server)')
  const pgBin = findPostgresBin()
  if (!pgBin) throw new Error('initdb/postgres not found (PG_BIN_DIR, or apt-get install postgresql)')
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-faults-'))
  const logDir = opts.logDir
  fs.rmSync(logDir, { recursive: true, force: true })
  fs.mkdirSync(logDir, { recursive: true })
  const procs = new Map<string, PlatformChild>()
  let pg: PostgresCluster | null = null
  let nats: PrivateNats | null = null
  let mail: MailSink | null = null
  const natsDir = path.join(work, 'nats')
  const killAll = {
    kill: () => {
      for (const p of procs.values()) if (p.alive) p.child!.kill('SIGKILL')
      nats?.kill()
      pg?.kill()
      fs.rmSync(work, { recursive: true, force: true })
    },
  }
  live.add(killAll)
  const stop = async () => {
    // the gateway first, then the services, each given its drain
    const order = [...procs.values()].reverse()
    await Promise.all(order.map((p) => p.stop('SIGTERM', 20_000)))
    await mail?.close()
    await nats?.stop()
    await pg?.destroy()
    killAll.kill()
    live.delete(killAll)
  }
  try {
    const natsPort = await freePort()
    ;[pg, nats] = await Promise.all([startPostgresCluster(pgBin, { log }), startPrivateNats(natsBinary, natsDir, { port: natsPort, keepStore: true })])
    log(`nats-server on ${nats.url} (store ${natsDir})`)
    const adminUrl = pg.adminUrl(DATABASE)
    const baseEnv: Record<string, string> = {
      ...localPlatformEnv(process.env, nats.url),
      ...opts.emulatorEnv,
      NODE_ENV: 'development',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      IDENTITY_SECRET: randomBytes(32).toString('base64url'),
      // the load comes from one address and a few users: the limits are not what is measured
      RATE_LIMIT_IP_MAX: '0',
      RATE_LIMIT_USER_MAX: '0',
      LOG_LEVEL: 'info',
    }
    const t0 = Date.now()
    await runNpm('db:setup', { ...baseEnv, DATABASE_URL: adminUrl })
    await runNpm('migrate', { ...baseEnv, DATABASE_URL: adminUrl })
    log(`db:setup + migrate in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    mail = await startMailSink({ dir: path.join(work, 'mail'), port: 0 })
    baseEnv.SMTP_URL = mail.url
    const specs = await platformProcesses({ adminUrl, baseEnv, servicePort: () => freePort(), gatewayPort: await freePort() })
    for (const spec of specs) procs.set(spec.name, new PlatformChild(spec, path.join(logDir, `${spec.name}.log`)))
    const t1 = Date.now()
    for (const p of procs.values()) p.start()
    const readyTimeout = opts.readyTimeoutMs ?? 180_000
    await Promise.all([...procs.values()].map((p) => p.waitReady(readyTimeout)))
    log(`${procs.size} processes ready in ${((Date.now() - t1) / 1000).toFixed(1)} s (logs in ${logDir})`)
    const natsCtl = {
      url: nats.url,
      stop: () => nats!.stop(),
      start: async () => {
        nats = await startPrivateNats(natsBinary, natsDir, { port: natsPort, keepStore: true })
      },
    }
    return {
      gatewayUrl: procs.get('gateway')!.spec.url,
      adminUrl,
      pg,
      nats: natsCtl,
      procs,
      services: specs.filter((s) => s.name !== 'gateway').map((s) => s.name),
      logDir,
      setRole: async (email, role) => void (await runNpm('user:role', { ...baseEnv, DATABASE_URL: adminUrl }, [email, role])),
      restart: async (name, timeoutMs = readyTimeout) => {
        const p = procs.get(name)
        if (!p) throw new Error(`no process ${name}`)
        p.start()
        await p.waitReady(timeoutMs)
      },
      stop,
    }
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
}
