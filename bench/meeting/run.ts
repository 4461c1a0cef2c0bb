// `npm run bench:meeting` — slot computation and booking under contention, on this machine.
// Run it as `flock /tmp/sunbae-bench.lock npm run bench:meeting` (other benchmarks share the 2 cores).
//
// 1. sets up a database of its own (default sunbae_bench_meeting), empties meeting's tables, starts
//    a private nats-server and builds the meeting service in this process (buildService, exactly
//    what server.ts runs, minus the listening socket: requests go through app.inject, so the
//    figures include routing, validation, Postgres and serialization but not the HTTP stack);
// 2. slot computation: one mentor with weekly hours 08:00–22:00 in Asia/Seoul, 10-minute buffers,
//    30-minute grid and 200 confirmed bookings in the coming month (booked through the API); times
//    the pure computeSlots over that month (no I/O) and GET /api/meetings/mentors/:id/slots for the
//    month in America/New_York (a Postgres query for the busy blocks + the computation);
// 3. booking under contention: M mentors, each matched with K mentees, C requests in flight at a
//    time, every attempt aimed at one of a few overlapping starts per mentor — throughput, the
//    created / 409 split (anything else is a failure), and an overlap check in SQL afterwards.
//
// Options: --slot-runs <n> (2000) --http-runs <n> (300) --mentors <n> (20) --mentees <n> (40)
//          --attempts <n> (2000) --concurrency <n> (32) --no-write (leave RESULTS.md alone)
// Env: DATABASE_URL (admin URL; the database is replaced by sunbae_bench_meeting).
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql, type Kysely } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { createDb, migrateAll, ownerRole, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { buildService, loadConfig } from '@sunbae/service-kit'
import { identityHeaders, signIdentitiesOnInject } from '@sunbae/service-kit/testing'
import type { AvailabilityBody, Identity } from '@sunbae/contracts'
import { definition } from '@sunbae/meeting/service'
import { computeSlots } from '@sunbae/meeting/slots'
import { scheduleOf } from '@sunbae/meeting/availability'
import type { DB } from '@sunbae/meeting/db'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { benchOptions } from '../lib/options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))
const opts = benchOptions({
  numbers: { 'slot-runs': [2000, 1, 1_000_000], 'http-runs': [300, 1, 1_000_000], mentors: [20, 1, 10_000], mentees: [40, 1, 10_000], attempts: [2000, 1, 1_000_000], concurrency: [32, 1, 1024] },
})
const { 'slot-runs': SLOT_RUNS, 'http-runs': HTTP_RUNS, mentors: MENTORS, mentees: MENTEES, attempts: ATTEMPTS, concurrency: CONCURRENCY } = opts
const ADMIN_URL = withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae', 'sunbae_bench_meeting')
const SERVICE_URL = serviceDatabaseUrl(ADMIN_URL, 'meeting')
const IDENTITY_SECRET = randomBytes(32).toString('base64url')
const say = (msg = '') => process.stdout.write(`${msg}\n`)
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
const ms = (x: number) => x.toFixed(2)
const DAY = 86_400_000

/** Who calls: signed by app.inject, as the gateway would, for meeting and each request's method and path. */
const headers = (uid: string, role: Identity['role']) => identityHeaders({ uid, role })

// ---- database and service ----
await setupDatabase({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['meeting'] })
await migrateAll({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['meeting'] })
{
  // TRUNCATE is the schema owner's (migrations'), not the service's login role's
  const { db, close } = createDb({ connectionString: ADMIN_URL, role: ownerRole('meeting'), schema: 'meeting', service: 'bench', slowQueryMs: Number.POSITIVE_INFINITY })
  await sql`truncate reminders, bookings, availability, matches, mentors, outbox, processed_events`.execute(db)
  await close()
}
const binary = findNatsServer()
if (!binary) throw new Error('nats-server not found: the bench runs its own')
const nats = await startPrivateNats(binary, join(mkdtempSync(join(tmpdir(), 'sunbae-bench-meeting-')), 'nats'))
const env = {
  ...(process.env as Record<string, string>),
  DATABASE_URL: SERVICE_URL,
  NATS_URL: nats.url,
  IDENTITY_SECRET,
  PORT: '0',
  LOG_LEVEL: 'warn',
  SLOW_QUERY_MS: '100000',
  DB_POOL_MAX: '20',
  MEETING_SWEEP_INTERVAL_MS: '3600000',
}
const app: FastifyInstance = signIdentitiesOnInject(await buildService(definition, loadConfig(definition.configSchema, env, definition.configDefaults)), definition.name, IDENTITY_SECRET)
await app.ready()
const db = app.db as Kysely<DB>

try {
  /** A mentor in the read model, as the catalog consumer would have written it. */
  const addMentor = async (uid: string) => {
    const id = randomUUID()
    await db.insertInto('mentors').values({ id, uid, status: 'active', timezone: 'Asia/Seoul', version_at: new Date(), version_id: randomUUID() }).execute()
    return id
  }
  const addMatches = async (mentorId: string, mentorUid: string, mentees: string[]) =>
    db
      .insertInto('matches')
      .values(mentees.map((m) => ({ match_id: randomUUID(), mentor_id: mentorId, mentor_uid: mentorUid, mentee_uid: m, accepted_at: new Date() })))
      .execute()
  const availability = (over: Partial<AvailabilityBody> = {}): AvailabilityBody => ({
    timezone: 'Asia/Seoul',
    weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '08:00', end: '22:00' }]])),
    overrides: [],
    durations: [60],
    slotIntervalMin: 30,
    bufferBeforeMin: 10,
    bufferAfterMin: 10,
    minNoticeMin: 120,
    horizonDays: 60,
    maxPerDay: null,
    pricePerHour: 0,
    fullRefundHours: 24,
    partialRefundHours: 2,
    partialRefundPercent: 50,
    rescheduleNoticeHours: 2,
    ...over,
  })
  const put = async (uid: string, body: AvailabilityBody) => {
    const res = await app.inject({ method: 'PUT', url: '/api/meetings/availability', headers: headers(uid, 'mentor'), payload: body })
    if (res.statusCode !== 200) throw new Error(`availability: ${res.body}`)
  }

  // ---- 2. slot computation ----
  const mentorUid = 'bench-mentor'
  const mentorId = await addMentor(mentorUid)
  await put(mentorUid, availability())
  const menteeUid = 'bench-mentee'
  await addMatches(mentorId, mentorUid, [menteeUid])
  // 200 one-hour sessions every two hours, 08:00–20:00 KST, from two days ahead
  const firstDay = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 2 * DAY - 9 * 3_600_000
  const starts: string[] = []
  for (let d = 0; starts.length < 200; d++) for (let h = 8; h <= 20 && starts.length < 200; h += 2) starts.push(new Date(firstDay + d * DAY + h * 3_600_000).toISOString())
  for (const start of starts) {
    const res = await app.inject({ method: 'POST', url: '/api/meetings/bookings', headers: headers(`${menteeUid}`, 'mentee'), payload: { mentorId, start, duration: 60 } })
    if (res.statusCode !== 201) throw new Error(`seeding booking ${start}: ${res.body}`)
  }
  const from = new Date(firstDay).toISOString()
  const to = new Date(firstDay + 30 * DAY).toISOString()
  const row = (await app.availability.find(mentorId))!
  const { busy, perDay } = await app.availability.busy(mentorId, firstDay - DAY, firstDay + 31 * DAY, row.timezone)
  const pure: number[] = []
  let slotCount = 0
  for (let i = 0; i < SLOT_RUNS; i++) {
    const t0 = performance.now()
    slotCount = computeSlots(scheduleOf(row), { from: Date.parse(from), to: Date.parse(to), durationMin: 60, now: Date.now(), busy, perDay }).length
    pure.push(performance.now() - t0)
  }
  pure.sort((a, b) => a - b)
  const http: number[] = []
  for (let i = 0; i < HTTP_RUNS; i++) {
    const t0 = performance.now()
    const res = await app.inject({ method: 'GET', url: `/api/meetings/mentors/${mentorId}/slots?from=${from}&to=${to}&duration=60&tz=America/New_York` })
    http.push(performance.now() - t0)
    if (res.statusCode !== 200) throw new Error(`slots: ${res.body}`)
  }
  http.sort((a, b) => a - b)
  say(`slots: a month, 200 bookings, ${slotCount} free one-hour slots`)
  say(`  computeSlots    p50 ${ms(pct(pure, 50))} ms  p99 ${ms(pct(pure, 99))} ms  (${SLOT_RUNS} runs)`)
  say(`  GET …/slots     p50 ${ms(pct(http, 50))} ms  p99 ${ms(pct(http, 99))} ms  (${HTTP_RUNS} runs, inject)`)

  // ---- 3. booking under contention ----
  const mentors: { id: string; uid: string; mentees: string[]; starts: string[] }[] = []
  const contestedDay = firstDay + 40 * DAY
  for (let i = 0; i < MENTORS; i++) {
    const uid = `bench-contended-${i}`
    const id = await addMentor(uid)
    await put(uid, availability({ bufferBeforeMin: 0, bufferAfterMin: 0 }))
    const mentees = Array.from({ length: MENTEES }, (_, j) => `bench-m${i}-${j}`)
    await addMatches(id, uid, mentees)
    // 12 starts half an hour apart from 09:00 KST: each overlaps its neighbours — at most 6 can succeed
    mentors.push({ id, uid, mentees, starts: Array.from({ length: 12 }, (_, k) => new Date(contestedDay + 9 * 3_600_000 + k * 1_800_000).toISOString()) })
  }
  const outcome = new Map<string, number>()
  let next = 0
  // xorshift32: the same attempts every run (an LCG's low bits would correlate mentor and start)
  let rnd = 20261127
  const pick = (n: number) => {
    rnd ^= rnd << 13
    rnd ^= rnd >>> 17
    rnd ^= rnd << 5
    return (rnd >>> 0) % n
  }
  const latencies: number[] = []
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ATTEMPTS) {
        next++
        const m = mentors[pick(mentors.length)]!
        const mentee = m.mentees[pick(m.mentees.length)]!
        const t1 = performance.now()
        const res = await app.inject({
          method: 'POST',
          url: '/api/meetings/bookings',
          headers: headers(mentee, 'mentee'),
          payload: { mentorId: m.id, start: m.starts[pick(m.starts.length)], duration: 60 },
        })
        latencies.push(performance.now() - t1)
        const key = res.statusCode === 201 ? 'created' : `${res.statusCode} ${res.json().error.code}`
        outcome.set(key, (outcome.get(key) ?? 0) + 1)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  const overlaps = await sql<{ n: string }>`select count(*) as n from bookings a join bookings b on a.id < b.id
    and a.state in ('held', 'confirmed') and b.state in ('held', 'confirmed')
    and ((a.mentor_id = b.mentor_id and a.mentor_block && b.mentor_block) or (a.mentee_uid = b.mentee_uid and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)))`.execute(db)
  const created = outcome.get('created') ?? 0
  const unexpected = [...outcome].filter(([k]) => k !== 'created' && !k.startsWith('409 '))
  say(`booking: ${ATTEMPTS} attempts on ${MENTORS} mentors × 12 overlapping starts, ${CONCURRENCY} in flight`)
  say(`  ${(ATTEMPTS / seconds).toFixed(0)} attempts/s, p50 ${ms(pct(latencies, 50))} ms p99 ${ms(pct(latencies, 99))} ms; ${JSON.stringify(Object.fromEntries(outcome))}`)
  say(`  overlapping active bookings afterwards: ${overlaps.rows[0]!.n}`)
  if (unexpected.length > 0 || Number(overlaps.rows[0]!.n) !== 0) throw new Error(`contention produced ${JSON.stringify(unexpected)} / ${overlaps.rows[0]!.n} overlaps`)

  if (opts.write) {
    const lines = [
      '# bench/meeting results',
      '',
      `${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, shared with other engineers' test runs.`,
      '',
      '| measure | figure |',
      '| --- | --- |',
      `| computeSlots, a month (Asia/Seoul 08:00–22:00 daily, 30-min grid, 10-min buffers), 200 bookings, ${slotCount} free slots | p50 ${ms(pct(pure, 50))} ms, p99 ${ms(pct(pure, 99))} ms (${SLOT_RUNS} runs) |`,
      `| GET /api/meetings/mentors/:id/slots for that month, tz=America/New_York (inject: Postgres + computation + serialization) | p50 ${ms(pct(http, 50))} ms, p99 ${ms(pct(http, 99))} ms (${HTTP_RUNS} runs) |`,
      `| POST /api/meetings/bookings under contention: ${ATTEMPTS} attempts, ${MENTORS} mentors × 12 overlapping starts, ${CONCURRENCY} in flight | ${(ATTEMPTS / seconds).toFixed(0)} attempts/s; p50 ${ms(pct(latencies, 50))} ms, p99 ${ms(pct(latencies, 99))} ms; ${created} created, ${ATTEMPTS - created} × 409 |`,
      `| overlapping active bookings afterwards | ${overlaps.rows[0]!.n} |`,
      '',
    ]
    writeFileSync(join(HERE, 'RESULTS.md'), lines.join('\n'))
    say('wrote bench/meeting/RESULTS.md')
  }
} finally {
  await app.close()
  await nats.stop()
}
