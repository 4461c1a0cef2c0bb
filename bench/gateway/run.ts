// `npm run bench:gateway` — what the gateway costs, measured in one run on this machine.
//
// Starts, each as its own process on 127.0.0.1: a small JSON upstream; a bare Node reverse proxy
// (the ceiling for any Node gateway); nginx with one worker (if installed); the real gateway, started
// as production starts it (`node --import @sunbae/telemetry/register gateway/src/server.ts`) with
// auth (a real Auth-emulator ID token on a private route), rate limits (high enough never to
// trigger), tracing (spans exported over OTLP to a sink in this process) and the access log (NATS)
// all on — once with the default sampler and once sampling 100%; and mentor-catalog against
// Postgres for the service figure (GET /api/me through the gateway vs straight to the service with
// a signed identity). wrk measures every target in interleaved rounds, every row with the same
// request (the ID token included), and the CPU time of each row's serving process(es) per request is
// read from /proc around each run; the table (medians) goes to stdout and bench/gateway/RESULTS.md.
// Per-process detail (wrk, upstream, NATS, …), A/B of two gateway versions, profiles: cpu.ts.
//
// Options: --duration <s> (default 6) --rounds <n> (3) --connections <n> (50) --threads <n> (1)
//          --warmup <s> (2) --no-write (do not touch RESULTS.md)
// Env: DATABASE_URL (admin URL; default database sunbae_bench), NATS_URL, FIREBASE_AUTH_EMULATOR_HOST,
//      BENCH_PORT_BASE (18100).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { identityKey, signIdentity } from '@sunbae/service-kit/identity'
import { createEmulatorUser } from '@sunbae/testing'
import { identityFrom } from '@sunbae/gateway/authenticator'
import { startEmulators, type Emulators } from '@sunbae/testing/emulators'
import { nginxBinary, startNginx } from './nginx.ts'
import { UPSTREAM_BODY } from './upstream.ts'
import { benchOptions } from '../lib/options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))

const opts = benchOptions({ numbers: { duration: [6, 1, 300], rounds: [3, 1, 20], connections: [50, 1, 1000], threads: [1, 1, 16], warmup: [2, 0, 60] } })
const { duration: DURATION, rounds: ROUNDS, connections: CONNECTIONS, threads: THREADS, warmup: WARMUP } = opts

const BASE = Number(process.env.BENCH_PORT_BASE ?? 18100)
const PORT = {
  upstream: BASE + 1,
  bare: BASE + 2,
  nginx: BASE + 3,
  gateway: BASE + 4,
  catalog: BASE + 5,
  gatewayFull: BASE + 6,
  otlp: BASE + 7,
  stock: BASE + 8,
}
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae_bench'
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const IDENTITY_SECRET = randomBytes(32).toString('base64url')
const SAMPLER_FULL = { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }
/** the sampler the gateway gets when OTEL_TRACES_SAMPLER is unset (packages/telemetry DEFAULT_SAMPLER) */
const SAMPLER_DEFAULT_LABEL = 'parentbased_traceidratio 0.1'

const say = (msg = '') => process.stdout.write(`${msg}\n`)
const logDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-'))

// ---------------------------------------------------------------------------------------------
// processes

const children: { name: string; child: ChildProcess }[] = []
let emulators: Emulators | null = null

