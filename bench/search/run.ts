// `npm run bench:search` — mentor search at 100,000 mentors, on this machine, 127.0.0.1 only.
//
// 1. generates N mentors with ../shared/data/gen_mentors.py (cached in the temp dir);
// 2. sets up a database of its own (default sunbae_bench_search), empties mentor-catalog's tables
//    and imports the file with the real import CLI (services/mentor-catalog/src/cli/import-mentors.ts:
//    approved mentors + one catalog.mentor.approved per mentor through the outbox) — import rate;
// 3. starts mentor-catalog and the gateway as production starts them — the node arguments of each
//    package's `npm start` script (`node [V8 flags] --import @sunbae/telemetry/register src/server.ts`),
//    NODE_ENV=development (production adds only start-up checks: see below), tracking on (the gateway's access log and the service's telemetry.search
//    event per search) — index build time, the outbox relay's pace and the service's memory, after
//    the import's events were replayed;
// 4. load-tests with wrk (bounded: fixed duration, fixed connections), interleaved rounds, medians:
//    a rotating mix of English, Korean and two-word searches, and a plain list page, each through
//    the gateway and straight to the service.
//
// Options: --n <mentors> (100000) --duration <s> (10) --rounds <n> (3) --connections <n> (50)
//          --warmup <s> (3) --no-write (leave RESULTS.md alone) --skip-import (reuse the database)
//          --only <target,…> (e.g. "search direct"; default all four) --no-diag (no CPU/GC sampling)
// Both processes are started with ./diag.ts preloaded (unless --no-diag): it samples CPU time, GC
// pauses and event-loop delay every 250 ms, from which each run's CPU µs per request and GC figures
// come (the sampler itself costs nothing per request).
// Env: DATABASE_URL (admin URL; database replaced by sunbae_bench_search), NATS_URL, BENCH_PORT_BASE (18200).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { migrateAll, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { identityKey } from '@sunbae/service-kit/identity'
import { benchOptions } from '../lib/options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))
const opts = benchOptions({
  numbers: { n: [100_000, 1, 1_000_000], duration: [10, 1, 300], rounds: [3, 1, 20], connections: [50, 1, 1000], warmup: [3, 0, 60] },
  flags: ['skip-import', 'no-diag'],
  text: ['only'],
})
const DIAG = !opts['no-diag']
const { n: N, duration: DURATION, rounds: ROUNDS, connections: CONNECTIONS, warmup: WARMUP } = opts
const BASE = Number(process.env.BENCH_PORT_BASE ?? 18200)
const PORT = { catalog: BASE + 1, gateway: BASE + 2 }
const ADMIN_URL = withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae', 'sunbae_bench_search')
const SERVICE_URL = serviceDatabaseUrl(ADMIN_URL, 'mentor_catalog')
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const IDENTITY_SECRET = randomBytes(32).toString('base64url')
const node = process.execPath
const logDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-search-'))
const say = (msg = '') => process.stdout.write(`${msg}\n`)

const OFFLINE = {
  METADATA_SERVER_DETECTION: 'none',
  CI: 'true',
  NO_UPDATE_NOTIFIER: '1',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
}

