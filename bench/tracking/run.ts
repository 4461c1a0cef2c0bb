// `npm run bench:tracking` — what tracking costs and how fast it ingests, in one run on this machine.
//
// 1. A private NATS (fresh JetStream store) and a database of its own (sunbae_bench_tracking).
// 2. Insert strategy: the same access-log rows written by one connection as json_populate_recordset
//    (what the service does) and as unnest(arrays), 1,000 rows per statement, ON CONFLICT DO NOTHING.
// 3. Ingestion: N access-log events are published into the TELEMETRY stream first — as the gateway
//    ships them, --per-message records per AccessLogBatchV1 message (1 = one event per message on
//    telemetry.access, the path of other producers) — then the tracking
//    service is started (as production starts it) and the rate at which rows are committed is
//    measured from the first row to the N-th: sustained persisted events/s, consumer to Postgres.
// 4. Gateway cost of the access log: two gateways (ACCESS_LOG_ENABLED=true / false) proxy a public
//    route to a small upstream; wrk (-c50, bounded) measures them in interleaved rounds; the ratio
//    of the medians is the figure. The events go into the TELEMETRY stream (the JetStream write is
//    part of the cost on this machine); tracking is stopped meanwhile so it does not compete for the
//    two CPUs, and drains them afterwards (reported too).
//
// Options: --events <n> (300000) --per-message <n> (500) --duration <s> (8) --rounds <n> (3) --connections <n> (50)
//          --no-write (do not touch RESULTS.md)
// Env: DATABASE_URL (admin URL; the database is replaced by sunbae_bench_tracking). Ports: free ones.
// Wrap it in `flock /tmp/sunbae-bench.lock` on a shared machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { connectBus, publishTelemetryBatch } from '@sunbae/bus'
import { STREAMS, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { createDb, ensureDatabase, serviceDatabaseUrl, withDatabase } from './db.ts'
import { findNatsServer, startPrivateNats, type PrivateNats } from '../../scripts/lib/test-nats.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    'per-message': { type: 'string', default: '500' },
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'no-write': { type: 'boolean', default: false },
  },
})
const EVENTS = Number(args.events)
const PER_MESSAGE = Math.max(1, Math.min(1000, Number(args['per-message'])))
const DURATION = Number(args.duration)
const ROUNDS = Number(args.rounds)
const CONNECTIONS = Number(args.connections)

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

