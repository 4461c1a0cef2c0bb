// `npm run bench:matching` — matching at 100,000 mentors, on this machine, 127.0.0.1 only.
// Run it as `flock /tmp/sunbae-bench.lock npm run bench:matching` (other benchmarks share the 2 cores).
//
// 1. generates N mentors with ../shared/data/gen_mentors.py (cached in the temp dir);
// 2. sets up a database of its own (default sunbae_bench_matching), empties matching's tables and
//    loads the mentors DIRECTLY into the read model with the service's own repository
//    (MentorsRepository.apply, 1,000 per transaction — the same upsert the catalog consumer runs),
//    so the figure is not the catalog's import speed. Every mentor gets an account uid
//    (`bench-<n>`) so requests to them can be accepted;
// 3. starts a private nats-server and matching as production starts it
//    (`node --import @sunbae/telemetry/register src/server.ts`; NODE_ENV=development: see below) — index
//    build time and memory;
// 4. saves varied preferences for M mentees (Korean/English skills, goals, languages, budgets,
//    career stages, time windows; some empty), then times GET /api/matching/recommendations
//    over HTTP: sequentially (latency) and with a few connections (throughput), bounded counts;
// 5. request throughput: creates R requests to random mentors, then accepts them all
//    (each accept: settings-row lock, conditional update, match, outbox event);
// 6. catalog ingest: publishes E catalog.mentor.updated events to NATS and times until the
//    durable consumer has written them to Postgres and the index has followed.
//
// Options: --n <mentors> (100000) --mentees <n> (300) --recs <n> (3000) --connections <n> (4)
//          --requests <n> (2000) --events <n> (20000) --no-write (leave RESULTS.md alone)
// Env: DATABASE_URL (admin URL; database replaced by sunbae_bench_matching), BENCH_PORT_BASE (18500).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid'
import type { Kysely } from 'kysely'
import { connectBus, createEvent } from '@sunbae/bus'
import { CatalogEvents, type Identity, type MentorProfileV1 } from '@sunbae/contracts'
import { createDb, migrateAll, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { identityKey, signIdentity } from '@sunbae/service-kit'
import { MentorsRepository } from '@sunbae/matching/mentors-repository'
import type { MentorRecord } from '@sunbae/matching/mentor-index'
import type { DB } from '@sunbae/matching/db'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { benchOptions } from '../lib/options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))
const opts = benchOptions({
  numbers: { n: [100_000, 1, 1_000_000], mentees: [300, 1, 100_000], recs: [3000, 1, 1_000_000], connections: [4, 1, 256], requests: [2000, 1, 1_000_000], events: [20_000, 1, 1_000_000] },
})
const { n: N, mentees: MENTEES, recs: RECS, connections: CONNECTIONS, requests: REQUESTS, events: EVENTS } = opts
const PORT = Number(process.env.BENCH_PORT_BASE ?? 18500) + 1
const BASE_URL = `http://127.0.0.1:${PORT}`
const ADMIN_URL = withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae', 'sunbae_bench_matching')
const SERVICE_URL = serviceDatabaseUrl(ADMIN_URL, 'matching')
const IDENTITY_SECRET = randomBytes(32).toString('base64url')
const logDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-matching-'))
const say = (msg = '') => process.stdout.write(`${msg}\n`)
const OFFLINE = { METADATA_SERVER_DETECTION: 'none', CI: 'true', NO_UPDATE_NOTIFIER: '1', OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process' }

// ---- helpers ----

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
const f1 = (x: number) => x.toFixed(1)
const int = (x: number) => Math.round(x).toLocaleString('en-US')
let rngState = 20200601
const rnd = () => {
  // xorshift: the same mentees and picks every run
  rngState ^= rngState << 13
  rngState ^= rngState >>> 17
  rngState ^= rngState << 5
  return (rngState >>> 0) / 4294967296
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
const sample = <T>(xs: readonly T[], k: number): T[] => [...xs].sort(() => rnd() - 0.5).slice(0, k)

const MATCHING_KEY = identityKey(IDENTITY_SECRET, 'matching')
/** What the gateway sends matching: the identity signed with matching's key for this request's method and path. */
function headers(identity: Pick<Identity, 'uid' | 'role'>, method: string, path: string): Record<string, string> {
  const full: Identity = { email: null, emailVerified: true, name: `bench ${identity.uid.slice(-6)}`, picture: null, ...identity }
  return { 'x-sunbae-identity': signIdentity(full, MATCHING_KEY, { aud: 'matching', method, url: path }) }
}

async function http(method: string, path: string, who: Pick<Identity, 'uid' | 'role'>, body?: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now()
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { ...headers(who, method, path), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const json = await res.json()
  return { status: res.status, json, ms: performance.now() - t0 }
}

/** Runs `count` jobs with `concurrency` workers; returns wall time. */
async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await job(i)
    }),
  )
  return performance.now() - t0
}

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

