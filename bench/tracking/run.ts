// `npm run bench:tracking` — what tracking costs and how fast it ingests, in one run on this machine.
//
// 1. A private NATS (fresh JetStream store) and a database of its own (sunbae_bench_tracking).
// 2. Write statement: the same access-log rows written by one connection with the service's two
//    methods — COPY (default) and INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING (the
//    former path) — 5,000 rows per statement, with the Postgres backend's and this process' CPU per row.
// 3. Ingestion, old vs new in one run: --ingest-rounds rounds, each one tracking process per method
//    (TRACKING_INSERT_METHOD=insert / copy, alternating which goes first). Every run: an emptied
//    stream and table, N access-log events published into the TELEMETRY stream — as the gateway ships
//    them (ACCESS_LOG_MESSAGE), at most --per-message records per AccessLogBatchV1 message (1 = one event per message on
//    telemetry.access) — then tracking started as production starts it, fresh durables; the rate is
//    measured from the first committed row until every message is acked (acked only after its
//    commit), and the table must then hold exactly N rows. CPU of tracking, Postgres and NATS over
//    the same interval, from /proc. The medians are the figures; COPY's is the ingestion figure.
// 4. Gateway cost of the access log: two gateways (ACCESS_LOG_ENABLED=true / false) proxy a public
//    route to a small upstream; wrk (-c50, bounded) measures them in interleaved rounds; the ratio
//    of the medians is the figure. The events go into the TELEMETRY stream (the JetStream write is
//    part of the cost on this machine); tracking is stopped meanwhile so it does not compete for the
//    two CPUs, and drains them afterwards (reported too).
//
// Options: --events <n> (300000) --per-message <n> (500) --ingest-rounds <n> (3) --duration <s> (8)
//          --rounds <n> (3) --connections <n> (50) --ingest-only (skip 4) --no-write (do not touch RESULTS.md;
//          its hand-written notes, from "## Reading these figures" on, are kept when it is rewritten)
// Env: DATABASE_URL (admin URL; the database is replaced by sunbae_bench_tracking). Ports: free ones.
//      BENCH_CPU_PROF=<dir>: the ingesting tracking processes write V8 CPU profiles there.
//      BENCH_LOG_LEVEL: the tracking processes' LOG_LEVEL (warn).
// Wrap it in `flock /tmp/sunbae-bench.lock` on a shared machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { connectBus, publishTelemetry } from '@sunbae/bus'
import { ACCESS_LOG_MESSAGE, STREAMS, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { createDb, ensureDatabase, ownerRole, serviceDatabaseUrl, withDatabase } from './db.ts'
import { cpuBetween, cpuSnapshot, cpuTicks, TICKS, type CpuSnapshot } from './cpu.ts'
import type { InsertMethod } from '@sunbae/tracking/ingest-repository'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'
import { benchOptions } from '../lib/options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))

const opts = benchOptions({
  numbers: { events: [300_000, 1, 10_000_000], 'per-message': [ACCESS_LOG_MESSAGE.maxEvents, 1, 1000], duration: [8, 1, 300], rounds: [3, 1, 20], connections: [50, 1, 1000], 'ingest-rounds': [3, 1, 20] },
  flags: ['ingest-only'],
})
const { events: EVENTS, 'per-message': PER_MESSAGE, duration: DURATION, rounds: ROUNDS, connections: CONNECTIONS, 'ingest-rounds': INGEST_ROUNDS } = opts
const LOAD_AT_START = loadavg()
/** BENCH_CPU_PROF=<dir>: the ingesting tracking processes write V8 CPU profiles there */
const CPU_PROF = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []

/** free loopback ports, chosen at start: other benchmarks on a shared machine hold fixed ones */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address()
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}
const [upstreamPort, onPort, offPort, trackingPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
const PORT = { upstream: upstreamPort, gatewayOn: onPort, gatewayOff: offPort, tracking: trackingPort }
const ADMIN_URL = withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae', 'sunbae_bench_tracking')
const TRACKING_URL = serviceDatabaseUrl(ADMIN_URL, 'tracking')
// The bench's own connections empty tables between rounds (TRUNCATE), which the service's login
// role may not do: they act as the schema's owner, as migrations do.
const BENCH_DB = { connectionString: ADMIN_URL, role: ownerRole('tracking'), schema: 'tracking' }
const IDENTITY_SECRET = randomBytes(32).toString('base64url')
const OFFLINE = { METADATA_SERVER_DETECTION: 'none', CI: 'true', NO_UPDATE_NOTIFIER: '1', OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process' }

const say = (msg = '') => process.stdout.write(`${msg}\n`)
const logDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-tracking-'))
const children: { name: string; child: ChildProcess }[] = []
let nats: PrivateNats | null = null
let stopping = false

function start(name: string, cwd: string, argv: string[], env: Record<string, string>): ChildProcess {
  const log = openSync(join(logDir, `${name}.log`), 'a')
  const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...OFFLINE, ...env }, stdio: ['ignore', log, log] })
  closeSync(log)
  children.push({ name, child })
  child.once('exit', (code, signal) => {
    if (!stopping && !stopped.has(child)) say(`! ${name} exited (code ${code}, signal ${signal}); log: ${join(logDir, `${name}.log`)}`)
  })
  return child
}