function start(name: string, cmd: string, argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  const log = openSync(join(logDir, `${name}.log`), 'a')
  const child = spawn(cmd, argv, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', log, log] })
  closeSync(log)
  children.push({ name, child })
  child.once('exit', (code, signal) => {
    if (!stopping) say(`! ${name} exited (code ${code}, signal ${signal}); log: ${join(logDir, `${name}.log`)}`)
  })
  return child
}

let stopping = false
async function stopAll(): Promise<void> {
  stopping = true
  for (const { child } of [...children].reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  const deadline = Date.now() + 8_000
  while (children.some(({ child }) => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) await sleep(50)
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await emulators?.stop()
  otlpSink?.close()
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void stopAll().then(() => process.exit(130)))
}

async function waitHttp(url: string, what: string, timeoutMs = 30_000, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(1_000) })
      if (res.ok) return
      last = `status ${res.status}: ${(await res.text()).slice(0, 300)}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(150)
  }
  throw new Error(`${what} did not become ready at ${url} (${last}); logs in ${logDir}`)
}

/** OTLP/HTTP traces sink: counts export requests and bytes, answers 200 (what a collector does). */
let otlpSink: Server | null = null
const otlp = { requests: 0, bytes: 0 }
function startOtlpSink(): Promise<void> {
  otlpSink = createServer((req, res) => {
    req.on('data', (c: Buffer) => (otlp.bytes += c.length))
    req.on('end', () => {
      otlp.requests++
      res.writeHead(200, { 'content-type': 'application/x-protobuf' })
      res.end()
    })
  })
  return new Promise((resolve) => otlpSink!.listen(PORT.otlp, '127.0.0.1', resolve))
}

// ---------------------------------------------------------------------------------------------
// wrk

interface WrkResult {
  rps: number
  requests: number
  /** CPU time (user+system) of the row's serving processes per request; set by the caller */
  cpuUsPerReq: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (!m) return NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

function wrk(url: string, headers: Record<string, string>, seconds: number): Promise<WrkResult> {
  const argv = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '--timeout', '5s']
  for (const [k, v] of Object.entries(headers)) argv.push('-H', `${k}: ${v}`)
  argv.push(url)
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk failed (${code}): ${out}`))
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
      const requests = Number(/(\d+) requests in/.exec(out)?.[1])
      const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '')
      const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '')
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
      const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0
      if (!Number.isFinite(rps)) return reject(new Error(`could not read wrk's output:\n${out}`))
      resolve({ rps, requests, cpuUsPerReq: NaN, p50, p99, non2xx, errors })
    })
  })
}

const TICK_US = 1e6 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100)

/** user+system CPU time of a process in µs (/proc/<pid>/stat), 0 when it is gone */
function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * TICK_US
  } catch {
    return 0
  }
}

const pid = (child: ChildProcess) => () => [child.pid!]

/** nginx's worker processes (children of the master we started) */
function nginxWorkers(master: ChildProcess | null): number[] {
  if (!master) return []
  const r = spawnSync('pgrep', ['-P', String(master.pid)], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

// ---------------------------------------------------------------------------------------------
// setup

function checkTools(): string | null {
  if (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).error) {
    throw new Error('wrk is not installed: apt-get install -y wrk')
  }
  return nginxBinary()
}

function dbStep(script: string): void {
  const res = spawnSync(process.execPath, [join(ROOT, 'packages/db/src/cli', script), '--service', 'mentor-catalog'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: ADMIN_URL },
    encoding: 'utf8',
  })
  if (res.status !== 0) throw new Error(`db ${script} failed:\n${res.stdout}${res.stderr}`)
}

function catalogDatabaseUrl(): string {
  const url = new URL(ADMIN_URL)
  url.username = 'sunbae_mentor_catalog'
  url.password = process.env.DB_PASSWORD_MENTOR_CATALOG ?? 'sunbae-dev'
  return url.toString()
}

function gatewayEnv(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NATS_URL,
    IDENTITY_SECRET,
    OTEL_SERVICE_NAME: 'gateway',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT.otlp}`,
    FIREBASE_AUTH_EMULATOR_HOST: emulators!.env.FIREBASE_AUTH_EMULATOR_HOST!,
    FIREBASE_PROJECT_ID: emulators!.env.FIREBASE_PROJECT_ID,
    GCLOUD_PROJECT: emulators!.env.GCLOUD_PROJECT,
    GATEWAY_ROUTES: JSON.stringify({ '/api/bench': `http://127.0.0.1:${PORT.upstream}`, '/api/me': `http://127.0.0.1:${PORT.catalog}` }),
    // on, but far above what one client can send in a run: every request is counted, none refused
    RATE_LIMIT_IP_MAX: '100000000',
    RATE_LIMIT_USER_MAX: '100000000',
    ACCESS_LOG_ENABLED: 'true',
    ...extra,
  }
}