// ---- 1. data ----

const file = join(tmpdir(), `sunbae-gen-mentors-${N}.jsonl`)
if (!existsSync(file)) {
  say(`generating ${N} mentors → ${file}`)
  const gen = spawnSync('python3', [join(ROOT, '..', 'shared', 'data', 'gen_mentors.py'), String(N), file], { stdio: 'inherit' })
  if (gen.status !== 0) throw new Error('gen_mentors.py failed')
}

interface GenRecord {
  id: number
  display_name: string
  headline: string
  bio: string
  tags: string
  company: string
  years_experience: number
  hourly_rate: number
  rating: number
  review_count: number
  languages: string
  created_at: string
}
const mentorIdOf = (n: number) => uuidv5(`gen_mentors:${n}`, uuidv5.URL)

// ---- 2. database and read model ----

say(`database ${ADMIN_URL.replace(/\/\/[^@]*@/, '//')}`)
await setupDatabase({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['matching'] })
await migrateAll({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['matching'] })
const database = createDb({ connectionString: SERVICE_URL, schema: 'matching', service: 'bench', slowQueryMs: Number.POSITIVE_INFINITY })
const db = database.db as Kysely<DB>
await db.deleteFrom('matches').execute()
for (const table of ['requests', 'mentor_settings', 'hidden_mentors', 'preferences', 'mentor_ratings', 'mentors', 'outbox', 'processed_events'] as const) {
  await db.deleteFrom(table).execute()
}

const repo = new MentorsRepository(db)
const mentorIds: string[] = []
const tLoad = performance.now()
let batch: { rec: MentorRecord; rating: { rating: number; reviewCount: number } }[] = []
const flush = async () => {
  const version = { at: Date.now(), id: uuidv7() }
  const items = batch
  batch = []
  await db.transaction().execute((trx) =>
    repo.apply(
      items.map((i) => ({ rec: i.rec, version })),
      items.map((i) => ({ mentorId: i.rec.id, rating: i.rating, version })),
      trx,
    ),
  )
}
for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
  if (!line) continue
  const r = JSON.parse(line) as GenRecord
  const id = mentorIdOf(r.id)
  mentorIds.push(id)
  batch.push({
    rec: {
      id,
      uid: `bench-${r.id}`,
      displayName: r.display_name,
      headline: r.headline,
      bio: r.bio,
      skills: [...new Set(r.tags.split(',').map((s) => s.trim()).filter(Boolean))],
      company: r.company,
      yearsExperience: r.years_experience,
      hourlyRate: r.hourly_rate,
      languages: [...new Set(r.languages.split(','))],
      timezone: 'Asia/Seoul',
      status: 'active',
      approvedAt: new Date(r.created_at).toISOString(),
    },
    rating: { rating: r.rating, reviewCount: r.review_count },
  })
  if (batch.length === 1000) await flush()
}
if (batch.length) await flush()
const loadMs = performance.now() - tLoad
say(`read model: ${int(mentorIds.length)} mentors loaded in ${f1(loadMs / 1000)} s (${int(mentorIds.length / (loadMs / 1000))} mentors/s)`)

// ---- 3. the service ----

const binary = findNatsServer()
if (!binary) throw new Error('nats-server not found: the bench runs its own (apt-get install nats-server)')
const nats = await startPrivateNats(binary, join(logDir, 'nats'))
let child: ChildProcess | null = null
const stop = async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM')
    const deadline = Date.now() + 10_000
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(100)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  await nats.stop()
  await database.close()
}
process.on('SIGINT', () => void stop().then(() => process.exit(130)))

