// `npm start` — the whole platform as local processes on this machine.
//
// Checks Postgres (DATABASE_URL, admin) and says how to start it when missing. NATS: the server NATS_URL
// names, as it is; without NATS_URL a nats-server of its own (the binary on this machine) on 127.0.0.1:4223
// (NATS_PORT; a free port when taken), JetStream store in .run/nats/store, run with the users and
// subject permissions of packages/contracts/src/bus-access.ts (.run/nats/auth: auth.conf and one nkey
// seed per user, made once and kept) — every process connects as its own user (NATS_NKEY_SEED);
// starts the Firebase Auth and Firestore emulators (offline) unless they already run; sets up the
// database (schemas, roles, migrations); starts a local SMTP sink (.run/mail/*.eml), every service,
// the gateway and the web dev server; waits until every /readyz answers ready; prints the URLs. A
// process that exits after that is restarted with back-off (1 s, 2 s … 30 s), with a line here; one
// that exits while starting stops everything. Ctrl-C (or SIGTERM) stops everything it started:
// services drain and close cleanly, then the emulators' data is saved and they stop.
//
// The emulators it starts keep their data in .run/emulators/data (EMULATOR_DATA_DIR): imported at
// start, exported at stop and every EMULATOR_EXPORT_EVERY_S seconds (default 60; 0 = only at stop),
// so a kill -9 of this script or the machine loses at most that much. `npm run reset -- --yes` wipes it.
//
// Installs nothing. Logs: .run/logs/<name>.log (JSON); warnings and errors are echoed here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_ADMIN_URL } from '@sunbae/db'
import { natsAuth } from '@sunbae/bus/nats-auth'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'
import { describeStatus, REPO_ROOT, startEmulators, type Emulators } from '@sunbae/testing/emulators'
import { startMailSink, type MailSink } from '@sunbae/notification/mail-sink'
import { checkNats, checkPostgres, portFree } from './lib/infra.ts'
import { startLocalTurn, type LocalTurn } from './lib/coturn.ts'
import { localPlatformEnv, platformProcesses } from './lib/platform.ts'

const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
/** NATS_URL as given; empty: npm start runs a NATS of its own (step 1) */
let natsUrl = process.env.NATS_URL ?? ''
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 8080)
// Added to every service's port from its package.json, so a second stack (the web e2e test) can run
// beside a developer's `npm start` without a port clash. 0 = the ports as declared.
const servicePortOffset = Number(process.env.SERVICE_PORT_OFFSET ?? 0)
const logDir = process.env.START_LOG_DIR ?? path.join(REPO_ROOT, '.run', 'logs')
/** npm start's own NATS: its store, users and URL file (what `npm run dlq` finds) */
const natsDir = path.join(path.dirname(logDir), 'nats')
const READY_TIMEOUT_MS = Number(process.env.START_READY_TIMEOUT_MS ?? 90_000)
const emulatorDataDir = process.env.EMULATOR_DATA_DIR || path.join(path.dirname(logDir), 'emulators', 'data')
const exportEverySeconds = Number(process.env.EMULATOR_EXPORT_EVERY_S ?? 60)

const say = (msg = '') => process.stdout.write(`${msg}\n`)
/** Prints the problem, stops whatever was started already, exits 1. */
const fail = (msg: string): Promise<never> => {
  process.stderr.write(`\n${msg}\n`)
  return stopAll(1)
}

interface Proc {
  name: string
  child: ChildProcess
  readyUrl?: string
  url?: string
  log: string
  cwd: string
  args: string[]
  env: Record<string, string>
  /** restarts in a row without a minute of running in between (the back-off grows with it) */
  restarts: number
  startedAt: number
}
const procs: Proc[] = []
let emulators: Emulators | null = null
let mailSink: MailSink | null = null
let turnServer: LocalTurn | null = null
let natsServer: PrivateNats | null = null
/** each process's NATS user seed, when npm start runs its own NATS */
let natsSeeds: Record<string, string> | undefined
let stopping = false
/** true once everything was ready: from then on a process that exits is restarted instead of stopping the platform */
let running = false

async function stopAll(code: number, signal?: NodeJS.Signals): Promise<never> {
  if (stopping) return new Promise(() => {}) as Promise<never>
  stopping = true
  if (procs.length || emulators) say('\nStopping…')
  // Reverse order: the gateway first so no new traffic reaches the services.
  // Ctrl-C in a terminal reaches every process of the foreground group: the children got the SIGINT
  // themselves and are closing; a SIGTERM on top would be their second signal (a forced exit).
  if (!(signal === 'SIGINT' && process.stdin.isTTY)) for (const p of [...procs].reverse()) if (p.child.exitCode === null) p.child.kill('SIGTERM')
  const deadline = Date.now() + 15_000
  while (procs.some((p) => p.child.exitCode === null && p.child.signalCode === null) && Date.now() < deadline) await sleep(100)
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  if (emulators) await emulators.stop()
  await mailSink?.close()
  await turnServer?.stop()
  // after every process: they drain their connections first
  if (natsServer) {
    await natsServer.stop()
    fs.rmSync(path.join(natsDir, 'url'), { force: true })
  }
  if (procs.length || emulators) say('Stopped.')
  process.exit(code)
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stopAll(0, sig))