const stopped = new WeakSet<ChildProcess>()
async function stop(child: ChildProcess): Promise<void> {
  stopped.add(child)
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(10_000)])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

async function stopAll(): Promise<void> {
  stopping = true
  for (const { child } of [...children].reverse()) await stop(child)
  await nats?.stop()
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stopAll().then(() => process.exit(130)))

async function waitHttp(url: string, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      if (res.ok) return
      last = `status ${res.status}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(150)
  }
  throw new Error(`${what} did not become ready at ${url} (${last}); logs in ${logDir}`)
}

// ---------------------------------------------------------------------------------------------

interface WrkResult {
  rps: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}
const toMs = (text: string) => {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (!m) return NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}
function wrk(url: string, seconds: number): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t', '1', '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '--timeout', '5s', url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk failed (${code}): ${out}`))
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
      resolve({
        rps,
        p50: toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''),
        p99: toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''),
        non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
        errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      })
    })
  })
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

// ---------------------------------------------------------------------------------------------

/** An access-log event shaped like the gateway's: mostly GETs, some POSTs with a (scrubbed) body. */
function accessEvent(i: number, at: number) {
  const post = i % 10 === 0
  return {
    requestId: randomUUID(),
    traceId: randomBytes(16).toString('hex'),
    user: i % 3 === 0 ? null : `uid-${i % 5000}`,
    requestedAt: new Date(at).toISOString(),
    responseMs: Math.round(Math.random() * 50_000) / 1000,
    path: post ? '/api/matching/requests' : `/api/mentors/${randomUUID()}`,
    route: post ? '/api/matching' : '/api/mentors',
    method: post ? 'POST' : 'GET',
    remoteAddr: `10.0.${(i >> 8) & 255}.${i & 255}`,
    host: 'api.sunbae.example',
    queryParams: post ? {} : { page: String(1 + (i % 5)), q: 'python 면접' },
    body: post ? JSON.stringify({ mentorId: randomUUID(), message: '안녕하세요, 멘토링 요청드립니다.', password: '[REDACTED]' }) : null,
    status: i % 50 === 0 ? 500 : i % 20 === 0 ? 404 : 200,
    errors: i % 50 === 0 ? 'INTERNAL' : i % 20 === 0 ? 'NOT_FOUND' : null,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
  }
}

async function countRows(db: ReturnType<typeof createDb>['db']): Promise<number> {
  return Number((await sql<{ n: string }>`select count(*) as n from access_log`.execute(db)).rows[0]!.n)
}

interface StatementFigures {
  rowsPerSec: number
  /** CPU of the Postgres backend per row, µs */
  pgUsPerRow: number
  /** CPU of this process (encoding, protocol) per row, µs */
  nodeUsPerRow: number
}