try {
  const log = join(logDir, 'matching.log')
  const fd = openSync(log, 'a')
  const tStart = performance.now()
  child = spawn(process.execPath, ['--import', '@sunbae/telemetry/register', 'src/server.ts'], {
    cwd: join(ROOT, 'services', 'matching'),
    env: {
      PATH: process.env.PATH ?? '',
      ...OFFLINE,
      ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
      // not NODE_ENV=production: it adds only start-up checks (a NATS user seed per process, no demo secrets such as the bench database's password), which the bench's NATS and database cannot pass; the code that runs is the same
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(PORT),
      DATABASE_URL: SERVICE_URL,
      NATS_URL: nats.url,
      // production: the service holds only its own identity key
      IDENTITY_KEY: MATCHING_KEY,
      MATCHING_DAILY_REQUEST_LIMIT: '1000',
    },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  for (;;) {
    if (child.exitCode !== null) throw new Error(`matching exited (${child.exitCode}); log: ${log}`)
    try {
      if ((await fetch(`${BASE_URL}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (performance.now() - tStart > 180_000) throw new Error(`matching not ready after 180 s; log: ${log}`)
    await sleep(100)
  }
  const readyMs = performance.now() - tStart
  const admin = { uid: 'bench-admin', role: 'admin' as const }
  const stats = (await http('GET', '/api/admin/matching/stats', admin)).json
  const rssAfterBuild = rssMiB(child.pid!)
  say(`service ready in ${f1(readyMs / 1000)} s; index of ${int(stats.readModel.mentors)} mentors built in ${int(stats.readModel.buildMs)} ms; RSS ${rssAfterBuild} MiB`)

  // ---- 4. recommendations ----

  const SKILLS = [
    'python', '파이썬', 'java', 'react', '리액트', 'kotlin', 'spring', 'aws', 'kubernetes', 'docker', 'sql', 'machine learning', '머신러닝',
    '데이터 분석', 'data analysis', 'figma', 'ux', '기획', '서비스 기획', 'product management', 'marketing', '마케팅', 'seo', '면접',
    'mock interview', '이직', '취업', '포트폴리오', 'resume review', '연봉협상', 'startup', '창업', 'leadership', '리더십', 'unity', '게임 개발',
    'embedded', '반도체', 'ios', 'android', 'flutter', 'go', 'typescript', 'system design', 'security', '보안', 'devops', 'excel',
  ] as const
  const GOALS = [
    '데이터 분석가로 이직하고 싶어요', '백엔드 개발자로 취업하고 싶습니다', 'I want to move into product management at a startup',
    '프론트엔드 개발자 포트폴리오 리뷰를 받고 싶어요', '머신러닝 엔지니어가 되고 싶어요', 'prepare for technical interviews at Google',
    '스타트업 창업과 투자 유치', 'UX 디자이너로 커리어 전환', '게임 클라이언트 개발자 취업', '시니어 엔지니어로 성장하고 리더십을 배우고 싶어요',
    'become a data engineer', '외국계 기업 면접 준비', '', '',
  ] as const
  const STAGES = ['student', 'job_seeker', 'junior', 'mid', 'senior', 'career_changer', null] as const
  const mentees = Array.from({ length: MENTEES }, (_, i) => ({ uid: `bench-mentee-${i}`, role: 'mentee' as const }))
  for (const [i, m] of mentees.entries()) {
    // one in ten says nothing yet: the cold-start path (whole index, rating and budget only)
    const empty = i % 10 === 9
    const max = pick([30_000, 50_000, 80_000, 120_000, 200_000])
    const body = empty
      ? {}
      : {
          goals: pick(GOALS),
          skills: sample(SKILLS, 1 + Math.floor(rnd() * 5)),
          languages: pick([['ko'], ['ko', 'en'], ['en'], []]),
          ...(rnd() < 0.7 ? { budget: { min: Math.round(max / 3 / 5000) * 5000, max } } : {}),
          careerStage: pick(STAGES),
          ...(rnd() < 0.5 ? { timeWindows: [{ day: pick(['mon', 'wed', 'sat'] as const), start: '19:00', end: '22:00' }] } : {}),
        }
    const res = await http('PUT', '/api/matching/preferences', m, body)
    if (res.status !== 200) throw new Error(`PUT preferences: ${res.status} ${JSON.stringify(res.json)}`)
  }

  const recLatencies: number[] = []
  let candidatesTotal = 0
  let returned = 0
  const recOnce = async (i: number, keep: boolean) => {
    const res = await http('GET', '/api/matching/recommendations?limit=10', mentees[i % mentees.length]!)
    if (res.status !== 200) throw new Error(`recommendations: ${res.status} ${JSON.stringify(res.json)}`)
    if (keep) {
      recLatencies.push(res.ms)
      candidatesTotal += res.json.candidates
      returned += res.json.items.length
    }
  }
  await pool(Math.min(300, RECS), 1, (i) => recOnce(i, false)) // warm-up: JIT, pool connections
  await pool(RECS, 1, (i) => recOnce(i, true))
  const seq = [...recLatencies].sort((a, b) => a - b)
  recLatencies.length = 0
  const concWall = await pool(RECS, CONNECTIONS, (i) => recOnce(i + 7, true))
  const conc = [...recLatencies].sort((a, b) => a - b)
  const recs = {
    p50: pct(seq, 50), p95: pct(seq, 95), p99: pct(seq, 99), max: seq[seq.length - 1]!,
    cP50: pct(conc, 50), cP99: pct(conc, 99), rps: RECS / (concWall / 1000),
    candidates: candidatesTotal / (RECS * 2), returned: returned / (RECS * 2),
  }
  say(`recommendations, sequential: p50 ${f1(recs.p50)} ms, p95 ${f1(recs.p95)} ms, p99 ${f1(recs.p99)} ms, max ${f1(recs.max)} ms (${RECS} requests, ${MENTEES} mentees; on average ${int(recs.candidates)} mentors scored, ${f1(recs.returned)} returned)`)
  say(`recommendations, ${CONNECTIONS} connections: ${int(recs.rps)} req/s, p50 ${f1(recs.cP50)} ms, p99 ${f1(recs.cP99)} ms`)

  // ---- 5. requests ----

  const senders = Array.from({ length: Math.ceil(REQUESTS / 10) }, (_, i) => ({ uid: `bench-sender-${i}`, role: 'mentee' as const }))
  const created: { id: string; mentorUid: string }[] = []
  const createLat: number[] = []
  const targets = sample(mentorIds.map((id, n) => ({ id, uid: `bench-${n + 1}` })), REQUESTS)
  const createWall = await pool(REQUESTS, CONNECTIONS, async (i) => {
    const res = await http('POST', '/api/matching/requests', senders[i % senders.length]!, { mentorId: targets[i]!.id, message: `벤치마크 요청 ${i}` })
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.json)}`)
    createLat.push(res.ms)
    created.push({ id: res.json.id, mentorUid: targets[i]!.uid })
  })
  const acceptLat: number[] = []
  const acceptWall = await pool(created.length, CONNECTIONS, async (i) => {
    const c = created[i]!
    const res = await http('POST', `/api/matching/requests/${c.id}/accept`, { uid: c.mentorUid, role: 'mentor' })
    if (res.status !== 200) throw new Error(`accept: ${res.status} ${JSON.stringify(res.json)}`)
    acceptLat.push(res.ms)
  })
  createLat.sort((a, b) => a - b)
  acceptLat.sort((a, b) => a - b)
  const reqs = {
    createRps: REQUESTS / (createWall / 1000), createP99: pct(createLat, 99),
    acceptRps: created.length / (acceptWall / 1000), acceptP99: pct(acceptLat, 99),
  }
  say(`requests, ${CONNECTIONS} connections: create ${int(reqs.createRps)}/s (p99 ${f1(reqs.createP99)} ms), accept ${int(reqs.acceptRps)}/s (p99 ${f1(reqs.acceptP99)} ms)`)
  const matches = await db.selectFrom('matches').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
  if (Number(matches.n) !== created.length) throw new Error(`expected ${created.length} matches, found ${matches.n}`)

  // ---- 6. catalog ingest through NATS ----

  const bus = await connectBus({ servers: nats.url, name: 'bench-matching' })
  const tIngest = performance.now()
  const e = CatalogEvents.mentorUpdated
  for (let i = 0; i < EVENTS; i++) {
    const n = Math.floor(rnd() * mentorIds.length)
    const data: MentorProfileV1 = {
      id: mentorIds[n]!, uid: `bench-${n + 1}`, displayName: `updated ${i}`, headline: `Updated headline ${i}`, bio: 'Updated by the benchmark.',
      skills: ['python', 'sql'], company: null, yearsExperience: 5, hourlyRate: 50_000, languages: ['ko'], timezone: 'Asia/Seoul', links: [],
      status: 'active', rating: 4.5, reviewCount: 10, approvedAt: new Date().toISOString(),
    }
    const event = createEvent({ type: e.type, version: e.version, source: 'mentor-catalog', actor: { type: 'system', id: null }, data })
    // pipelined like the outbox relay: a PubAck is awaited every 256 messages
    const p = bus.js.publish(e.type, JSON.stringify(event), { msgID: event.id })
    if (i % 256 === 255 || i === EVENTS - 1) await p
  }
  const publishedMs = performance.now() - tIngest
  let ingestMs = NaN
  let followMs = NaN
  for (;;) {
    const info = await bus.jsm.consumers.info('CATALOG', 'matching_catalog_mentors')
    if (Number.isNaN(ingestMs) && info.num_pending === 0 && info.num_ack_pending === 0) ingestMs = performance.now() - tIngest
    const s = (await http('GET', '/api/admin/matching/stats', admin)).json
    if (Number.isNaN(followMs) && s.readModel.lastSeq >= info.delivered.stream_seq && info.num_pending === 0) followMs = performance.now() - tIngest
    if (!Number.isNaN(ingestMs) && !Number.isNaN(followMs)) break
    if (performance.now() - tIngest > 300_000) throw new Error('ingest did not finish in 300 s')
    await sleep(50)
  }
  await bus.drain()
  const ingest = { publishedMs, ingestMs, followMs, rate: EVENTS / (ingestMs / 1000) }
  say(`catalog ingest: ${int(EVENTS)} events published in ${f1(publishedMs / 1000)} s; in Postgres after ${f1(ingestMs / 1000)} s (${int(ingest.rate)} events/s); in the index after ${f1(followMs / 1000)} s`)
  const rssEnd = rssMiB(child.pid!)

  // ---- results ----

  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  const target = recs.p99 <= 30 ? 'met' : '**not met**'
  const md = [
    '# bench/matching — results',
    '',
    `Run ${when} UTC on ${cpus().length} × ${cpu}, Node ${process.versions.node}, everything on one machine (service, Postgres, NATS and`,
    'the load client share the CPUs). Command: `flock /tmp/sunbae-bench.lock npm run bench:matching`' +
      ` (n=${N}, mentees=${MENTEES}, recs=${RECS}, connections=${CONNECTIONS}, requests=${REQUESTS}, events=${EVENTS}).`,
    '',
    '| what | figure | target |',
    '|---|---|---|',
    `| recommendations p99, one mentee at a time over HTTP, ${int(mentorIds.length)} mentors in the read model | **${f1(recs.p99)} ms** (p50 ${f1(recs.p50)}, p95 ${f1(recs.p95)}, max ${f1(recs.max)}) | ≤ 30 ms — ${target} |`,
    `| recommendations with ${CONNECTIONS} connections | ${int(recs.rps)} req/s, p50 ${f1(recs.cP50)} ms, p99 ${f1(recs.cP99)} ms | — |`,
    `| mentors scored per answer (average; the rest share nothing with the mentee) | ${int(recs.candidates)} | — |`,
    `| request create, ${CONNECTIONS} connections | ${int(reqs.createRps)} req/s (p99 ${f1(reqs.createP99)} ms) | — |`,
    `| request accept (match + capacity lock + event), ${CONNECTIONS} connections | ${int(reqs.acceptRps)} req/s (p99 ${f1(reqs.acceptP99)} ms) | — |`,
    `| read model load through the repository (1,000 per transaction) | ${int(mentorIds.length / (loadMs / 1000))} mentors/s | — |`,
    `| index build at start, from Postgres | ${int(stats.readModel.buildMs)} ms; service ready after ${f1(readyMs / 1000)} s; RSS ${rssAfterBuild} MiB (${rssEnd} MiB at the end) | — |`,
    `| catalog events through NATS → Postgres (durable batch consumer) | ${int(ingest.rate)} events/s (${int(EVENTS)} in ${f1(ingestMs / 1000)} s); index caught up after ${f1(followMs / 1000)} s | — |`,
    '',
    'Method: recommendations are timed by the client around `fetch` (keep-alive), so they include HTTP, identity',
    'verification, two Postgres queries (preferences; hidden/pending/matched/full exclusions) and, for mentees with time',
    'windows, a third (the pool\'s mentor windows). Mentees have varied preferences (1–5 skills mixing Korean and English',
    'names, goals in both languages, languages, budgets, career stages, half with time windows); one in ten has none',
    '(cold start: the whole index is scored). Requests go to random mentors, ten per sender; every one is then accepted.',
    '',
  ].join('\n')
  if (opts.write) writeFileSync(join(HERE, 'RESULTS.md'), md)
  say('')
  say(md)
} finally {
  await stop()
}