const baseEnv: Record<string, string> = {
  ...localPlatformEnv(process.env, natsUrl),
  // One secret per run, shared by the gateway (signs) and the services (verify).
  IDENTITY_SECRET: process.env.IDENTITY_SECRET ?? randomBytes(32).toString('base64url'),
}

function run(label: string, args: string[], env: Record<string, string>) {
  const res = spawnSync('npm', ['run', '--silent', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8' })
  if (res.status !== 0) {
    process.stderr.write(`\n${label} failed:\n${res.stdout}${res.stderr}\n`)
    process.exit(1)
  }
  return res.stdout.trim()
}

/** Echo warnings and errors of a pino JSON log to the console, prefixed with the process name. */
function echoProblems(name: string, chunk: Buffer) {
  for (const line of chunk.toString('utf8').split('\n')) {
    if (!line.trim()) continue
    try {
      const rec = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
      if ((rec.level ?? 0) >= 40) say(`[${name}] ${rec.level! >= 50 ? 'ERROR' : 'WARN'} ${rec.msg ?? ''}${rec.err?.message ? `: ${rec.err.message}` : ''}`)
    } catch {
      say(`[${name}] ${line}`)
    }
  }
}

/** Back-off before restarting a crashed process: 1 s, 2 s, 4 s … at most 30 s; a minute of running resets it. */
const restartDelayMs = (restarts: number): number => Math.min(30_000, 1_000 * 2 ** Math.max(0, restarts - 1))

function spawnChild(proc: Proc, flags: 'w' | 'a'): void {
  const out = fs.createWriteStream(proc.log, { flags })
  const child = spawn(process.execPath, proc.args, { cwd: proc.cwd, env: proc.env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d: Buffer) => {
    out.write(d)
    echoProblems(proc.name, d)
  })
  child.stderr!.on('data', (d: Buffer) => {
    out.write(d)
    process.stderr.write(`[${proc.name}] ${d}`)
  })
  proc.child = child
  proc.startedAt = Date.now()
  child.on('exit', (code, signal) => {
    out.end()
    if (stopping) return
    const how = signal ?? `code ${code}`
    const log = path.relative(process.cwd(), proc.log)
    if (!running) {
      // still starting: something is wrong with the setup, not a crash to ride out
      say(`\n${proc.name} exited (${how}). Its log: ${log}`)
      void stopAll(1)
      return
    }
    proc.restarts = Date.now() - proc.startedAt > 60_000 ? 1 : proc.restarts + 1
    const delay = restartDelayMs(proc.restarts)
    say(`[${proc.name}] exited (${how}); restarting in ${delay / 1000} s (restart ${proc.restarts}; the rest keeps running). Its log: ${log}`)
    setTimeout(() => {
      if (stopping) return
      spawnChild(proc, 'a')
      say(`[${proc.name}] restarted`)
    }, delay).unref()
  })
}

function startProcess(name: string, cwd: string, args: string[], env: Record<string, string>, extra: Partial<Proc> = {}): Proc {
  const proc: Proc = { name, log: path.join(logDir, `${name}.log`), cwd, args, env, restarts: 0, startedAt: 0, child: null as unknown as ChildProcess, ...extra }
  spawnChild(proc, 'w')
  procs.push(proc)
  return proc
}

async function waitReady(p: Proc): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let last = ''
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(p.readyUrl!, { signal: AbortSignal.timeout(2000) })
      if (res.ok) return
      last = await res.text()
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(300)
  }
  if (stopping) return
  await fail(`${p.name} did not become ready within ${READY_TIMEOUT_MS / 1000} s (last answer: ${last}). Its log: ${p.log}`)
}

// 1. Infrastructure: Postgres this machine must already have; NATS_URL's server, or one of our own.
const [pg, nats] = await Promise.all([checkPostgres(adminUrl), natsUrl ? checkNats(natsUrl) : startOwnNats()])
const missing = [pg, nats].filter((r) => !r.ok).map((r) => (r as { message: string }).message)
if (missing.length) await fail(`Missing infrastructure:\n\n${missing.join('\n\n')}`)
baseEnv.NATS_URL = natsUrl

/**
 * A nats-server of npm start's own with the platform's NATS users (the same config the compose stack
 * and k8s run): seeds made once under .run/nats/auth and kept, the JetStream store kept between runs.
 */