/** Knobs worth comparing runs with (e.g. NODE_OPTIONS=--max-semi-space-size=64, LOG_REQUESTS=true). */
const PASS_THROUGH = Object.fromEntries(
  ['NODE_OPTIONS', 'LOG_REQUESTS', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
)

/** node's arguments from the package's `npm start` script (`node <flags> src/server.ts`): started exactly as production starts it. */
function startArgs(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { scripts?: { start?: string } }
  const [cmd, ...argv] = (pkg.scripts?.start ?? '').trim().split(/\s+/)
  if (cmd !== 'node' || !argv.includes('src/server.ts')) throw new Error(`${dir}/package.json: expected "start": "node … src/server.ts"`)
  return argv
}

const children: { name: string; child: ChildProcess; log: string; diag: string }[] = []
function start(name: string, cwd: string, argv: string[], env: Record<string, string>): ChildProcess {
  const log = join(logDir, `${name}.log`)
  const diag = join(logDir, `${name}.diag.jsonl`)
  const fd = openSync(log, 'a')
  const child = spawn(node, [...(DIAG ? ['--import', join(HERE, 'diag.ts')] : []), ...argv], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...OFFLINE, ...PASS_THROUGH, ...env, ...(DIAG ? { BENCH_DIAG_FILE: diag } : {}) },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  children.push({ name, child, log, diag })
  return child
}

/** One line of diag.ts */
interface DiagLine {
  t: number
  cpuUs: number
  minor: number
  minorMs: number
  major: number
  majorMs: number
  maxPauseMs: number
  loopMaxMs: number
  heapMiB: number
}
interface ProcStats {
  cpuUsPerReq: number
  minorPerKReq: number
  major: number
  majorMs: number
  maxPauseMs: number
  loopMaxMs: number
}
/** A process's figures over [t0, t1] (diag lines bracketing the run), per request of the run. */
function procStats(name: string, t0: number, t1: number, requests: number): ProcStats | null {
  const c = children.find((x) => x.name === name)
  if (!DIAG || !c || !existsSync(c.diag)) return null
  const lines = readFileSync(c.diag, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DiagLine)
  const before = lines.filter((l) => l.t <= t0).at(-1)
  const inside = lines.filter((l) => l.t > t0 && l.t <= t1 + 300)
  const after = inside.at(-1)
  if (!before || !after || requests <= 0) return null
  return {
    cpuUsPerReq: (after.cpuUs - before.cpuUs) / requests,
    minorPerKReq: ((after.minor - before.minor) * 1000) / requests,
    major: after.major - before.major,
    majorMs: after.majorMs - before.majorMs,
    maxPauseMs: Math.max(0, ...inside.map((l) => l.maxPauseMs)),
    loopMaxMs: Math.max(0, ...inside.map((l) => l.loopMaxMs)),
  }
}
async function stopAll(): Promise<void> {
  for (const { child } of [...children].reverse()) if (child.exitCode === null) child.kill('SIGTERM')
  const deadline = Date.now() + 10_000
  while (children.some((c) => c.child.exitCode === null && c.child.signalCode === null) && Date.now() < deadline) await sleep(100)
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)))

