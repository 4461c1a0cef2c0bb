// `flock /tmp/sunbae-bench.lock node bench/gateway/cpu.ts` — where the CPU of one proxied request
// goes, per process. Much less sensitive to a busy machine than req/s: for every target, wrk runs a
// bounded load (127.0.0.1, fixed duration and connections) and the CPU time (/proc/<pid>/stat
// utime+stime; wrk's through the shell that reaps it) of every process involved — proxy, upstream,
// wrk, nats-server, Postgres, this runner (the OTLP sink) and the whole machine (/proc/stat) — is
// divided by the requests wrk completed. Rounds are interleaved (each round starts one target later)
// and ratios are also given per round (rows of one round ran seconds apart).
//
// Targets: direct upstream, bare Node proxy (with and without the token: `bare-anon`), stock
// @fastify/http-proxy, nginx (if installed) and one gateway per `--gateway name=dir[@KEY=value…]`
// (default: this checkout's gateway; pass an unpacked copy of an older commit for an A/B of two
// versions in one run, or the same dir with an env change to price one feature). Every row sends the
// SAME request (the Bearer token included; `--no-token-elsewhere` sends it to the gateways only).
//
// Options: --duration <s> (4) --rounds <n> (3) --connections <n> (50) --warmup <s> (1)
//          --gateway name=dir[@KEY=value…] (repeatable) --only key,key --sampler <OTEL_TRACES_SAMPLER>
//          --no-token-elsewhere --prof <dir> (--cpu-prof of the proxies, one folder each)
//          --syscalls (response headers and syscalls per request of each proxy, strace -c, once)
//          --top (the five busiest processes of the machine during each run: who else is loading it)
//          --paths <n> (1: every request is GET /api/bench/item; n > 1: wrk cycles through n paths
//          /api/bench/item/<i>, so per-path caches — the gateway's identity bindings — miss)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { createEmulatorUser } from '@sunbae/testing'
import { startEmulators, type Emulators } from '@sunbae/testing/emulators'
import { nginxBinary, startNginx } from './nginx.ts'
import { UPSTREAM_BODY } from './upstream.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '1' },
    gateway: { type: 'string', multiple: true },
    only: { type: 'string' },
    sampler: { type: 'string' },
    prof: { type: 'string' },
    'no-token-elsewhere': { type: 'boolean', default: false },
    /** print each target's response headers and count the proxy's syscalls per request (strace -c) once */
    syscalls: { type: 'boolean', default: false },
    /** print, per run, the five processes of the machine that used the most CPU (who else is busy) */
    top: { type: 'boolean', default: false },
    paths: { type: 'string', default: '1' },
  },
})
const PATHS = Number(args.paths)
const DURATION = Number(args.duration)
const ROUNDS = Number(args.rounds)
const CONNECTIONS = Number(args.connections)
const WARMUP = Number(args.warmup)
const BASE = Number(process.env.BENCH_PORT_BASE ?? 18200)
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)

const say = (msg = '') => process.stdout.write(`${msg}\n`)
const logDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-cpu-'))
/** wrk script for --paths: request i goes to <url's path>/<i mod n> */
const pathsScript = join(logDir, 'paths.lua')
writeFileSync(pathsScript, `local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(nil, wrk.path .. "/" .. (i % ${PATHS}))\nend\n`)
const children: ChildProcess[] = []
let emulators: Emulators | null = null
let sink: Server | null = null

function start(name: string, cmd: string, argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  const log = openSync(join(logDir, `${name}.log`), 'a')
  const child = spawn(cmd, argv, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', log, log] })
  closeSync(log)
  children.push(child)
  return child
}

async function stopAll(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  const deadline = Date.now() + 8_000
  while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(50)
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await emulators?.stop()
  sink?.close()
}

async function waitHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return
    } catch {
      // not yet
    }
    await sleep(150)
  }
  throw new Error(`${url} did not become ready; logs in ${logDir}`)
}

/** utime+stime in µs of a process (and, with `children`, of its reaped children) */
function cpuUs(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields after the name start at field 3: utime is 14, stime 15, cutime 16, cstime 17
    const t = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0)
    return t * TICK_US
  } catch {
    return 0
  }
}

/** busy CPU µs of the whole machine (all cores), from /proc/stat */
function machineBusyUs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal
  return (line[0]! + line[1]! + line[2]! + line[5]! + line[6]! + line[7]!) * TICK_US
}