async function startOwnNats(): Promise<{ ok: true; detail: string } | { ok: false; message: string }> {
  const binary = findNatsServer()
  if (!binary) {
    return { ok: false, message: 'nats-server is not installed (npm start runs one of its own without NATS_URL).\nInstall it (Debian: apt-get install nats-server) or point NATS_URL at a NATS server with JetStream.' }
  }
  const auth = natsAuth(path.join(natsDir, 'auth'), process.env.TRACKING_DURABLE_PREFIX ? { trackingDurablePrefix: process.env.TRACKING_DURABLE_PREFIX } : {})
  const wanted = Number(process.env.NATS_PORT ?? 4223)
  const port = wanted > 0 && (await portFree(wanted)) ? wanted : undefined
  try {
    natsServer = await startPrivateNats(binary, path.join(natsDir, 'store'), { config: auth.configPath, keepStore: true, ...(port ? { port } : {}) })
  } catch (err) {
    return { ok: false, message: `NATS: ${(err as Error).message}` }
  }
  natsUrl = natsServer.url
  natsSeeds = auth.seeds
  fs.writeFileSync(path.join(natsDir, 'url'), natsUrl)
  return { ok: true, detail: natsUrl }
}

fs.mkdirSync(logDir, { recursive: true })

/**
 * The emulators' ports FIREBASE_AUTH_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST name (a test run's own,
 * which its journeys' stack uses), else firebase.json's.
 */
function emulatorPortsGiven(): { authPort?: number; firestorePort?: number } {
  const port = (host: string | undefined) => (host && /:\d+$/.test(host) ? Number(host.slice(host.lastIndexOf(':') + 1)) : undefined)
  const authPort = port(process.env.FIREBASE_AUTH_EMULATOR_HOST)
  const firestorePort = port(process.env.FIRESTORE_EMULATOR_HOST)
  return { ...(authPort ? { authPort } : {}), ...(firestorePort ? { firestorePort } : {}) }
}

// 2. Emulators (reused when already running) and the database, in parallel.
say('Starting the Firebase emulators and preparing the database…')
const [emus] = await Promise.all([
  startEmulators({ auth: true, firestore: true, logDir, log: (m) => say(`  ${m}`), dataDir: emulatorDataDir, exportEveryMs: exportEverySeconds * 1000, ...emulatorPortsGiven() }),
  (async () => {
    const env = { ...baseEnv, DATABASE_URL: adminUrl }
    for (const line of run('Database setup', ['db:setup'], env).split('\n')) say(`  ${line}`)
    for (const line of run('Migrations', ['migrate'], env).split('\n')) say(`  ${line}`)
  })(),
])
emulators = emus
for (const line of describeStatus(emus.status)) say(`  ${line}`)
const emulatorData = emus.status.some((s) => s.state === 'started')
  ? `${path.relative(process.cwd(), emulatorDataDir)} (${emus.imported.auth || emus.imported.firestore ? 'restored at start; ' : ''}saved at stop${exportEverySeconds > 0 ? ` and every ${exportEverySeconds} s` : ''})`
  : 'not kept by npm start (the emulators were already running: their data is theirs)'
Object.assign(baseEnv, emus.env)

// 3. A local SMTP sink for notification's email: every message becomes an .eml file (compose runs
// Mailpit instead). Its usual port, or any free one when another stack holds it.
const mailDir = process.env.MAIL_DIR ?? path.join(path.dirname(logDir), 'mail')
mailSink = await startMailSink({ dir: mailDir, port: 1025 + servicePortOffset }).catch(() => startMailSink({ dir: mailDir, port: 0 }))
baseEnv.SMTP_URL = process.env.SMTP_URL ?? mailSink.url

// 3b. coturn, the video rooms' TURN relay, when installed (TURN_PORT; 0 = any free port): meeting
// hands out TURN REST credentials of this run's secret.
const turn = await startLocalTurn({ port: Number(process.env.TURN_PORT ?? 3478 + servicePortOffset), logFile: path.join(logDir, 'coturn.log') }).catch(
  (err: unknown) => ({ missing: `turnserver did not start (${(err as Error).message})` }),
)
if ('missing' in turn) {
  say(`  TURN: ${turn.missing}`)
  // relay-only ICE without a relay would gather nothing
  if (baseEnv.MEETING_ICE_TRANSPORT_POLICY === 'relay') baseEnv.MEETING_ICE_TRANSPORT_POLICY = 'all'
} else {
  turnServer = turn
  Object.assign(baseEnv, turn.env)
}

// 4. Services, then the gateway pointed at them.
for (const p of await platformProcesses({ adminUrl, baseEnv, servicePort: (declared) => declared + servicePortOffset, gatewayPort, ...(natsSeeds ? { natsSeeds } : {}) })) {
  startProcess(p.name, p.cwd, p.args, p.env, { readyUrl: p.readyUrl, url: p.url })
}