/** Statement-level comparison of the two multi-row insert forms, one connection, no consumer. */
async function insertStrategies(db: ReturnType<typeof createDb>['db']): Promise<{ json: number; unnest: number }> {
  const { IngestRepository } = await import('../../services/tracking/src/ingest/ingest.repository.ts')
  const { toAccessRow } = await import('../../services/tracking/src/ingest/mappers.ts')
  const { createScrubber } = await import('@sunbae/service-kit/scrub')
  const opts = { scrubber: createScrubber(), bodyMax: 4096, cutoff: () => 0 }
  const enc = new TextEncoder()
  const rows = Array.from({ length: 50_000 }, (_, i) => {
    const data = enc.encode(JSON.stringify(accessEvent(i, Date.now() - 1000)))
    return toAccessRow({ data, headers: undefined } as never, opts)!
  })
  const repo = new IngestRepository(db as never)
  const cols = ['id', 'requested_at', 'request_id', 'trace_id', 'user_id', 'method', 'path', 'route', 'status', 'response_ms', 'remote_addr', 'host', 'query_params', 'body', 'response_body', 'error_code', 'user_agent'] as const
  // the alternative measured against the service's unnest: the batch as ONE JSON document
  const jsonDocument = async (batch: typeof rows) => {
    const doc = `[${batch.map((r) => {
      const { query_params: qp, ...rest } = r
      return `${JSON.stringify(rest).slice(0, -1)},"query_params":${qp}}`
    }).join(',')}]`
    const names = sql.join(cols.map((c) => sql.ref(c)))
    await sql`insert into access_log (${names}) select ${names} from json_populate_recordset(null::access_log, ${doc}::json) on conflict do nothing`.execute(db)
  }
  const time = async (fn: (b: typeof rows) => Promise<unknown>) => {
    await sql`truncate access_log`.execute(db)
    const t0 = performance.now()
    for (let i = 0; i < rows.length; i += 1000) await fn(rows.slice(i, i + 1000))
    return rows.length / ((performance.now() - t0) / 1000)
  }
  // twice each, alternating; the better of the two (the first pays for warm-up)
  const un = await time((b) => repo.insertAccess(b))
  const json = await time(jsonDocument)
  const un2 = await time((b) => repo.insertAccess(b))
  const json2 = await time(jsonDocument)
  await sql`truncate access_log`.execute(db)
  return { json: Math.max(json, json2), unnest: Math.max(un, un2) }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).error) throw new Error('wrk is not installed: apt-get install -y wrk')
  const binary = findNatsServer()
  if (!binary) throw new Error('nats-server not found (the bench runs a private one)')
  nats = await startPrivateNats(binary, join(logDir, 'nats'))
  say(`private NATS ${nats.url}; logs in ${logDir}`)

  ensureDatabase(ADMIN_URL, ROOT)
  const database = createDb({ connectionString: TRACKING_URL, schema: 'tracking', service: 'bench', slowQueryMs: 1e9 })
  const db = database.db
  await sql`truncate access_log, search_events, audit_events, error_reports, slow_queries`.execute(db)

  const trackingEnv = {
    NODE_ENV: 'production',
    PORT: String(PORT.tracking),
    LOG_LEVEL: 'warn',
    NATS_URL: nats.url,
    IDENTITY_SECRET,
    DATABASE_URL: TRACKING_URL,
    OTEL_SERVICE_NAME: 'tracking',
  }
  // creates today's partitions (maintenance at start) before the strategy comparison writes
  let tracking = start('tracking-setup', join(ROOT, 'services/tracking'), ['--import', '@sunbae/telemetry/register', 'src/server.ts'], trackingEnv)
  await waitHttp(`http://127.0.0.1:${PORT.tracking}/readyz`, 'tracking')
  await stop(tracking)

  say('\n## insert statement, 1,000 rows each, one connection')
  const strategies = await insertStrategies(db)
  say(`unnest(arrays), as the service writes: ${fmt(strategies.unnest)} rows/s; one JSON document via json_populate_recordset: ${fmt(strategies.json)} rows/s`)

  // --- ingestion --------------------------------------------------------------------------------
  say(`\n## ingestion: ${fmt(EVENTS)} access-log events published first, then tracking drains them`)
  const bus = await connectBus({ servers: nats.url, name: 'bench-tracking' })
  const { ensureStreams } = await import('@sunbae/bus')
  await ensureStreams(bus.jsm, [STREAMS.telemetry, STREAMS.deadLetter])
  const enc = new TextEncoder()
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
    for (let i = 0; i < EVENTS; i += PER_MESSAGE) {
      const parts: string[] = []
      for (let j = i; j < Math.min(EVENTS, i + PER_MESSAGE); j++) parts.push(JSON.stringify(accessEvent(j, at + (j % 60_000))))
      publishTelemetryBatch(bus, TELEMETRY_SUBJECTS.accessLogBatch, enc.encode(`{"events":[${parts.join(',')}]}`), `${producer}.${++messages}`)
      if (messages % 20 === 0) await bus.nc.flush()
    }
  }
  await bus.nc.flush()
  while ((await bus.jsm.streams.info(STREAMS.telemetry.name)).state.messages < messages) await sleep(100)
  const publishRate = EVENTS / ((performance.now() - tp0) / 1000)
  say(`published (core NATS into the stream): ${fmt(publishRate)} events/s in ${fmt(messages)} messages (${PER_MESSAGE} per message)`)

  tracking = start('tracking', join(ROOT, 'services/tracking'), ['--import', '@sunbae/telemetry/register', 'src/server.ts'], trackingEnv)
  let first = 0
  let firstAt = 0
  for (;;) {
    const n = await countRows(db).catch(() => 0)
    if (n > 0) {
      first = n
      firstAt = performance.now()
      break
    }
    await sleep(20)
  }
  let done = 0
  for (;;) {
    const n = await countRows(db)
    if (n >= EVENTS) {
      done = performance.now()
      break
    }
    await sleep(50)
  }
  const ingestRate = (EVENTS - first) / ((done - firstAt) / 1000)
  say(`persisted: ${fmt(ingestRate)} events/s (${fmt(EVENTS - first)} rows in ${((done - firstAt) / 1000).toFixed(2)} s)`)
  await stop(tracking)

  // --- gateway with the access log on vs off ---------------------------------------------------
  say(`\n## gateway: access log on vs off, wrk -c${CONNECTIONS} ${DURATION}s × ${ROUNDS} interleaved rounds`)
  start('upstream', ROOT, [join(HERE, 'upstream.ts'), String(PORT.upstream)], {})
  const gatewayEnv = (port: number, accessLog: boolean) => ({
    NODE_ENV: 'production',
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
  await bus.close()
  await database.close()

  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()
  const results = [
    '# bench/tracking — results',
    '',
    `Run: \`flock /tmp/sunbae-bench.lock npm run bench:tracking -- --events ${EVENTS} --per-message ${PER_MESSAGE} --duration ${DURATION} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 16)}Z.`,
    `Machine: ${nproc} CPUs (${cpu}), Node ${process.version}, NATS 2.9 (private, file store), Postgres 15; everything (NATS, Postgres, publisher, service, wrk) shares the CPUs.`,
    '',
    '| what | figure | target |',
    '|---|---|---|',
    `| sustained ingestion, access-log events from JetStream to committed rows (${fmt(EVENTS)} backlog, ${PER_MESSAGE} per message${PER_MESSAGE > 1 ? ' as the gateway sends them' : ''}) | **${fmt(ingestRate)} events/s** | ≥ 50,000/s — ${ingestRate >= 50_000 ? 'met' : '**not met**'} |`,
    `| gateway req/s with access log on vs off (wrk -c${CONNECTIONS}, ${ROUNDS}×${DURATION} s interleaved, medians) | **${ratio.toFixed(3)}×** (${fmt(onRps)} vs ${fmt(offRps)} req/s; p99 ${median(on.map((r) => r.p99))} vs ${median(off.map((r) => r.p99))} ms) | ≥ 0.95× — ${ratio >= 0.95 ? 'met' : '**not met**'} |`,
    `| insert statement, 1,000 rows, one connection: unnest(arrays) (the service) vs json_populate_recordset | ${fmt(strategies.unnest)} vs ${fmt(strategies.json)} rows/s | (choice) |`,
    `| publishing the backlog (core NATS into the TELEMETRY stream, one client) | ${fmt(publishRate)} events/s | (setup) |`,
    `| tracking draining the events the gateway logged during the run | ${fmt(drained)} rows, ${fmt(drainRate)} events/s incl. process start | (check) |`,
    '',
    'Rounds:',
    '',
    ...on.map((r, i) => `- round ${i + 1}: on ${fmt(r.rps)} req/s (p99 ${r.p99} ms), off ${fmt(off[i]!.rps)} req/s (p99 ${off[i]!.p99} ms)`),
    '',
  ].join('\n')
  if (!args['no-write']) writeFileSync(join(HERE, 'RESULTS.md'), results)
  say(`\n${results}`)
}

try {
  await main()
} finally {
  await stopAll()
}