/**
 * Statement-level comparison of the service's two write methods, one connection, no consumer:
 * 5,000 rows per statement (a batch of 10 gateway messages), with each side's CPU per row.
 */
async function insertStrategies(): Promise<{ copy: StatementFigures; insert: StatementFigures }> {
  const { IngestRepository } = await import('@sunbae/tracking/ingest-repository')
  const { toAccessRow } = await import('@sunbae/tracking/ingest-mappers')
  const { createScrubber } = await import('@sunbae/service-kit/scrub')
  const one = createDb({ ...BENCH_DB, service: 'bench-statements', slowQueryMs: 1e9, poolMax: 1 })
  try {
    const backend = Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(one.db)).rows[0]!.pid)
    const opts = { scrubber: createScrubber(), bodyMax: 4096, cutoff: () => 0 }
    const enc = new TextEncoder()
    const rows = Array.from({ length: 60_000 }, (_, i) => {
      const data = enc.encode(JSON.stringify(accessEvent(i, Date.now() - 1000 - (i % 60_000))))
      return toAccessRow({ data, headers: undefined } as never, opts)!
    })
    const repos = { copy: new IngestRepository(one.db as never, one.pool, 'copy'), insert: new IngestRepository(one.db as never, one.pool, 'insert') }
    const time = async (method: keyof typeof repos): Promise<StatementFigures> => {
      await sql`truncate access_log`.execute(one.db)
      const t0 = performance.now()
      const pg0 = cpuTicks(backend)
      const node0 = process.cpuUsage()
      for (let i = 0; i < rows.length; i += 5000) await repos[method].insertAccess(rows.slice(i, i + 5000))
      const node = process.cpuUsage(node0)
      return {
        rowsPerSec: rows.length / ((performance.now() - t0) / 1000),
        pgUsPerRow: ((cpuTicks(backend) - pg0) / TICKS / rows.length) * 1e6,
        nodeUsPerRow: ((node.user + node.system) / rows.length),
      }
    }
    // twice each, alternating; the better of the two (the first pays for warm-up)
    const runs = { copy: [] as StatementFigures[], insert: [] as StatementFigures[] }
    for (let r = 0; r < 2; r++) for (const m of ['insert', 'copy'] as const) runs[m].push(await time(m))
    await sql`truncate access_log`.execute(one.db)
    const best = (xs: StatementFigures[]) => xs.reduce((a, b) => (b.rowsPerSec > a.rowsPerSec ? b : a))
    return { copy: best(runs.copy), insert: best(runs.insert) }
  } finally {
    await one.close()
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).error) throw new Error('wrk is not installed: apt-get install -y wrk')
  const binary = findNatsServer()
  if (!binary) throw new Error('nats-server not found (the bench runs a private one)')
  nats = await startPrivateNats(binary, join(logDir, 'nats'))
  say(`private NATS ${nats.url}; logs in ${logDir}`)

  ensureDatabase(ADMIN_URL, ROOT)
  // one connection: its backend is left out of the CPU figures
  const database = createDb({ ...BENCH_DB, service: 'bench', slowQueryMs: 1e9, poolMax: 1 })
  const db = database.db
  const benchBackends = new Set([Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid)])
  await sql`truncate access_log, search_events, audit_events, error_reports, slow_queries`.execute(db)

  const trackingEnv = {
    // not NODE_ENV=production: it adds only start-up checks (a NATS user seed per process, no demo secrets such as the bench database's password), which the bench's NATS and database cannot pass; the code that runs is the same
    NODE_ENV: 'development',
    PORT: String(PORT.tracking),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    NATS_URL: nats.url,
    IDENTITY_SECRET,
    DATABASE_URL: TRACKING_URL,
    OTEL_SERVICE_NAME: 'tracking',
  }
  // creates today's partitions (maintenance at start) before the strategy comparison writes
  let tracking = start('tracking-setup', join(ROOT, 'services/tracking'), ['--import', '@sunbae/telemetry/register', 'src/server.ts'], trackingEnv)
  await waitHttp(`http://127.0.0.1:${PORT.tracking}/readyz`, 'tracking')
  await stop(tracking)

  say('\n## write statement, 5,000 rows each, one connection')
  const strategies = await insertStrategies()
  const stmt = (f: StatementFigures) => `${fmt(f.rowsPerSec)} rows/s, Postgres ${f.pgUsPerRow.toFixed(1)} µs CPU/row, Node ${f.nodeUsPerRow.toFixed(1)} µs CPU/row`
  say(`COPY (the service's default): ${stmt(strategies.copy)}`)
  say(`INSERT … unnest(arrays) ON CONFLICT DO NOTHING (the former path): ${stmt(strategies.insert)}`)

  // --- ingestion --------------------------------------------------------------------------------
  say(`\n## ingestion: ${fmt(EVENTS)} access-log events published first, then tracking drains them`)
  const bus = await connectBus({ servers: nats.url, name: 'bench-tracking' })
  const { ensureStreams } = await import('@sunbae/bus')
  await ensureStreams(bus.jsm, [STREAMS.telemetry, STREAMS.deadLetter])
  const natsPid = Number(readFileSync(`${join(logDir, 'nats')}.pid`, 'utf8'))
  const enc = new TextEncoder()

  /** publishes the backlog into an emptied stream; resolves to events/s */
  const publishBacklog = async (): Promise<{ rate: number; messages: number; lastSeq: number }> => {
    await bus.jsm.streams.purge(STREAMS.telemetry.name)
    const at = Date.now() - 60_000
    const tp0 = performance.now()
    let messages = 0
    if (PER_MESSAGE === 1) {
      for (let i = 0; i < EVENTS; i++) {
        bus.nc.publish(TELEMETRY_SUBJECTS.accessLog, enc.encode(JSON.stringify(accessEvent(i, at + (i % 60_000)))))
        if (i % 5_000 === 4_999) await bus.nc.flush()
      }
      messages = EVENTS
    } else {
      // what the gateway's access log sends: AccessLogBatchV1 with a Nats-Msg-Id per message
      const producer = randomUUID()
      // packed as the gateway packs them: at most --per-message records and ACCESS_LOG_MESSAGE.maxChars
      let parts: string[] = []
      let chars = 0
      const send = async () => {
        publishTelemetry(bus, TELEMETRY_SUBJECTS.accessLogBatch, enc.encode(`{"events":[${parts.join(',')}]}`), { msgId: `${producer}.${++messages}` })
        parts = []
        chars = 0
        if (messages % 20 === 0) await bus.nc.flush()
      }
      for (let j = 0; j < EVENTS; j++) {
        const json = JSON.stringify(accessEvent(j, at + (j % 60_000)))
        if (parts.length > 0 && (parts.length >= PER_MESSAGE || chars + json.length > ACCESS_LOG_MESSAGE.maxChars)) await send()
        parts.push(json)
        chars += json.length + 1
      }
      if (parts.length > 0) await send()
    }
    await bus.nc.flush()
    let state = (await bus.jsm.streams.info(STREAMS.telemetry.name)).state
    while (state.messages < messages) {
      await sleep(100)
      state = (await bus.jsm.streams.info(STREAMS.telemetry.name)).state
    }
    return { rate: EVENTS / ((performance.now() - tp0) / 1000), messages, lastSeq: state.last_seq }
  }

  /**
   * One ingestion round: an empty access_log, the backlog in the stream, a tracking process with
   * fresh durables started as production starts it. The clock runs from the first committed row
   * to the moment the durable has every message acked — and the service acks a batch only after
   * its commit — and then the table must hold exactly N rows (checked, or the run fails). Polling
   * the durable, not count(*), keeps the bench's own queries off the CPUs it measures (a count(*)
   * over 300,000 rows costs ≈ 60 ms of Postgres CPU). CPU per process over the same interval.
   */
  let roundNo = 0
  const ingestRound = async (method: InsertMethod) => {
    await sql`truncate access_log`.execute(db)
    const published = await publishBacklog()
    const prefix = `bench${++roundNo}`
    const durable = `${prefix}_${PER_MESSAGE === 1 ? 'access' : 'access_batch'}`
    const launch = (attempt: number) =>
      start(`tracking-ingest-${roundNo}-${method}${attempt ? `-retry${attempt}` : ''}`, join(ROOT, 'services/tracking'), ['--import', '@sunbae/telemetry/register', ...CPU_PROF, 'src/server.ts'], {
        ...trackingEnv,
        TRACKING_DURABLE_PREFIX: prefix,
        TRACKING_INSERT_METHOD: method,
      })
    let proc = launch(0)
    const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null
    const deadline = performance.now() + 600_000
    let first = 0
    let firstAt = 0
    let cpu0: CpuSnapshot | undefined
    for (let attempt = 0; ; ) {
      if (performance.now() > deadline) throw new Error(`round ${roundNo} (${method}): no row within 10 min; logs in ${logDir}`)
      // on a saturated machine a start can time out (fastify's plugin timeout): one more try, same durables
      if (exited(proc)) {
        if (++attempt > 2) throw new Error(`round ${roundNo} (${method}): tracking exited ${attempt} times before storing a row; logs in ${logDir}`)
        say(`! round ${roundNo} (${method}): tracking exited before storing a row; starting it again`)
        proc = launch(attempt)
      }
      const any = await sql<{ x: boolean }>`select exists (select 1 from access_log) as x`.execute(db).then((r) => r.rows[0]!.x, () => false)
      if (any) {
        firstAt = performance.now()
        cpu0 = cpuSnapshot(proc.pid!, natsPid, 'sunbae_bench_tracking', benchBackends)
        first = await countRows(db)
        break
      }
      await sleep(10)
    }
    let done = 0
    let cpu1: CpuSnapshot | undefined
    for (;;) {
      if (exited(proc)) throw new Error(`round ${roundNo} (${method}): tracking exited mid-run; logs in ${logDir}`)
      if (performance.now() > deadline) throw new Error(`round ${roundNo} (${method}): not done within 10 min; logs in ${logDir}`)
      const info = await bus.jsm.consumers.info(STREAMS.telemetry.name, durable)
      if (info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= published.lastSeq) {
        done = performance.now()
        cpu1 = cpuSnapshot(proc.pid!, natsPid, 'sunbae_bench_tracking', benchBackends)
        break
      }
      await sleep(20)
    }
    await stop(proc)
    const rows = await countRows(db)
    if (rows !== EVENTS) throw new Error(`round ${roundNo} (${method}): ${rows} rows stored for ${EVENTS} events`)
    return { method, rate: (EVENTS - first) / ((done - firstAt) / 1000), rows: EVENTS - first, secs: (done - firstAt) / 1000, cpu: cpuBetween(cpu0!, cpu1!), publishRate: published.rate, messages: published.messages }
  }
  type Round = Awaited<ReturnType<typeof ingestRound>>
  const cpuText = (c: ReturnType<typeof cpuBetween>) =>
    `CPU (cores): tracking ${c.tracking.toFixed(2)}, Postgres backends ${c.postgresBackends.toFixed(2)} (+ server ${c.postgresServer.toFixed(2)}), NATS ${c.nats.toFixed(2)}`

  // old and new write path in interleaved rounds (alternating which goes first), medians compared
  const rounds: Round[] = []
  for (let r = 0; r < INGEST_ROUNDS; r++) {
    for (const method of (r % 2 === 0 ? ['insert', 'copy'] : ['copy', 'insert']) as InsertMethod[]) {
      const res = await ingestRound(method)
      rounds.push(res)
      say(`round ${r + 1} ${method.padEnd(6)}: ${fmt(res.rate)} events/s (${fmt(res.rows)} rows in ${res.secs.toFixed(2)} s); ${cpuText(res.cpu)}`)
    }
  }
  const copyRounds = rounds.filter((r) => r.method === 'copy')
  const insertRounds = rounds.filter((r) => r.method === 'insert')
  const ingestRate = median(copyRounds.map((r) => r.rate))
  const insertRate = median(insertRounds.map((r) => r.rate))
  const publishRate = median(rounds.map((r) => r.publishRate))
  const cpuMedian = (rs: Round[]) => ({
    tracking: median(rs.map((r) => r.cpu.tracking)),
    postgresBackends: median(rs.map((r) => r.cpu.postgresBackends)),
    postgresServer: median(rs.map((r) => r.cpu.postgresServer)),
    nats: median(rs.map((r) => r.cpu.nats)),
  })
  const cpuPerEvent = (rs: Round[]) => {
    // CPU-seconds per event, µs: cores × seconds / rows
    const us = (pick: (r: Round) => number) => median(rs.map((r) => (pick(r) * r.secs * 1e6) / r.rows))
    return { tracking: us((r) => r.cpu.tracking), postgres: us((r) => r.cpu.postgresBackends + r.cpu.postgresServer) }
  }
  say(`published (core NATS into the stream): ${fmt(publishRate)} events/s in ${fmt(rounds[0]!.messages)} messages (${(EVENTS / rounds[0]!.messages).toFixed(1)} per message)`)
  say(`median persisted: COPY ${fmt(ingestRate)} events/s, INSERT … unnest ${fmt(insertRate)} events/s → ${(ingestRate / insertRate).toFixed(2)}×`)
  const gatewayPart = async () => {
    // the backlog is stored: the drain below starts from the gateway's events only
    await bus.jsm.streams.purge(STREAMS.telemetry.name)

    // --- gateway with the access log on vs off ---------------------------------------------------
    say(`\n## gateway: access log on vs off, wrk -c${CONNECTIONS} ${DURATION}s × ${ROUNDS} interleaved rounds`)
    start('upstream', ROOT, [join(HERE, 'upstream.ts'), String(PORT.upstream)], {})
    const gatewayEnv = (port: number, accessLog: boolean) => ({
      // not NODE_ENV=production: it adds only start-up checks (a NATS user seed per process, no demo secrets such as the bench database's password), which the bench's NATS and database cannot pass; the code that runs is the same
      NODE_ENV: 'development',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NATS_URL: nats!.url,
      IDENTITY_SECRET,
      FIREBASE_PROJECT_ID: 'sunbae-bench',
      GATEWAY_ROUTES: JSON.stringify({ '/api/mentors': `http://127.0.0.1:${PORT.upstream}` }),
      RATE_LIMIT_IP_MAX: '0',
      RATE_LIMIT_USER_MAX: '0',
      ACCESS_LOG_ENABLED: String(accessLog),
      OTEL_SERVICE_NAME: 'gateway',
    })
    const gatewayArgs = ['--import', '@sunbae/telemetry/register', 'src/server.ts']
    start('gateway-access-log-on', join(ROOT, 'gateway'), gatewayArgs, gatewayEnv(PORT.gatewayOn, true))
    start('gateway-access-log-off', join(ROOT, 'gateway'), gatewayArgs, gatewayEnv(PORT.gatewayOff, false))
    await waitHttp(`http://127.0.0.1:${PORT.upstream}/`, 'upstream')
    await waitHttp(`http://127.0.0.1:${PORT.gatewayOn}/readyz`, 'gateway (on)')
    await waitHttp(`http://127.0.0.1:${PORT.gatewayOff}/readyz`, 'gateway (off)')
    const url = (port: number) => `http://127.0.0.1:${port}/api/mentors?q=python&page=1`
    // records, not messages: the gateway sends many per message (its own counter says how many)
    const publishedRecords = async () => {
      const text = await (await fetch(`http://127.0.0.1:${PORT.gatewayOn}/metrics`)).text()
      return Number(/^gateway_access_log_published_total (\d+)/m.exec(text)?.[1] ?? 0)
    }
    const before = await publishedRecords()
    await wrk(url(PORT.gatewayOn), 2)
    await wrk(url(PORT.gatewayOff), 2)
    const on: WrkResult[] = []
    const off: WrkResult[] = []
    for (let r = 0; r < ROUNDS; r++) {
      // alternate which goes first, so drift on the machine hits both alike
      const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)
      for (const which of order) {
        const res = await wrk(url(which === 'on' ? PORT.gatewayOn : PORT.gatewayOff), DURATION)
        ;(which === 'on' ? on : off).push(res)
        say(`round ${r + 1} access log ${which}: ${fmt(res.rps)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms${res.non2xx || res.errors ? `, non-2xx ${res.non2xx}, socket errors ${res.errors}` : ''}`)
      }
    }
    await sleep(500)
    const logged = (await publishedRecords()) - before
    const onRps = median(on.map((r) => r.rps))
    const offRps = median(off.map((r) => r.rps))
    const ratio = onRps / offRps
    say(`median: on ${fmt(onRps)} req/s, off ${fmt(offRps)} req/s → ${ratio.toFixed(3)}×; ${fmt(logged)} access-log events reached the stream`)

    // tracking drains what the gateway logged (realistic events: the gateway's own scrubbing and shape)
    const rowsBefore = await countRows(db)
    tracking = start('tracking-drain', join(ROOT, 'services/tracking'), ['--import', '@sunbae/telemetry/register', 'src/server.ts'], trackingEnv)
    const tDrain = performance.now()
    while ((await countRows(db)) < rowsBefore + logged) {
      if (performance.now() - tDrain > 300_000) break
      await sleep(100)
    }
    const drained = (await countRows(db)) - rowsBefore
    const drainRate = drained / ((performance.now() - tDrain) / 1000)
    say(`tracking stored ${fmt(drained)} of ${fmt(logged)} gateway events (${fmt(drainRate)} events/s including process start)`)
    return { on, off, onRps, offRps, ratio, logged, drained, drainRate }
  }
  const gateway = opts['ingest-only'] ? null : await gatewayPart()
  await bus.close()
  await database.close()

  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()
  const cpuCopy = cpuMedian(copyRounds)
  const perEventCopy = cpuPerEvent(copyRounds)
  const perEventInsert = cpuPerEvent(insertRounds)
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ')
  const results = [
    '# bench/tracking — results',
    '',
    `Run: \`flock /tmp/sunbae-bench.lock npm run bench:tracking -- --events ${EVENTS} --per-message ${PER_MESSAGE} --ingest-rounds ${INGEST_ROUNDS}${gateway ? ` --duration ${DURATION} --rounds ${ROUNDS}` : ' --ingest-only'}\`, ${new Date().toISOString().slice(0, 16)}Z.`,
    `Machine: ${nproc} CPUs (${cpu}), Node ${process.version}, NATS 2.9 (private, file store), Postgres 15; everything (NATS, Postgres, publisher, service, wrk) shares the CPUs.`,
    `Load average (1 / 5 / 15 min): ${load(LOAD_AT_START)} at the start, ${load(loadavg())} at the end — other work on the machine competes with the run when these are well above ${nproc}.`,
    '',
    '| what | figure | target |',
    '|---|---|---|',
    `| sustained ingestion, access-log events from JetStream to committed rows (${fmt(EVENTS)} backlog, ${PER_MESSAGE > 1 ? `packed as the gateway packs them: ≤ ${PER_MESSAGE} records and ≤ ${ACCESS_LOG_MESSAGE.maxChars / 1024} K characters a message, ${(EVENTS / rounds[0]!.messages).toFixed(0)} on average` : 'one per message'}; COPY, the service's default; median of ${copyRounds.length}) | **${fmt(ingestRate)} events/s** | ≥ 50,000/s — ${ingestRate >= 50_000 ? 'met' : '**not met**'} |`,
    `| the same with the former write path (INSERT … unnest ON CONFLICT, \`TRACKING_INSERT_METHOD=insert\`), interleaved rounds of the same run | ${fmt(insertRate)} events/s → COPY is **${(ingestRate / insertRate).toFixed(2)}×** | (A/B) |`,
    `| CPU per persisted event, COPY vs INSERT (medians): tracking process / Postgres | ${perEventCopy.tracking.toFixed(1)} / ${perEventCopy.postgres.toFixed(1)} µs vs ${perEventInsert.tracking.toFixed(1)} / ${perEventInsert.postgres.toFixed(1)} µs | (where the time goes) |`,
    `| CPU in use while ingesting with COPY (cores; 2 = both busy): tracking / Postgres backends / Postgres server / NATS | ${cpuCopy.tracking.toFixed(2)} / ${cpuCopy.postgresBackends.toFixed(2)} / ${cpuCopy.postgresServer.toFixed(2)} / ${cpuCopy.nats.toFixed(2)} | |`,
    gateway
      ? `| gateway req/s with access log on vs off (wrk -c${CONNECTIONS}, ${ROUNDS}×${DURATION} s interleaved, medians) | **${gateway.ratio.toFixed(3)}×** (${fmt(gateway.onRps)} vs ${fmt(gateway.offRps)} req/s; p99 ${median(gateway.on.map((r) => r.p99))} vs ${median(gateway.off.map((r) => r.p99))} ms) | ≥ 0.95× — ${gateway.ratio >= 0.95 ? 'met' : '**not met**'} |`
      : '| gateway req/s with access log on vs off | not measured in this run (`--ingest-only`) | ≥ 0.95× |',
    `| write statement alone, 5,000 rows, one connection: COPY vs INSERT … unnest | ${fmt(strategies.copy.rowsPerSec)} vs ${fmt(strategies.insert.rowsPerSec)} rows/s; Postgres ${strategies.copy.pgUsPerRow.toFixed(1)} vs ${strategies.insert.pgUsPerRow.toFixed(1)} µs CPU/row; Node ${strategies.copy.nodeUsPerRow.toFixed(1)} vs ${strategies.insert.nodeUsPerRow.toFixed(1)} µs CPU/row | (choice) |`,
    `| publishing the backlog (core NATS into the TELEMETRY stream, one client) | ${fmt(publishRate)} events/s | (setup) |`,
    ...(gateway ? [`| tracking draining the events the gateway logged during the run | ${fmt(gateway.drained)} rows, ${fmt(gateway.drainRate)} events/s incl. process start | (check) |`] : []),
    '',
    'Ingestion rounds (each: fresh durables, the backlog republished, a new tracking process):',
    '',
    ...rounds.map((r, i) => `- ${Math.floor(i / 2) + 1}. ${r.method}: ${fmt(r.rate)} events/s (${fmt(r.rows)} rows in ${r.secs.toFixed(2)} s); CPU cores tracking ${r.cpu.tracking.toFixed(2)}, Postgres ${(r.cpu.postgresBackends + r.cpu.postgresServer).toFixed(2)}, NATS ${r.cpu.nats.toFixed(2)}`),
    '',
    ...(gateway
      ? [
          'Gateway rounds:',
          '',
          ...gateway.on.map((r, i) => `- round ${i + 1}: on ${fmt(r.rps)} req/s (p99 ${r.p99} ms), off ${fmt(gateway.off[i]!.rps)} req/s (p99 ${gateway.off[i]!.p99} ms)`),
          '',
        ]
      : []),
  ].join('\n')
  // the notes below the figures are written by hand and kept across runs
  const notesMarker = '## Reading these figures'
  const previous = existsSync(join(HERE, 'RESULTS.md')) ? readFileSync(join(HERE, 'RESULTS.md'), 'utf8') : ''
  const notes = previous.includes(notesMarker) ? previous.slice(previous.indexOf(notesMarker)) : ''
  if (opts.write) writeFileSync(join(HERE, 'RESULTS.md'), notes ? `${results}\n${notes}` : results)
  say(`\n${results}`)
}

try {
  await main()
} finally {
  await stopAll()
}