async function waitReady(url: string, timeoutMs = 180_000): Promise<number> {
  const t0 = Date.now()
  while (Date.now() - t0 < timeoutMs) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return Date.now() - t0
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (logs in ${logDir})`)
}

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

interface WrkResult {
  rps: number
  p50: number
  p99: number
  non2xx: number
  requests: number
  t0: number
  t1: number
}
const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1)
function wrk(url: string, seconds: number, script?: string): Promise<WrkResult> {
  const argv = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '5s', ...(script ? ['-s', script] : []), url]
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const child = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout!.on('data', (d: Buffer) => (out += d))
    child.stderr!.on('data', (d: Buffer) => (out += d))
    child.on('exit', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
      const p = (q: string) => {
        const m = new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`).exec(out)
        return m ? ms(m[1]!, m[2]!) : NaN
      }
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
      const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN)
      if (!Number.isFinite(rps)) return reject(new Error(`could not read wrk's output:\n${out}`))
      resolve({ rps, p50: p('50'), p99: p('99'), non2xx, requests, t0, t1: Date.now() })
    })
  })
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  if (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).error) throw new Error('wrk is not installed: apt-get install -y wrk')

  // 1. data
  const file = join(tmpdir(), `sunbae-mentors-${N}.jsonl`)
  if (!existsSync(file)) {
    say(`generating ${N} mentors → ${file}`)
    const gen = spawnSync('python3', [join(ROOT, '..', 'shared', 'data', 'gen_mentors.py'), String(N), file], { stdio: 'inherit' })
    if (gen.status !== 0) throw new Error('gen_mentors.py failed')
  }

  // 2. database + import
  await setupDatabase({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['mentor-catalog'] })
  await migrateAll({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['mentor-catalog'] })
  const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 })
  let importSeconds: number | null = null
  if (!opts['skip-import']) {
    await admin.query('truncate mentor_catalog.mentors, mentor_catalog.outbox cascade')
    say(`importing ${N} mentors with services/mentor-catalog/src/cli/import-mentors.ts`)
    const t0 = performance.now()
    const imp = spawnSync(node, ['src/cli/import-mentors.ts', file], {
      cwd: join(ROOT, 'services/mentor-catalog'),
      env: { ...process.env, ...OFFLINE, DATABASE_URL: SERVICE_URL },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    if (imp.status !== 0) throw new Error('import failed')
    importSeconds = (performance.now() - t0) / 1000
    say(`imported in ${importSeconds.toFixed(1)} s (${Math.round(N / importSeconds)} mentors/s, process start included)`)
  }
  const { rows } = await admin.query<{ n: string }>(`select count(*) as n from mentor_catalog.mentors where status = 'active'`)
  const mentors = Number(rows[0]!.n)

  // 3. services, as production runs them
  // not NODE_ENV=production: it adds only start-up checks (a NATS user seed per process, no demo secrets such as the bench database's password), which the bench's NATS and database cannot pass; the code that runs is the same
  const common = { NODE_ENV: 'development', HOST: '127.0.0.1', NATS_URL, LOG_LEVEL: 'info' }
  const catalogStartedAt = Date.now()
  const catalog = start('mentor-catalog', join(ROOT, 'services/mentor-catalog'), startArgs('services/mentor-catalog'), {
    ...common,
    PORT: String(PORT.catalog),
    DATABASE_URL: SERVICE_URL,
    OTEL_SERVICE_NAME: 'mentor-catalog',
    // production: the service holds only its own identity key, the gateway the secret it derives from
    IDENTITY_KEY: identityKey(IDENTITY_SECRET, 'mentor-catalog'),
  })
  start('gateway', join(ROOT, 'gateway'), startArgs('gateway'), {
    ...common,
    PORT: String(PORT.gateway),
    OTEL_SERVICE_NAME: 'gateway',
    IDENTITY_SECRET,
    // a real-looking project: production refuses demo-* ones; no token is verified (public route), so Google is never called
    FIREBASE_PROJECT_ID: 'sunbae-bench',
    MENTOR_CATALOG_URL: `http://127.0.0.1:${PORT.catalog}`,
    // on, but far above what one client sends in a run: every request counted, none refused
    RATE_LIMIT_IP_MAX: '100000000',
    RATE_LIMIT_USER_MAX: '100000000',
    ACCESS_LOG_ENABLED: 'true',
  })
  const readyMs = await waitReady(`http://127.0.0.1:${PORT.catalog}/readyz`)
  await waitReady(`http://127.0.0.1:${PORT.gateway}/readyz`)
  const readyLine = readFileSync(children[0]!.log, 'utf8').split('\n').find((l) => l.includes('search index ready'))
  const buildMs = readyLine ? (JSON.parse(readyLine) as { buildMs: number }).buildMs : NaN
  // the import's approvals are published by the relay now and replayed by the index: wait for both
  for (;;) {
    const { rows: left } = await admin.query<{ n: string }>('select count(*) as n from mentor_catalog.outbox where published_at is null')
    if (Number(left[0]!.n) === 0) break
    await sleep(500)
  }
  // the relay's pace: first to last publish of this start's batch (none with --skip-import)
  const { rows: relayRows } = await admin.query<{ n: string; secs: string | null }>(
    `select count(*) as n, extract(epoch from max(published_at) - min(published_at)) as secs
     from mentor_catalog.outbox where published_at >= now() - make_interval(secs => $1)`,
    [(Date.now() - catalogStartedAt) / 1000],
  )
  const relayed = Number(relayRows[0]!.n)
  const relaySecs = Number(relayRows[0]!.secs ?? 0)
  const relayLine = relayed > 0 ? `${relayed} events in ${relaySecs.toFixed(1)} s (${Math.round(relayed / Math.max(relaySecs, 0.001))} events/s)` : 'nothing to publish'
  say(`outbox relay: ${relayLine}`)
  await sleep(5_000)
  const rss = rssMiB(catalog.pid!)
  say(`mentor-catalog ready in ${readyMs} ms (index ${buildMs} ms for ${mentors} mentors), RSS ${rss} MiB after replaying the import's events`)
  await admin.end()

  // 4. load
  const script = join(HERE, 'queries.lua')
  const only = opts.text.only ? new Set(opts.text.only.split(',').map((x) => x.trim())) : null
  const targets = [
    { name: 'search via gateway', url: `http://127.0.0.1:${PORT.gateway}`, script, procs: ['mentor-catalog', 'gateway'] },
    { name: 'list via gateway', url: `http://127.0.0.1:${PORT.gateway}/api/mentors?page=2`, procs: ['mentor-catalog', 'gateway'] },
    { name: 'search direct', url: `http://127.0.0.1:${PORT.catalog}`, script, procs: ['mentor-catalog'] },
    { name: 'list direct', url: `http://127.0.0.1:${PORT.catalog}/api/mentors?page=2`, procs: ['mentor-catalog'] },
  ].filter((tg) => !only || only.has(tg.name))
  if (targets.length === 0) throw new Error(`--only matched no target`)
  for (const tg of targets) await wrk(tg.url, WARMUP, tg.script)
  const results = new Map<string, WrkResult[]>(targets.map((tg) => [tg.name, []]))
  const stats = new Map<string, Map<string, ProcStats[]>>(targets.map((tg) => [tg.name, new Map(tg.procs.map((p) => [p, []]))]))
  for (let round = 1; round <= ROUNDS; round++) {
    for (const tg of targets) {
      const r = await wrk(tg.url, DURATION, tg.script)
      results.get(tg.name)!.push(r)
      // the sampler's line after the run
      if (DIAG) await sleep(300)
      const figures: string[] = []
      for (const p of tg.procs) {
        const st = procStats(p, r.t0, r.t1, r.requests)
        if (!st) continue
        stats.get(tg.name)!.get(p)!.push(st)
        figures.push(
          `${p === 'gateway' ? 'gw' : 'svc'} ${st.cpuUsPerReq.toFixed(0)} µs/req, ${st.minorPerKReq.toFixed(1)} scav/kreq, ${st.major} mark-compact (${st.majorMs.toFixed(0)} ms), max GC ${st.maxPauseMs.toFixed(1)} ms, max loop delay ${st.loopMaxMs.toFixed(0)} ms`,
        )
      }
      say(
        `round ${round} ${tg.name.padEnd(20)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.non2xx ? `  NON-2XX ${r.non2xx}` : ''}` +
          (figures.length ? `  [${figures.join('; ')}]` : ''),
      )
    }
  }
  const rssAfter = rssMiB(catalog.pid!)
  await stopAll()

  const row = (name: string) => {
    const rs = results.get(name)!
    return `| ${name} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${median(rs.map((r) => r.p50)).toFixed(2)} | ${median(rs.map((r) => r.p99)).toFixed(2)} | ${rs.reduce((a, r) => a + r.non2xx, 0)} |`
  }
  const diagRow = (name: string, proc: string) => {
    const ss = stats.get(name)?.get(proc) ?? []
    if (ss.length === 0) return null
    return `| ${name} | ${proc} | ${median(ss.map((s) => s.cpuUsPerReq)).toFixed(0)} | ${median(ss.map((s) => s.minorPerKReq)).toFixed(1)} | ${ss.reduce((a, s) => a + s.major, 0)} (${ss.reduce((a, s) => a + s.majorMs, 0).toFixed(0)} ms) | ${Math.max(...ss.map((s) => s.maxPauseMs)).toFixed(1)} | ${Math.max(...ss.map((s) => s.loopMaxMs)).toFixed(0)} |`
  }
  const diagRows = targets.flatMap((tg) => tg.procs.map((p) => diagRow(tg.name, p)).filter((x): x is string => x !== null))
  const nproc = cpus().length
  const report = [
    '# bench/search — results',
    '',
    `Command: \`npm run bench:search -- --n ${N} --duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS}\` (written by bench/search/run.ts on ${new Date().toISOString().slice(0, 10)})`,
    '',
    `- machine: ${nproc} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; wrk, mentor-catalog, the gateway, Postgres and NATS all share these CPUs`,
    `- data: ${mentors} active mentors from gen_mentors.py; tracking on (gateway access log + one telemetry.search event per search)`,
    `- import (services/mentor-catalog/src/cli/import-mentors.ts, outbox events included): ${importSeconds ? `${importSeconds.toFixed(1)} s → ${Math.round(N / importSeconds)} mentors/s` : 'skipped (--skip-import)'}`,
    `- outbox relay of the running service (packages/bus/src/outbox.ts), first to last publish: ${relayLine}`,
    `- index build at start (stream ${mentors} rows from Postgres + index): ${buildMs} ms; process start to /readyz: ${readyMs} ms`,
    `- mentor-catalog RSS: ${rss} MiB after start and replaying the import's ${mentors} approval events; ${rssAfter} MiB after the load`,
    '',
    `wrk -t1 -c${CONNECTIONS}, ${DURATION} s per run, ${ROUNDS} interleaved rounds after a ${WARMUP} s warm-up each; medians of the rounds.`,
    'Search mix (bench/search/queries.lua): Korean (면접, 이직, 취업, 데이터 분석, …), English (python, ux, react, …), two-word (면접 이직, python django, ux 리서치, …), a few with filters or sorts, pages 1–3.',
    '',
    '| target | req/s | p50 ms | p99 ms | non-2xx |',
    '|---|---:|---:|---:|---:|',
    ...targets.map((tg) => row(tg.name)),
    '',
    ...(diagRows.length
      ? [
          'Per process (bench/search/diag.ts sampling CPU time, GC and event-loop delay every 250 ms): CPU µs per request and scavenges per 1,000 requests are medians of the rounds; mark-compacts are summed over the rounds; the pauses are the worst seen.',
          '',
          '| target | process | CPU µs/req | scavenges/1k req | mark-compacts (total pause) | worst GC pause ms | worst event-loop delay ms |',
          '|---|---|---:|---:|---:|---:|---:|',
          ...diagRows,
          '',
        ]
      : []),
  ].join('\n')
  say('')
  say(report)
  if (opts.write) writeFileSync(join(HERE, 'RESULTS.md'), report)
}

main().catch(async (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\nlogs: ${logDir}\n`)
  await stopAll()
  process.exit(1)
})