async function gatewayMetrics(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const sum = (re: RegExp) => text.split('\n').filter((l) => re.test(l)).reduce((a, l) => a + Number(l.split(' ').pop()), 0)
  return {
    published: sum(/^gateway_access_log_published_total /),
    dropped: sum(/^gateway_access_log_dropped_total\{/),
    limited: sum(/^gateway_rate_limited_total\{/),
    verified: sum(/^gateway_token_verifications_total\{/),
  }
}

// ---------------------------------------------------------------------------------------------
// main

interface Target {
  key: string
  label: string
  url: string
  headers: () => Record<string, string>
  /** the processes that serve this row (the proxy's, or the service's for the direct rows): their CPU per request is reported */
  serving: () => number[]
  /** expected body (checked once before measuring) */
  expect?: string
}

async function main(): Promise<void> {
  const nginx = checkTools()
  const t0 = Date.now()
  say(`logs: ${logDir}`)

  emulators = await startEmulators({ auth: true, firestore: false, logDir, log: (m) => say(`  ${m}`) })
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulators.env.FIREBASE_AUTH_EMULATOR_HOST
  process.env.GCLOUD_PROJECT = emulators.env.GCLOUD_PROJECT
  const user = await createEmulatorUser({ displayName: 'Bench User' })
  const bearer = { authorization: `Bearer ${user.idToken}` }
  const claims = JSON.parse(Buffer.from(user.idToken.split('.')[1]!, 'base64url').toString('utf8')) as Parameters<typeof identityFrom>[0] & {
    user_id: string
  }
  const identity = identityFrom({ ...claims, uid: claims.user_id })

  dbStep('setup.ts')
  dbStep('migrate.ts')
  await startOtlpSink()

  const node = process.execPath
  const upstreamProc = start('upstream', node, [join(HERE, 'upstream.ts'), String(PORT.upstream)])
  const bareProc = start('bare-proxy', node, [join(HERE, 'bare-proxy.ts'), String(PORT.bare), `http://127.0.0.1:${PORT.upstream}`])
  const stockProc = start('stock-proxy', node, [join(HERE, 'stock-proxy.ts'), String(PORT.stock), `http://127.0.0.1:${PORT.upstream}`])
  let nginxProc: ChildProcess | null = null
  if (nginx) {
    const { child } = startNginx(nginx, PORT.nginx, `http://127.0.0.1:${PORT.upstream}`)
    nginxProc = child
    children.push({ name: 'nginx', child })
  }
  const catalogProc = start('mentor-catalog', node, ['--import', '@sunbae/telemetry/register', 'src/server.ts'], {
    cwd: join(ROOT, 'services/mentor-catalog'),
    env: {
      NODE_ENV: 'development',
      PORT: String(PORT.catalog),
      LOG_LEVEL: 'info',
      NATS_URL,
      IDENTITY_SECRET,
      DATABASE_URL: catalogDatabaseUrl(),
      OTEL_SERVICE_NAME: 'mentor-catalog',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT.otlp}`,
    },
  })
  // exactly as production starts it (gateway/package.json "start"), from the gateway's folder
  const gatewayArgs = ['--import', '@sunbae/telemetry/register', 'src/server.ts']
  const gatewayProc = start('gateway', node, gatewayArgs, { cwd: join(ROOT, 'gateway'), env: gatewayEnv(PORT.gateway) })
  const gatewayFullProc = start('gateway-sampled-100', node, gatewayArgs, { cwd: join(ROOT, 'gateway'), env: gatewayEnv(PORT.gatewayFull, SAMPLER_FULL) })

  await waitHttp(`http://127.0.0.1:${PORT.upstream}/`, 'upstream')
  await waitHttp(`http://127.0.0.1:${PORT.bare}/`, 'bare proxy')
  await waitHttp(`http://127.0.0.1:${PORT.stock}/api/bench/`, 'stock @fastify/http-proxy')
  if (nginx) await waitHttp(`http://127.0.0.1:${PORT.nginx}/`, 'nginx')
  await waitHttp(`http://127.0.0.1:${PORT.catalog}/readyz`, 'mentor-catalog')
  await waitHttp(`http://127.0.0.1:${PORT.gateway}/readyz`, 'gateway')
  await waitHttp(`http://127.0.0.1:${PORT.gatewayFull}/readyz`, 'gateway (100% sampling)')

  // auth really is on: the private route refuses a request without a token
  const anon = await fetch(`http://127.0.0.1:${PORT.gateway}/api/bench/item`)
  if (anon.status !== 401) throw new Error(`gateway answered ${anon.status} without a token; expected 401`)
  // the account exists before GET /api/me is measured
  const put = await fetch(`http://127.0.0.1:${PORT.gateway}/api/me`, {
    method: 'PUT',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: '{}',
  })
  if (put.status !== 200 && put.status !== 201) throw new Error(`PUT /api/me answered ${put.status}: ${await put.text()}`)
  const me = await put.text()

  // what the gateway sends mentor-catalog for GET /api/me: signed with catalog's key, bound to that request
  const catalogKey = identityKey(IDENTITY_SECRET, 'mentor-catalog')
  const signed = () => ({ 'x-sunbae-identity': signIdentity(identity, catalogKey, { aud: 'mentor-catalog', method: 'GET', url: '/api/me' }) })
  const upstreamPath = '/api/bench/item'
  // Every row gets the same request, the ID token included: the client's bytes are the same whatever
  // is behind the port, so parsing (and, for the plain proxies, forwarding) the ~1 KB Authorization
  // header is priced in every row, not only the gateway's. (Before, only the gateway rows carried it;
  // measured with bench/gateway/cpu.ts it costs the bare proxy nothing measurable, but rows are equal now.)
  const sameRequest = () => bearer
  const targets: Target[] = [
    { key: 'direct', label: 'direct (upstream)', url: `http://127.0.0.1:${PORT.upstream}${upstreamPath}`, headers: sameRequest, serving: pid(upstreamProc), expect: UPSTREAM_BODY },
    { key: 'bare', label: 'bare Node proxy', url: `http://127.0.0.1:${PORT.bare}${upstreamPath}`, headers: sameRequest, serving: pid(bareProc), expect: UPSTREAM_BODY },
    { key: 'stock', label: 'stock @fastify/http-proxy', url: `http://127.0.0.1:${PORT.stock}${upstreamPath}`, headers: sameRequest, serving: pid(stockProc), expect: UPSTREAM_BODY },
    ...(nginx
      ? [{ key: 'nginx', label: 'nginx (1 worker)', url: `http://127.0.0.1:${PORT.nginx}${upstreamPath}`, headers: sameRequest, serving: () => nginxWorkers(nginxProc), expect: UPSTREAM_BODY }]
      : []),
    { key: 'gateway', label: `gateway, default sampler (${SAMPLER_DEFAULT_LABEL})`, url: `http://127.0.0.1:${PORT.gateway}${upstreamPath}`, headers: () => bearer, serving: pid(gatewayProc), expect: UPSTREAM_BODY },
    {
      key: 'gatewayFull',
      label: 'gateway, 100% sampled (parentbased_always_on)',
      url: `http://127.0.0.1:${PORT.gatewayFull}${upstreamPath}`,
      headers: () => bearer,
      serving: pid(gatewayFullProc),
      expect: UPSTREAM_BODY,
    },
    { key: 'catalogDirect', label: 'mentor-catalog GET /api/me, direct', url: `http://127.0.0.1:${PORT.catalog}/api/me`, headers: signed, serving: pid(catalogProc) },
    { key: 'catalogGateway', label: 'mentor-catalog GET /api/me, via gateway', url: `http://127.0.0.1:${PORT.gateway}/api/me`, headers: () => bearer, serving: () => [gatewayProc.pid!, catalogProc.pid!] },
  ]
  for (const t of targets) {
    const res = await fetch(t.url, { headers: t.headers() })
    const text = await res.text()
    if (res.status !== 200) throw new Error(`${t.label}: status ${res.status}: ${text.slice(0, 300)}`)
    if (t.expect !== undefined && text !== t.expect) throw new Error(`${t.label}: unexpected body ${text.slice(0, 300)}`)
    if (t.key.startsWith('catalog') && JSON.parse(text).uid !== JSON.parse(me).uid) throw new Error(`${t.label}: another account`)
  }
  say(`ready after ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up (${WARMUP} s each)`)
  for (const t of targets) await wrk(t.url, t.headers(), WARMUP)
  const before = { gateway: await gatewayMetrics(PORT.gateway), gatewayFull: await gatewayMetrics(PORT.gatewayFull) }
  const otlpBefore = { ...otlp }

  const results = new Map<string, WrkResult[]>(targets.map((t) => [t.key, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // interleaved: each round starts one target later, so no target always runs first or last
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
    say(`round ${round + 1}/${ROUNDS}: ${order.map((t) => t.key).join(' → ')}`)
    for (const t of order) {
      const pids = t.serving()
      const cpuBefore = pids.reduce((a, p) => a + cpuUs(p), 0)
      const r = await wrk(t.url, t.headers(), DURATION)
      r.cpuUsPerReq = (pids.reduce((a, p) => a + cpuUs(p), 0) - cpuBefore) / r.requests
      results.get(t.key)!.push(r)
      say(`  ${t.key.padEnd(15)} ${r.rps.toFixed(0).padStart(7)} req/s  ${r.cpuUsPerReq.toFixed(1)} CPU µs/req  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.non2xx || r.errors ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ''}`)
    }
  }
  const after = { gateway: await gatewayMetrics(PORT.gateway), gatewayFull: await gatewayMetrics(PORT.gatewayFull) }
  const gatewayRequests = (['gateway', 'gatewayFull', 'catalogGateway'] as const).reduce((a, k) => a + results.get(k)!.reduce((b, r) => b + r.rps * DURATION, 0), 0)

  const summary = new Map(
    targets.map((t) => {
      const rs = results.get(t.key)!
      return [t.key, { label: t.label, rps: median(rs.map((r) => r.rps)), cpu: median(rs.map((r) => r.cpuUsPerReq)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), bad: rs.reduce((a, r) => a + r.non2xx + r.errors, 0) }]
    }),
  )
  const get = (k: string) => summary.get(k)
  const ratio = (a: string, b: string) => (get(a) && get(b) ? get(a)!.rps / get(b)!.rps : NaN)
  const cpuRatio = (a: string, b: string) => (get(a) && get(b) ? get(a)!.cpu / get(b)!.cpu : NaN)
  const ratios: [string, number, string][] = [
    ['gateway (default sampler) / bare Node proxy', ratio('gateway', 'bare'), 'target ≥ 0.85'],
    ['gateway (100% sampled) / bare Node proxy', ratio('gatewayFull', 'bare'), 'target ≥ 0.85'],
    ['gateway (default sampler) / stock @fastify/http-proxy', ratio('gateway', 'stock'), 'what the gateway\'s features cost'],
    ['stock @fastify/http-proxy / bare Node proxy', ratio('stock', 'bare'), 'reference: the ceiling of a Fastify gateway'],
    ['bare Node proxy / nginx', ratio('bare', 'nginx'), nginx ? 'reference' : 'nginx not installed'],
    ['GET /api/me via gateway / direct', ratio('catalogGateway', 'catalogDirect'), 'reference (search via gateway / direct: `npm run bench:search`)'],
    // the proxy process is the bottleneck of this closed loop (one core), so req/s ∝ 1 / its CPU per
    // request; unlike req/s, CPU per request hardly moves when other users load the machine
    ['bare proxy CPU / gateway (default sampler) CPU, per request', cpuRatio('bare', 'gateway'), 'the req/s ratio a quiet machine would show; target ≥ 0.85'],
    ['bare proxy CPU / stock @fastify/http-proxy CPU, per request', cpuRatio('bare', 'stock'), 'reference'],
  ]

  const nodeVersion = process.version
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()
  const command = `npm run bench:gateway -- --duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS} --threads ${THREADS}`
  const table = [
    '| target | req/s (median) | CPU µs/req of the serving process(es) (median) | p50 ms | p99 ms | non-2xx / socket errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...[...summary.values()].map((s) => `| ${s.label} | ${s.rps.toFixed(0)} | ${s.cpu.toFixed(1)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.bad} |`),
    '',
    '| ratio | value | |',
    '|---|---:|---|',
    ...ratios.map(([name, v, note]) => `| ${name} | ${Number.isFinite(v) ? v.toFixed(3) : 'n/a'} | ${note} |`),
  ].join('\n')
  const d = (k: 'published' | 'dropped' | 'limited' | 'verified') => after.gateway[k]! - before.gateway[k]! + (after.gatewayFull[k]! - before.gatewayFull[k]!)
  const facts = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${nproc} CPUs (${cpu}), ${process.platform} ${process.arch}, Node ${nodeVersion}, ${spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'wrk'}${nginx ? `, ${spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim()}` : ', nginx not installed'}`,
    `- command: \`${command}\` (${ROUNDS} interleaved rounds of ${DURATION} s per target after a ${WARMUP} s warm-up; wrk -t${THREADS} -c${CONNECTIONS}; medians)`,
    `- during the measured rounds the gateways published ${d('published')} access-log events (dropped ${d('dropped')}), refused ${d('limited')} requests by rate limit, verified ${d('verified')} tokens with firebase-admin (the rest were cache hits); the OTLP sink received ${otlp.requests - otlpBefore.requests} trace exports (${((otlp.bytes - otlpBefore.bytes) / 1e6).toFixed(1)} MB) from the gateways and mentor-catalog; ≈${Math.round(gatewayRequests)} requests went through the two gateways in those rounds`,
  ].join('\n')
  say('')
  say(table)
  say('')
  say(facts)

  if (opts.write) {
    const file = join(HERE, 'RESULTS.md')
    const previous = (() => {
      try {
        return readFileSync(file, 'utf8')
      } catch {
        return ''
      }
    })()
    const marker = '<!-- latest run -->'
    const notes = previous.includes(marker) ? previous.slice(0, previous.indexOf(marker)) : defaultNotes()
    writeFileSync(file, `${notes}${marker}\n## Latest run\n\n${facts}\n\n${table}\n`)
    say(`\nwritten to ${file}`)
  }
  say(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`)
}

function defaultNotes(): string {
  return `# Gateway benchmark

See the top of \`bench/gateway/run.ts\` for what runs where.

`
}

try {
  await main()
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
} finally {
  await stopAll()
}