/** pid → CPU µs and a short command line, for every process of the machine */
function allProcessesCpu(): Map<number, { cpu: number; name: string }> {
  const out = new Map<number, { cpu: number; name: string }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    const cpu = cpuUs(pid)
    if (cpu === 0) continue
    let name = ''
    try {
      name = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => a.replace(/.*\//, '')).join(' ').slice(0, 60)
    } catch {
      continue
    }
    out.set(pid, { cpu, name })
  }
  return out
}

function pidsOf(name: string): number[] {
  const r = spawnSync('pgrep', ['-x', name], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

interface Target {
  key: string
  url: string
  headers: Record<string, string>
  /** the proxy process(es) of this row */
  pids: () => number[]
}

/** every request wrk completed per target, warm-ups included (to read `--prof` profiles per request) */
const served = new Map<string, number>()

interface Sample {
  requests: number
  rps: number
  perProcess: Record<string, number>
}

async function wrkRun(t: Target, seconds: number, watched: Record<string, () => number[]>): Promise<Sample> {
  const argv = ['-t', '1', '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '5s']
  if (PATHS > 1) argv.push('-s', pathsScript)
  for (const [k, v] of Object.entries(t.headers)) argv.push('-H', `${k}: ${v}`)
  argv.push(t.url)
  const before: Record<string, number> = {}
  const measure = () => {
    const out: Record<string, number> = {}
    for (const [name, pids] of Object.entries(watched)) out[name] = pids().reduce((a, p) => a + cpuUs(p), 0)
    out.machine = machineBusyUs()
    return out
  }
  Object.assign(before, measure())
  const allBefore = args.top ? allProcessesCpu() : null
  // sh reaps wrk, then prints its own stat: cutime/cstime are wrk's CPU
  const child = spawn('sh', ['-c', 'wrk "$@"; s=$?; echo; echo "STAT $(cat /proc/$$/stat)"; exit $s', 'sh', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (out += d))
  const code = await new Promise<number | null>((res) => child.once('exit', res))
  const after = measure()
  if (allBefore) {
    const allAfter = allProcessesCpu()
    const top = [...allAfter].map(([p, v]) => [p, v.cpu - (allBefore.get(p)?.cpu ?? 0), v.name] as const).sort((a, b) => b[1] - a[1]).slice(0, 5)
    say(`   top during ${t.key}: ${top.map(([p, d, n]) => `${n}(${p}) ${(d / 1000).toFixed(0)} ms`).join(', ')}`)
  }
  if (code !== 0) throw new Error(`wrk failed: ${out}`)
  const requests = Number(/(\d+) requests in/.exec(out)?.[1])
  served.set(t.key, (served.get(t.key) ?? 0) + requests)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  if (bad) throw new Error(`${t.key}: ${bad[1]} non-2xx responses`)
  const stat = /STAT (.*)/.exec(out)![1]!
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const perProcess: Record<string, number> = {}
  for (const k of Object.keys(watched)) perProcess[k] = (after[k]! - before[k]!) / requests
  perProcess.wrk = ((Number(f[13]) + Number(f[14])) * TICK_US) / requests
  perProcess.machine = (after.machine! - before.machine!) / requests
  return { requests, rps, perProcess }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function main(): Promise<void> {
  const gateways = (args.gateway?.length ? args.gateway : [`gateway=${join(ROOT, 'gateway')}`]).map((g) => {
    // name=dir[@KEY=value…]: extra environment for this gateway (e.g. to price one feature by turning it off)
    const [head, ...env] = g.split('@') as [string, ...string[]]
    const [name, dir] = head.split('=') as [string, string]
    return { name, dir: resolve(dir), env: Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) }
  })
  emulators = await startEmulators({ auth: true, firestore: false, logDir, log: () => {} })
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulators.env.FIREBASE_AUTH_EMULATOR_HOST
  process.env.GCLOUD_PROJECT = emulators.env.GCLOUD_PROJECT
  const user = await createEmulatorUser({ displayName: 'Bench User' })
  const bearer = { authorization: `Bearer ${user.idToken}` }
  const elsewhere = args['no-token-elsewhere'] ? {} : bearer

  sink = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.end())
  })
  await new Promise<void>((r) => sink!.listen(BASE + 9, '127.0.0.1', r))

  const node = process.execPath
  const up = `http://127.0.0.1:${BASE + 1}`
  const profile = (name: string) => (args.prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args.prof, name)}`] : [])
  const upstream = start('upstream', node, [join(HERE, 'upstream.ts'), String(BASE + 1)])
  const bare = start('bare', node, [...profile('bare'), join(HERE, 'bare-proxy.ts'), String(BASE + 2), up])
  const stock = start('stock', node, [...profile('stock'), join(HERE, 'stock-proxy.ts'), String(BASE + 3), up])
  const nginxBin = nginxBinary()
  const nginx = nginxBin ? startNginx(nginxBin, BASE + 4, up).child : null
  if (nginx) children.push(nginx)
  const secret = randomBytes(32).toString('base64url')
  const gw = gateways.map((g, i) => {
    const port = BASE + 10 + i
    const child = start(g.name, node, [...profile(g.name), '--import', '@sunbae/telemetry/register', 'src/server.ts'], {
      cwd: g.dir,
      env: {
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        NATS_URL,
        IDENTITY_SECRET: secret,
        OTEL_SERVICE_NAME: 'gateway',
        OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${BASE + 9}`,
        ...(args.sampler ? { OTEL_TRACES_SAMPLER: args.sampler } : {}),
        FIREBASE_AUTH_EMULATOR_HOST: emulators!.env.FIREBASE_AUTH_EMULATOR_HOST!,
        FIREBASE_PROJECT_ID: emulators!.env.FIREBASE_PROJECT_ID,
        GCLOUD_PROJECT: emulators!.env.GCLOUD_PROJECT,
        GATEWAY_ROUTES: JSON.stringify({ '/api/bench': up }),
        RATE_LIMIT_IP_MAX: '100000000',
        RATE_LIMIT_USER_MAX: '100000000',
        ACCESS_LOG_ENABLED: 'true',
        ...g.env,
      },
    })
    return { ...g, port, child }
  })
  await waitHttp(`${up}/`)
  await waitHttp(`http://127.0.0.1:${BASE + 2}/`)
  await waitHttp(`http://127.0.0.1:${BASE + 3}/api/bench/`)
  if (nginx) await waitHttp(`http://127.0.0.1:${BASE + 4}/`)
  for (const g of gw) await waitHttp(`http://127.0.0.1:${g.port}/readyz`)

  const path = '/api/bench/item'
  const one = (c: ChildProcess) => () => [c.pid!]
  let targets: Target[] = [
    { key: 'direct', url: `${up}${path}`, headers: elsewhere, pids: () => [] },
    { key: 'bare', url: `http://127.0.0.1:${BASE + 2}${path}`, headers: elsewhere, pids: one(bare) },
    // the bare proxy without the token: what the Authorization header alone costs a plain proxy
    { key: 'bare-anon', url: `http://127.0.0.1:${BASE + 2}${path}`, headers: {}, pids: one(bare) },
    { key: 'stock', url: `http://127.0.0.1:${BASE + 3}${path}`, headers: elsewhere, pids: one(stock) },
    ...(nginx ? [{ key: 'nginx', url: `http://127.0.0.1:${BASE + 4}${path}`, headers: elsewhere, pids: () => pidsOf('nginx').filter((p) => p !== nginx.pid && readFileSync(`/proc/${p}/stat`, 'utf8').split(' ')[3] === String(nginx.pid)) }] : []),
    ...gw.map((g) => ({ key: g.name, url: `http://127.0.0.1:${g.port}${path}`, headers: bearer, pids: one(g.child) })),
  ]
  if (args.only) targets = targets.filter((t) => args.only!.split(',').includes(t.key))
  for (const t of targets) {
    const res = await fetch(t.url, { headers: t.headers })
    const text = await res.text()
    if (res.status !== 200 || text !== UPSTREAM_BODY) throw new Error(`${t.key}: ${res.status} ${text.slice(0, 200)}`)
  }
  const anon = await fetch(`http://127.0.0.1:${gw[0]!.port}${path}`)
  if (anon.status !== 401) throw new Error(`gateway answered ${anon.status} without a token`)

  const proxyCpu = (t: Target) => t.pids()
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.key, []]))
  const watchedFor = (t: Target): Record<string, () => number[]> => ({
    proxy: () => proxyCpu(t),
    upstream: () => [upstream.pid!],
    'nats-server': () => pidsOf('nats-server'),
    postgres: () => pidsOf('postgres'),
    runner: () => [process.pid],
  })
  say(`logs: ${logDir}`)
  for (const t of targets) await wrkRun(t, WARMUP, watchedFor(t))
  if (args.syscalls) {
    for (const t of targets) {
      const res = await fetch(t.url, { headers: t.headers })
      await res.text()
      say(`== ${t.key}: ${[...res.headers].map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 60)}…` : v}`).join(' | ')}`)
      const pids = t.pids()
      if (pids.length === 0) continue
      const st = spawn('strace', ['-c', '-f', '-o', join(logDir, `strace-${t.key}.txt`), ...pids.flatMap((p) => ['-p', String(p)])], { stdio: 'ignore' })
      await sleep(500)
      const s = await wrkRun(t, 3, watchedFor(t))
      st.kill('SIGINT')
      await new Promise((r) => st.once('exit', r))
      const lines = readFileSync(join(logDir, `strace-${t.key}.txt`), 'utf8').split('\n').filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+/.test(l))
      const calls = lines.map((l) => l.trim().split(/\s+/)).map((f) => [f[f.length - 1]!, Number(f[3])] as const).sort((a, b) => b[1] - a[1])
      say(`   syscalls per request (${s.requests} requests): ${calls.slice(0, 10).map(([n, c]) => `${n} ${(c / s.requests).toFixed(2)}`).join(', ')}`)
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
    for (const t of order) {
      const s = await wrkRun(t, DURATION, watchedFor(t))
      samples.get(t.key)!.push(s)
      const others = s.perProcess.machine! - Object.entries(s.perProcess).reduce((a, [k, v]) => (k === 'machine' ? a : a + v), 0)
      say(`r${round + 1} ${t.key.padEnd(10)} ${s.rps.toFixed(0).padStart(6)} req/s  ${Object.entries(s.perProcess).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  ')}  (others ${others.toFixed(0)})`)
    }
  }
  say(`requests per target, warm-ups included: ${targets.map((t) => `${t.key} ${served.get(t.key) ?? 0}`).join(', ')}`)
  const cols = ['proxy', 'upstream', 'wrk', 'nats-server', 'postgres', 'runner', 'machine']
  say('')
  say(`CPU µs per request, medians of ${ROUNDS} rounds (wrk -t1 -c${CONNECTIONS}, ${DURATION} s${PATHS > 1 ? `, ${PATHS} paths` : ""}; "machine" = all busy CPU incl. other users)`)
  say(`| target | req/s | ${cols.join(' | ')} | ours (proxy+upstream+wrk) |`)
  say(`|---|---:|${cols.map(() => '---:').join('|')}|---:|`)
  for (const t of targets) {
    const ss = samples.get(t.key)!
    const m = (k: string) => median(ss.map((s) => s.perProcess[k]!))
    const ours = median(ss.map((s) => s.perProcess.proxy! + s.perProcess.upstream! + s.perProcess.wrk!))
    say(`| ${t.key} | ${median(ss.map((s) => s.rps)).toFixed(0)} | ${cols.map((c) => m(c).toFixed(1)).join(' | ')} | ${ours.toFixed(1)} |`)
  }
  // paired per round (the rows of one round ran within seconds of each other): robust to load drifting
  say('')
  say('proxy CPU per request relative to the bare proxy, per round (median; min–max):')
  const ref = samples.get('bare')
  if (ref) {
    for (const t of targets) {
      if (t.key === 'bare' || t.key === 'direct') continue
      const rs = samples.get(t.key)!.map((s, i) => s.perProcess.proxy! / ref[i]!.perProcess.proxy!)
      const rps = samples.get(t.key)!.map((s, i) => s.rps / ref[i]!.rps)
      say(`  ${t.key.padEnd(10)} CPU ×${median(rs).toFixed(3)} (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})  →  bare/this ${(1 / median(rs)).toFixed(3)};  req/s ratio ${median(rps).toFixed(3)} (${Math.min(...rps).toFixed(2)}–${Math.max(...rps).toFixed(2)})`)
    }
  }
  const gws = targets.filter((t) => gw.some((g) => g.name === t.key))
  if (gws.length > 1) {
    const first = samples.get(gws[0]!.key)!
    say(`gateway proxy CPU per request relative to ${gws[0]!.key}, per round (median; min–max):`)
    for (const t of gws.slice(1)) {
      const rs = samples.get(t.key)!.map((s, i) => s.perProcess.proxy! / first[i]!.perProcess.proxy!)
      say(`  ${t.key.padEnd(10)} ×${median(rs).toFixed(3)} (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)}): ${rs.map((r) => r.toFixed(2)).join(' ')}`)
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stopAll().then(() => process.exit(130)))
try {
  await main()
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
} finally {
  await stopAll()
}