// 5. The web dev server, once web/ has one — or, with WEB_BUILD_DIR (the browser journeys' stack), the
// app built into that folder and served by `vite preview`: the production bundle (React's production
// build, hashed chunks, the CSP as nginx sends it) with this stack's emulators, built while the services
// start. The journeys then drive what users get, and a page costs the browser a fraction of the dev
// server's hundreds of untransformed modules.
const webPkg = path.join(REPO_ROOT, 'web', 'package.json')
let webUrl: string | null = null
if (fs.existsSync(webPkg) && JSON.parse(fs.readFileSync(webPkg, 'utf8')).scripts?.dev) {
  const webPort = Number(process.env.WEB_PORT ?? 5173)
  webUrl = `http://127.0.0.1:${webPort}`
  // Vite's own CLI as our direct child (what `npm run dev` runs), not npm → sh → vite: Debian's sh
  // does not pass SIGTERM on, so stopping npm left vite running after every stop.
  const webRequire = createRequire(webPkg)
  const vitePkgPath = webRequire.resolve('vite/package.json')
  const viteBin = path.join(path.dirname(vitePkgPath), (JSON.parse(fs.readFileSync(vitePkgPath, 'utf8')) as { bin: { vite: string } }).bin.vite)
  const webEnv = { ...baseEnv, GATEWAY_URL: `http://127.0.0.1:${gatewayPort}` }
  const buildDir = process.env.WEB_BUILD_DIR
  let args = [viteBin, '--host', '127.0.0.1', '--port', String(webPort), '--strictPort']
  if (buildDir) {
    await buildWeb(viteBin, path.resolve(buildDir), webEnv)
    // mode development: the emulators' hosts (vite.config.ts), in the bundle and in the CSP's connect-src
    args = [viteBin, 'preview', '--mode', 'development', '--outDir', path.resolve(buildDir), '--host', '127.0.0.1', '--port', String(webPort), '--strictPort']
  }
  startProcess('web', path.join(REPO_ROOT, 'web'), args, webEnv, { readyUrl: webUrl, url: webUrl })
}

/**
 * `vite build --mode development` into `outDir`: the production bundle (NODE_ENV stays production) that
 * talks to this stack's emulators. Its output goes to the web's log; a failed build stops the start.
 */
async function buildWeb(viteBin: string, outDir: string, env: Record<string, string>): Promise<void> {
  say('Building the web app…')
  const t0 = Date.now()
  const log = fs.openSync(path.join(logDir, 'web-build.log'), 'w')
  const child = spawn(process.execPath, [viteBin, 'build', '--mode', 'development', '--outDir', outDir, '--emptyOutDir'], {
    cwd: path.join(REPO_ROOT, 'web'),
    env,
    stdio: ['ignore', log, log],
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  fs.closeSync(log)
  if (code !== 0) await fail(`The web app's build failed (exit code ${code}). Its log: ${path.join(logDir, 'web-build.log')}`)
  say(`  built in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

say('Waiting until everything is ready…')
await Promise.all(procs.filter((p) => p.readyUrl).map(waitReady))
// a process that exited meanwhile started the stop (stopAll exits): never announce a running platform
if (stopping) await new Promise<never>(() => {})

running = true
say('')
say('Sunbae is running.')
say('')
say(`  API gateway      http://127.0.0.1:${gatewayPort}   (routes: README.md › Route map)`)
if (webUrl) say(`  Web app          ${webUrl}`)
for (const p of procs.filter((p) => p.name !== 'gateway' && p.name !== 'web')) say(`  ${p.name.padEnd(16)} ${p.url}   (/openapi.json, /readyz)`)
say(`  Auth emulator    http://${emus.env.FIREBASE_AUTH_EMULATOR_HOST ?? '(not running)'}`)
say(`  Firestore        ${emus.env.FIRESTORE_EMULATOR_HOST ? `http://${emus.env.FIRESTORE_EMULATOR_HOST}` : `(unavailable: ${emus.firestoreReason ?? 'unknown'})`}`)
say(`  Emulator data    ${emulatorData}`)
say(`  NATS             ${natsUrl}   ${natsServer ? `(users: ${path.relative(process.cwd(), path.join(natsDir, 'auth', 'auth.conf'))}; npm run dlq signs in as dlq)` : '(NATS_URL, as given)'}`)
say(`  TURN (coturn)    ${turnServer ? `${turnServer.url}   (log: ${path.relative(process.cwd(), path.join(logDir, 'coturn.log'))})` : '(not running: apt-get install coturn)'}`)
say(`  Mail sink        ${baseEnv.SMTP_URL}   (every email notification sends: ${path.relative(process.cwd(), mailDir)}/*.eml)`)
say('')
say(`  Logs: ${path.relative(process.cwd(), logDir)}/<name>.log     Demo data: npm run seed     Stop: Ctrl-C`)
