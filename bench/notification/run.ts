// `npm run bench:notification` — notification's fan-out on this machine, 127.0.0.1 only.
// Run it as `flock /tmp/sunbae-bench.lock npm run bench:notification` (other benchmarks share the 2 cores).
//
// 1. a database of its own (sunbae_bench_notification; setup + migrate, tables emptied), a private
//    NATS (startPrivateNats), the local SMTP sink (notification's src/mail/sink.ts, in a process of
//    its own: sink.ts, which reports each stored message), the running Firestore emulator (reused; started when none runs)
//    under a project of the bench's own (demo-sunbae-bench-notification, emptied before each round,
//    so the tests' documents in demo-sunbae are neither read nor touched);
// 2. notification as production starts it (`node --import @sunbae/telemetry/register src/server.ts`,
//    NODE_ENV=production), default settings but the SMTP sink and the Firestore project;
// 3. recipients: --recipients accounts announced with catalog.user.registered as the catalog now
//    publishes it (locale, time zone; a fifth of them English in America/New_York), half mentors;
// 4. each round: --events events published open-loop at --rate per second (an event every
//    1000/rate ms, whether or not earlier acks came back), 7 in 10 matching.request.created (the
//    mentor: in-app + email), 3 in 10 meeting.booking.confirmed (both parties: in-app + email with an
//    .ics invite) — 13,000 in-app notifications and 13,000 emails per 10,000 events. A Firestore
//    listener (onSnapshot of the `notifications` collection group) records when each document
//    arrives; the bench then joins document id → notification row → event → its publish time:
//      in-app latency = listener delivery − publish (also split: publish → row committed by the
//      consumer, → Firestore commit time (the document's updateTime), → listener delivery);
//      emails/s = messages the sink stored / (last stored − first stored), and email latency =
//      email_outbox.sent_at − publish.
//    A round ends when every expected document and email arrived, or --timeout s after the last
//    publish (what is missing is reported). CPU per event: notification's process, the Postgres
//    backends of the bench's database (the bench's own excluded) and the Firestore emulator.
// 5. before the rounds, the emulator alone: the same documents at the same rate, committed by the
//    bench in batch commits of what has queued, --bare-writers at a time, to the same listener — what Firestore
//    (here, the emulator) costs without the service (--skip-bare leaves it out).
//
// Options: --events <n> (10000) --rate <events/s> (200) --rounds <n> (3) --recipients <n> (1000)
//          --timeout <s> (120) --listener group|none (none: no listener during the rounds, only the
//          publish → Firestore commit figures) --skip-bare --bare-writers <n> (1: batch commits one at a time, as
//          the feed sync wrote before 2026-12-07 16:00; the feed sync now has FIRESTORE_SYNC_WRITERS, 3) --profile <dir> (notification writes a V8 CPU profile
//          there when it stops) --service-dir <dir> (run that copy of services/notification instead,
//          e.g. an older commit's `git archive`, for an A/B) --no-write (leave RESULTS.md alone)
// Env: DATABASE_URL (admin URL; the database is replaced by sunbae_bench_notification).
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getFirestore } from 'firebase-admin/firestore'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents, MatchingEvents, MeetingEvents, type DomainEvent } from '@sunbae/contracts'
import { migrateAll, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { OFFLINE_ENV, startEmulators } from '@sunbae/testing/emulators'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { bookingConfirmed } from '@sunbae/testing/fixtures'
import { freePort, startProcess, startService, stopProcess, waitReady, type ServiceProc } from '@sunbae/testing/processes'
import { benchOptions } from '../lib/options.ts'
import { latencies, percentile, spread } from '../lib/stats.ts'
import { cpuTicks, postgresTicks, TICKS } from '../tracking/cpu.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))
const opts = benchOptions({
  numbers: { events: [10_000, 10, 1_000_000], rate: [200, 1, 10_000], rounds: [3, 1, 20], recipients: [1000, 2, 100_000], timeout: [120, 5, 1800], 'bare-writers': [1, 1, 8] },
  choices: { listener: ['group', 'none'] },
  flags: ['skip-bare'],
  text: ['profile', 'service-dir'],
})
const { events: EVENTS, rate: RATE, rounds: ROUNDS, recipients: RECIPIENTS, timeout: TIMEOUT_S, 'bare-writers': BARE_WRITERS } = opts
const ADMIN_URL = withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae', 'sunbae_bench_notification')
const SERVICE_URL = serviceDatabaseUrl(ADMIN_URL, 'notification')
const PROJECT = 'demo-sunbae-bench-notification'
const say = (msg = '') => process.stdout.write(`${msg}\n`)
const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a')
const loads = () => loadavg().map((l) => l.toFixed(2)).join(' / ')

interface Round {
  published: number
  publishSeconds: number
  publishFailures: number
  inApp: { expected: number; seen: number; unmatched: number; p50: number; p95: number; p99: number; max: number }
  /** medians and p99 of the parts: publish → row, row → Firestore commit, commit → listener */
  parts: { toRow: [number, number]; toCommit: [number, number]; toListener: [number, number] }
  /** row → Firestore commit split at the feed sync's claim (firestore_synced_at, its transaction's start): row → claim, claim → commit; p50 / p99 */
  sync: { toClaim: [number, number]; claimToCommit: [number, number] }
  /** p50 and p99 of event published → its Firestore document committed (the document's updateTime) */
  publishToCommit: [number, number]
  email: { expected: number; delivered: number; perSecond: number; p50: number; p99: number; drainMs: number }
  /** CPU cores used from the first publish to the end of the round (2 = both busy) */
  cores: { service: number; bench: number }
  /** CPU milliseconds per event: notification's process, the Postgres backends serving it, the Firestore emulator */
  cpuMsPerEvent: { service: number; postgres: number; emulator: number }
  /** waits for a pool connection (every connection busy) during the round: how many, and their total in ms */
  poolWaits: { count: number; totalMs: number }
}

/** The bare-Firestore round: the same documents at the same rate, written by the bench itself. */
interface BareRound {
  docs: number
  seen: number
  /** write enqueued → listener delivery, p50 / p99 / max */
  total: [number, number, number]
  /** write enqueued → commit (updateTime), commit → listener: p50 / p99 */
  toCommit: [number, number]
  toListener: [number, number]
  emulatorCores: number
}

/** The Firestore emulator's process (java, its jar on the command line), for its CPU time. */
function emulatorPid(): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8')
      if (cmd.startsWith('java\0') && cmd.includes('cloud-firestore-emulator.jar')) return Number(d)
    } catch {
      // gone meanwhile
    }
  }
  return undefined
}
/** startService for a service folder elsewhere (`--service-dir`): the same process, env and readiness wait. */
const startServiceAt =
  (dir: string) =>
  async (name: string, env: Record<string, string>): Promise<ServiceProc> => {
    const port = await freePort()
    const p = startProcess(name, dir, { ...env, PORT: String(port) })
    const url = `http://127.0.0.1:${port}`
    await waitReady(`${url}/readyz`, p, 60_000).catch((err: unknown) => {
      p.child.kill('SIGKILL')
      throw err
    })
    return { ...p, url }
  }
/** notification's `sunbae_db_pool_wait_seconds` so far (/metrics): how many waits, and their total in ms. */
const poolWaits = async (url: string): Promise<{ count: number; totalMs: number }> => {
  const text = await (await fetch(`${url}/metrics`)).text()
  const num = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  return { count: num('sunbae_db_pool_wait_seconds_count'), totalMs: num('sunbae_db_pool_wait_seconds_sum') * 1000 }
}
const sumTicks = (m: Map<number, number>, then: Map<number, number>) => [...m].reduce((a, [pid, t]) => a + t - (then.get(pid) ?? 0), 0)

// nothing in this process may look for a cloud metadata server (firebase-admin would)
Object.assign(process.env, OFFLINE_ENV)
const startLoad = loads()
say(`notification fan-out: ${EVENTS} events at ${RATE}/s, ${ROUNDS} rounds, ${RECIPIENTS} recipients, ${cpus().length} CPUs, load ${startLoad}`)

// ---- infrastructure ----
await setupDatabase({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['notification'] })
await migrateAll({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['notification'] })
// the admin role: it empties and reads notification's tables whoever owns them
const db = new pg.Client({ connectionString: ADMIN_URL })
await db.connect()
/** the bench's own backend: its queries are not the service's cost */
const benchBackend = new Set([(await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid])
const tables = (
  await db.query<{ t: string }>(`select tablename as t from pg_tables where schemaname = 'notification' and tablename not like 'kysely_migration%'`)
).rows.map((r) => r.t)
await db.query(`truncate ${tables.map((t) => `notification.${t}`).join(', ')}`)

const emu = await startEmulators({ auth: false, firestore: true, logDir: join(ROOT, '.run/bench-notification-emulators'), log: say })
if (!emu.firestoreAvailable) throw new Error(`the Firestore emulator is unavailable here: ${emu.firestoreReason}`)
const firestoreHost = emu.env.FIRESTORE_EMULATOR_HOST!
process.env.FIRESTORE_EMULATOR_HOST = firestoreHost
/** Empties the bench's own project in the emulator (the emulator's REST reset, one project only). */
const clearFirestore = async () => {
  const res = await fetch(`http://${firestoreHost}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`, { method: 'DELETE' })
  if (!res.ok) throw new Error(`clearing the emulator's ${PROJECT}: ${res.status} ${await res.text()}`)
}
await clearFirestore()

// run last first: the bench's documents are cleared while the emulator still runs, then it stops
const cleanups: (() => Promise<unknown>)[] = [() => db.end(), () => emu.stop(), () => clearFirestore()]
/** Stops what was started, last first; one failing does not keep the others running. */
const cleanup = async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: unknown) => say(`cleanup: ${String(err)}`))
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)))
const publish = (e: DomainEvent) => js.publish(e.type, JSON.stringify(e), { msgID: e.id })
let js: ReturnType<typeof jetstream>
let stored: number[] = []

try {
  const binary = findNatsServer()
  if (!binary) throw new Error('nats-server not found: the bench runs its own')
  const natsDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-notification-'))
  const nats = await startPrivateNats(binary, join(natsDir, 'nats'))
  cleanups.push(async () => {
    await nats.stop()
    rmSync(natsDir, { recursive: true, force: true })
  })
  const mailDir = mkdtempSync(join(tmpdir(), 'sunbae-bench-mail-'))
  const sinkProc = spawn(process.execPath, [join(HERE, 'sink.ts'), mailDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const sinkExited = new Promise<void>((resolve) => sinkProc.once('exit', () => resolve()))
  cleanups.push(async () => {
    sinkProc.kill('SIGTERM')
    await sinkExited
    rmSync(mailDir, { recursive: true, force: true })
  })
  const sink = await new Promise<{ url: string }>((resolve, reject) => {
    sinkProc.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code}) before listening`)))
    createInterface({ input: sinkProc.stdout! }).on('line', (line) => {
      if (line.startsWith('url ')) resolve({ url: line.slice(4) })
      else stored.push(Number(line))
    })
  })
  // as production starts it (its server.ts, its own process), without NODE_ENV=production: the
  // bench sends it no signed identity, only events
  // --service-dir <dir>: another copy of services/notification (an older commit's, for an A/B on
  // the same machine at the same time), relative to the repository root or absolute
  const serviceDir = opts.text['service-dir'] ? relative(ROOT, resolve(opts.text['service-dir'])) : undefined
  const service = await (serviceDir ? startServiceAt(serviceDir) : startService)('notification', {
    ...(process.env as Record<string, string>),
    ...OFFLINE_ENV,
    DATABASE_URL: SERVICE_URL,
    NATS_URL: nats.url,
    IDENTITY_SECRET: randomBytes(32).toString('base64url'),
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    FIREBASE_PROJECT_ID: PROJECT,
    GCLOUD_PROJECT: PROJECT,
    SMTP_URL: sink.url,
    LOG_LEVEL: 'warn',
    SLOW_QUERY_MS: '100000',
    // --profile <dir>: the service writes a V8 CPU profile there when it stops (node --cpu-prof)
    ...(opts.text.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${opts.text.profile}` } : {}),
  })
  cleanups.push(() => stopProcess(service))
  say(`notification is up (${service.url}); Firestore emulator ${firestoreHost} (${emu.status.find((x) => x.name === 'firestore')?.state})`)
  const nc = await connect({ servers: nats.url, name: 'bench-notification' })
  cleanups.push(() => nc.close())
  js = jetstream(nc)
  const admin = initializeApp({ projectId: PROJECT }, `bench-notification-${randomUUID()}`)
  const firestore = getFirestore(admin)
  cleanups.push(async () => {
    await firestore.terminate()
    await deleteApp(admin)
  })

  // ---- recipients ----
  const people = Array.from({ length: RECIPIENTS }, (_, i) => {
    const uid = `bench-${i}-${randomUUID().slice(0, 8)}`
    const english = i % 5 === 4
    return { uid, role: i % 2 === 0 ? ('mentor' as const) : ('mentee' as const), locale: english ? ('en' as const) : ('ko' as const), timeZone: english ? 'America/New_York' : 'Asia/Seoul' }
  })
  const mentors = people.filter((p) => p.role === 'mentor')
  const mentees = people.filter((p) => p.role === 'mentee')
  await Promise.all(
    people.map((p) =>
      publish(
        createEvent({
          type: CatalogEvents.userRegistered.type,
          version: CatalogEvents.userRegistered.version,
          source: 'mentor-catalog',
          actor: { type: 'user', id: p.uid, role: p.role },
          subject: { type: 'user', id: p.uid },
          data: { uid: p.uid, email: `${p.uid}@bench.sunbae.test`, displayName: `${p.role} ${p.uid.slice(6, 14)}`, role: p.role, locale: p.locale, timeZone: p.timeZone },
        }),
      ),
    ),
  )
  for (const deadline = Date.now() + 60_000; ; ) {
    const n = Number((await db.query<{ n: string }>('select count(*) as n from notification.recipients')).rows[0]!.n)
    if (n >= RECIPIENTS) break
    if (Date.now() > deadline) throw new Error(`only ${n} of ${RECIPIENTS} recipients known after 60 s`)
    await sleep(200)
  }
  say(`${RECIPIENTS} recipients known`)

  /** The i-th event of a round: 7 in 10 requests (1 recipient), 3 in 10 confirmed bookings (2). */
  const eventAt = (i: number): { event: DomainEvent; recipients: number } => {
    const mentor = mentors[i % mentors.length]!
    const mentee = mentees[(i * 7 + 3) % mentees.length]!
    const now = new Date()
    if (i % 10 < 7) {
      return {
        recipients: 1,
        event: createEvent({
          type: MatchingEvents.requestCreated.type,
          version: MatchingEvents.requestCreated.version,
          source: 'matching',
          actor: { type: 'user', id: mentee.uid, role: 'mentee' },
          data: {
            requestId: randomUUID(),
            mentorId: randomUUID(),
            mentorUid: mentor.uid,
            menteeUid: mentee.uid,
            message: '안녕하세요! 포트폴리오와 이력서를 같이 봐 주실 수 있을까요? 다음 주 면접을 준비하고 있어요.',
            createdAt: now.toISOString(),
            expiresAt: new Date(now.getTime() + 3 * 86_400_000).toISOString(),
          },
        }),
      }
    }
    const startsAt = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000 + 2 * 86_400_000)
    return {
      recipients: 2,
      event: createEvent({
        type: MeetingEvents.bookingConfirmed.type,
        version: MeetingEvents.bookingConfirmed.version,
        source: 'meeting',
        actor: { type: 'system', id: null },
        data: bookingConfirmed({ menteeUid: mentee.uid, mentorUid: mentor.uid, startsAt }, { confirmedAt: now.toISOString() }),
      }),
    }
  }

  /**
   * A listener on the `notifications` collection group (every user's feed): document id →
   * [listener delivery, Firestore commit (updateTime)], epoch ms. Resolves once it is attached.
   */
  const listen = async () => {
    const seen = new Map<string, [number, number]>()
    const state: { error?: Error } = {}
    let firstSnapshot!: () => void
    const listening = new Promise<void>((resolve) => (firstSnapshot = resolve))
    const unsubscribe = firestore.collectionGroup('notifications').onSnapshot(
      (snap) => {
        const at = Date.now()
        for (const c of snap.docChanges()) if (c.type === 'added' && !seen.has(c.doc.id)) seen.set(c.doc.id, [at, c.doc.updateTime.toMillis()])
        firstSnapshot()
      },
      (err) => {
        state.error = err
        firstSnapshot()
      },
    )
    await listening
    if (state.error) throw state.error
    return { seen, state, unsubscribe }
  }
  const emulator = emulatorPid()

  // ---- the emulator alone: the same documents at the same rate, no service ----
  // What Firestore (the emulator here) costs by itself: each event's documents (1 or 2, the shape
  // the feed sync writes) are queued at the event's time and committed as the feed sync commits them:
  // batches of what has queued (≤ 200), --bare-writers in flight at once (a free writer takes what
  // has queued), under users/<uid>/notifications, to the same listener.
  let bare: BareRound | undefined
  if (!opts['skip-bare']) {
    await clearFirestore()
    const { seen, state, unsubscribe } = await listen()
    const queuedAt = new Map<string, number>()
    const pending: { path: string; data: Record<string, unknown> }[] = []
    let publishing = true
    // batch commits of up to 200 documents, a few at once like the feed sync's writers (a commit per
    // document, all at once, made the emulator time out: "Transaction lock timeout"; 3 batch writers
    // at 260 documents/s did not)
    const writeLoop = async () => {
      while (publishing || pending.length > 0) {
        if (pending.length === 0) {
          await sleep(5)
          continue
        }
        const batch = firestore.batch()
        for (const w of pending.splice(0, 200)) batch.set(firestore.doc(w.path), w.data)
        await batch.commit()
      }
    }
    const writer = Promise.all(Array.from({ length: BARE_WRITERS }, writeLoop))
    const e0 = emulator ? cpuTicks(emulator) : 0
    const t0 = performance.now()
    for (let i = 0; i < EVENTS; i++) {
      const due = t0 + (i * 1000) / RATE
      const ahead = due - performance.now()
      if (ahead >= 1) await sleep(ahead)
      const { event, recipients } = eventAt(i)
      const uids = recipients === 1 ? [(event.data as { mentorUid: string }).mentorUid] : [(event.data as { menteeUid: string }).menteeUid, (event.data as { mentorUid: string }).mentorUid]
      for (const uid of uids) {
        const id = randomUUID()
        queuedAt.set(id, Date.now())
        pending.push({
          path: `users/${uid}/notifications/${id}`,
          data: { id, type: event.type, category: 'requests', title: '새 1:1 요청', body: '안녕하세요! 포트폴리오와 이력서를 같이 봐 주실 수 있을까요?', link: '/requests', createdAt: new Date(), readAt: null },
        })
      }
    }
    publishing = false
    await writer
    const deadline = Date.now() + TIMEOUT_S * 1000
    while (seen.size < queuedAt.size && Date.now() < deadline && !state.error) await sleep(100)
    unsubscribe()
    if (state.error) throw state.error
    const seconds = (performance.now() - t0) / 1000
    const total = latencies(queuedAt, [...seen].map(([id, [at]]) => [id, at] as const))
    const toCommit = latencies(queuedAt, [...seen].map(([id, [, commit]]) => [id, commit] as const))
    const commitsOf = new Map([...seen].map(([id, [, commit]]) => [id, commit]))
    const toListener = latencies(commitsOf, [...seen].map(([id, [at]]) => [id, at] as const))
    bare = {
      docs: queuedAt.size,
      seen: seen.size,
      total: [percentile(total.sorted, 50), percentile(total.sorted, 99), total.sorted[total.sorted.length - 1] ?? NaN],
      toCommit: [percentile(toCommit.sorted, 50), percentile(toCommit.sorted, 99)],
      toListener: [percentile(toListener.sorted, 50), percentile(toListener.sorted, 99)],
      emulatorCores: emulator ? (cpuTicks(emulator) - e0) / TICKS / seconds : NaN,
    }
    say(
      `the emulator alone: ${bare.seen}/${bare.docs} documents, write → listener p50 ${ms(bare.total[0])} p99 ${ms(bare.total[1])} max ${ms(bare.total[2])} ` +
        `[→ commit ${ms(bare.toCommit[0])}/${ms(bare.toCommit[1])}, commit → listener ${ms(bare.toListener[0])}/${ms(bare.toListener[1])}]; emulator ${bare.emulatorCores.toFixed(2)} cores; load ${loads()}`,
    )
  }

  const rounds: Round[] = []
  for (let r = 1; r <= ROUNDS; r++) {
    // every round starts from empty tables and an empty Firestore project
    await db.query('truncate notification.notifications, notification.email_outbox, notification.processed_events')
    await clearFirestore()
    stored = []
    // --listener none: nothing listens during the round (the emulator evaluates listeners inside
    // each commit, so a listener slows the very writes it measures); commit times are read after it
    const withListener = opts.listener === 'group'
    const { seen, state, unsubscribe } = withListener ? await listen() : { seen: new Map<string, [number, number]>(), state: {} as { error?: Error }, unsubscribe: () => {} }
    const syncedRows = async () =>
      Number((await db.query<{ n: string }>(`select count(*) as n from notification.notifications where channel = 'in_app' and firestore_synced_at is not null`)).rows[0]!.n)

    // ---- publish, open loop ----
    const publishedAt = new Map<string, number>()
    let expected = 0
    let failures = 0
    const acks: Promise<unknown>[] = []
    const t0 = performance.now()
    const waits0 = await poolWaits(service.url)
    const ticks0 = { service: cpuTicks(service.child.pid!), bench: cpuTicks(process.pid), emulator: emulator ? cpuTicks(emulator) : 0, pg: postgresTicks('sunbae_bench_notification', benchBackend).backends }
    for (let i = 0; i < EVENTS; i++) {
      const due = t0 + (i * 1000) / RATE
      const ahead = due - performance.now()
      if (ahead >= 1) await sleep(ahead)
      const { event, recipients } = eventAt(i)
      expected += recipients
      publishedAt.set(event.id, Date.now())
      acks.push(
        publish(event).catch(() => {
          failures++
        }),
      )
    }
    await Promise.all(acks)
    const publishSeconds = (performance.now() - t0) / 1000
    const lastPublish = Date.now()

    // ---- wait for the documents and the emails ----
    const deadline = lastPublish + TIMEOUT_S * 1000
    let synced = 0
    const documents = async () => (withListener ? seen.size : synced)
    while (((await documents()) < expected || stored.length < expected) && Date.now() < deadline && !state.error) {
      await sleep(100)
      if (!withListener) synced = await syncedRows()
    }
    unsubscribe()
    if (state.error) throw state.error
    if (!withListener) {
      // every document's commit time, no delivery time
      for (const d of (await firestore.collectionGroup('notifications').select().get()).docs) seen.set(d.id, [NaN, d.updateTime.toMillis()])
    }
    const roundSeconds = (performance.now() - t0) / 1000
    const waits1 = await poolWaits(service.url)
    const serviceTicks = cpuTicks(service.child.pid!) - ticks0.service
    const cores = {
      service: serviceTicks / TICKS / roundSeconds,
      bench: (cpuTicks(process.pid) - ticks0.bench) / TICKS / roundSeconds,
    }
    const perEvent = (ticks: number) => (ticks * (1000 / TICKS)) / EVENTS
    const cpuMsPerEvent = {
      service: perEvent(serviceTicks),
      postgres: perEvent(sumTicks(postgresTicks('sunbae_bench_notification', benchBackend).backends, ticks0.pg)),
      emulator: emulator ? perEvent(cpuTicks(emulator) - ticks0.emulator) : NaN,
    }

    // ---- join: document → row → event ----
    const rows = (
      await db.query<{ id: string; event_id: string; channel: string; created: number; claimed: number | null; sent: number | null }>(
        `select n.id, n.event_id, n.channel, extract(epoch from n.created_at) * 1000 as created, extract(epoch from n.firestore_synced_at) * 1000 as claimed, extract(epoch from e.sent_at) * 1000 as sent
           from notification.notifications n left join notification.email_outbox e on e.notification_id = n.id`,
      )
    ).rows
    const inAppRows = rows.filter((x) => x.channel === 'in_app')
    const eventOf = new Map(inAppRows.map((x) => [x.id, x.event_id]))
    const createdOf = new Map(inAppRows.map((x) => [x.id, Number(x.created)]))
    const delivered = [...seen].filter(([, [at]]) => Number.isFinite(at))
    const total = latencies(publishedAt, delivered.map(([id, [at]]) => [eventOf.get(id) ?? '', at] as const))
    const toRow = latencies(publishedAt, inAppRows.map((x) => [x.event_id, Number(x.created)] as const))
    const commits = new Map([...seen].map(([id, [, commit]]) => [id, commit]))
    const toCommit = latencies(createdOf, commits)
    const claimedOf = new Map(inAppRows.filter((x) => x.claimed !== null).map((x) => [x.id, Number(x.claimed)]))
    const toClaim = latencies(createdOf, claimedOf)
    const claimToCommit = latencies(claimedOf, commits)
    const toListener = latencies(commits, delivered.map(([id, [at]]) => [id, at] as const))
    const publishToCommit = latencies(publishedAt, [...seen].map(([id, [, commit]]) => [eventOf.get(id) ?? '', commit] as const))
    const emailLag = latencies(publishedAt, rows.filter((x) => x.channel === 'email' && x.sent !== null).map((x) => [x.event_id, Number(x.sent)] as const))
    const firstStored = stored[0] ?? NaN
    const lastStored = stored[stored.length - 1] ?? NaN
    const round: Round = {
      published: EVENTS,
      publishSeconds,
      publishFailures: failures,
      inApp: {
        expected,
        seen: seen.size,
        unmatched: total.unmatched,
        p50: percentile(total.sorted, 50),
        p95: percentile(total.sorted, 95),
        p99: percentile(total.sorted, 99),
        max: total.sorted[total.sorted.length - 1] ?? NaN,
      },
      parts: {
        toRow: [percentile(toRow.sorted, 50), percentile(toRow.sorted, 99)],
        toCommit: [percentile(toCommit.sorted, 50), percentile(toCommit.sorted, 99)],
        toListener: [percentile(toListener.sorted, 50), percentile(toListener.sorted, 99)],
      },
      sync: {
        toClaim: [percentile(toClaim.sorted, 50), percentile(toClaim.sorted, 99)],
        claimToCommit: [percentile(claimToCommit.sorted, 50), percentile(claimToCommit.sorted, 99)],
      },
      publishToCommit: [percentile(publishToCommit.sorted, 50), percentile(publishToCommit.sorted, 99)],
      email: {
        expected,
        delivered: stored.length,
        perSecond: stored.length > 1 ? (stored.length - 1) / ((lastStored - firstStored) / 1000) : NaN,
        p50: percentile(emailLag.sorted, 50),
        p99: percentile(emailLag.sorted, 99),
        drainMs: lastStored - lastPublish,
      },
      cores,
      cpuMsPerEvent,
      poolWaits: { count: waits1.count - waits0.count, totalMs: waits1.totalMs - waits0.totalMs },
    }
    rounds.push(round)
    say(
      `round ${r}: published ${EVENTS} in ${publishSeconds.toFixed(1)} s (${(EVENTS / publishSeconds).toFixed(0)}/s, ${failures} failed); ` +
        `in-app ${seen.size}/${expected} p50 ${ms(round.inApp.p50)} p95 ${ms(round.inApp.p95)} p99 ${ms(round.inApp.p99)} max ${ms(round.inApp.max)} ` +
        `publish → Firestore commit p50 ${ms(round.publishToCommit[0])} p99 ${ms(round.publishToCommit[1])} ` +
        `[→ row p50/p99 ${ms(round.parts.toRow[0])}/${ms(round.parts.toRow[1])}, → Firestore commit ${ms(round.parts.toCommit[0])}/${ms(round.parts.toCommit[1])} (row → claim ${ms(round.sync.toClaim[0])}/${ms(round.sync.toClaim[1])}, claim → commit ${ms(round.sync.claimToCommit[0])}/${ms(round.sync.claimToCommit[1])}), → listener ${ms(round.parts.toListener[0])}/${ms(round.parts.toListener[1])}]; ` +
        `email ${stored.length}/${expected} ${round.email.perSecond.toFixed(0)}/s, lag p50 ${ms(round.email.p50)} p99 ${ms(round.email.p99)}, last ${ms(round.email.drainMs)} after the last publish; ` +
        `CPU cores: notification ${cores.service.toFixed(2)}, bench (publisher, listener, sink) ${cores.bench.toFixed(2)}; ` +
        `CPU ms per event: notification ${cpuMsPerEvent.service.toFixed(2)}, Postgres ${cpuMsPerEvent.postgres.toFixed(2)}, emulator ${cpuMsPerEvent.emulator.toFixed(2)}; ` +
        `pool waits ${round.poolWaits.count} (${ms(round.poolWaits.totalMs)} in all); load ${loads()}`,
    )
    if (r < ROUNDS && (seen.size < expected || stored.length < expected)) {
      // the service is still working on this round: emptying its tables under it deadlocks (and
      // its late documents would count in the next round); a round that could not finish says enough
      say(`round ${r} did not finish within ${TIMEOUT_S} s of its last publish: no further rounds`)
      break
    }
  }

  const endLoad = loads()
  const p99s = spread(rounds.map((x) => x.inApp.p99))
  const commitP99s = spread(rounds.map((x) => x.publishToCommit[1]))
  const cpuService = spread(rounds.map((x) => x.cpuMsPerEvent.service))
  const cpuPostgres = spread(rounds.map((x) => x.cpuMsPerEvent.postgres))
  const rates = spread(rounds.map((x) => x.email.perSecond))
  const complete = rounds.every((x) => x.inApp.seen === x.inApp.expected && x.email.delivered === x.email.expected && x.publishFailures === 0)
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**')
  say(`in-app p99 median ${ms(p99s.median)} (${ms(p99s.min)}–${ms(p99s.max)}); publish → Firestore commit p99 median ${ms(commitP99s.median)} (${ms(commitP99s.min)}–${ms(commitP99s.max)}); emails/s median ${rates.median.toFixed(0)} (${rates.min.toFixed(0)}–${rates.max.toFixed(0)}); everything delivered: ${complete}; load ${endLoad}`)
  // on a shared machine the latencies measure the other work too: against the emulator alone in the
  // same run, the service's share is what survives the load
  const ratio = bare ? commitP99s.median / bare.toCommit[1] : NaN
  if (bare) say(`publish → Firestore commit p99 / the emulator alone's write → commit p99: ${ratio.toFixed(2)} (${ms(commitP99s.median)} / ${ms(bare.toCommit[1])}, ${BARE_WRITERS} bare writer(s))`)

  if (opts.write) {
    const perRound = rounds.map(
      (x, i) =>
        `| ${i + 1} | ${(x.published / x.publishSeconds).toFixed(0)} | ${x.inApp.seen} / ${x.inApp.expected} | ${ms(x.inApp.p50)} | ${ms(x.inApp.p95)} | ${ms(x.inApp.p99)} | ${ms(x.inApp.max)} | ` +
        `${ms(x.parts.toRow[0])} / ${ms(x.parts.toRow[1])} | ${ms(x.parts.toCommit[0])} / ${ms(x.parts.toCommit[1])} | ${ms(x.sync.toClaim[0])} / ${ms(x.sync.toClaim[1])} | ${ms(x.sync.claimToCommit[0])} / ${ms(x.sync.claimToCommit[1])} | ${ms(x.parts.toListener[0])} / ${ms(x.parts.toListener[1])} | ` +
        `${ms(x.publishToCommit[0])} / ${ms(x.publishToCommit[1])} | ` +
        `${x.email.delivered} / ${x.email.expected} | ${x.email.perSecond.toFixed(0)} | ${ms(x.email.p50)} / ${ms(x.email.p99)} | ${x.cores.service.toFixed(2)} / ${x.cores.bench.toFixed(2)} | ` +
        `${x.cpuMsPerEvent.service.toFixed(2)} / ${x.cpuMsPerEvent.postgres.toFixed(2)} / ${x.cpuMsPerEvent.emulator.toFixed(2)} | ${x.poolWaits.count} / ${ms(x.poolWaits.totalMs)} |`,
    )
    const lines = [
      '# bench/notification results',
      '',
      `Run: \`flock /tmp/sunbae-bench.lock npm run bench:notification -- --events ${EVENTS} --rate ${RATE} --rounds ${ROUNDS} --recipients ${RECIPIENTS}${opts.listener === 'none' ? ' --listener none' : ''}${opts['skip-bare'] ? ' --skip-bare' : ` --bare-writers ${BARE_WRITERS}`}\`, ${new Date().toISOString()}.`,
      `Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; NATS (private), Postgres, the Firestore emulator, notification, the SMTP sink and the publisher share them.`,
      `Load average (1 / 5 / 15 min): ${startLoad} at the start, ${endLoad} at the end.`,
      '',
      '| what | figure (median of rounds, lowest–highest) | target |',
      '| --- | --- | --- |',
      opts.listener === 'none'
        ? '| in-app p99, event published → its Firestore document delivered to a listener | not measured (`--listener none`) | |'
        : `| in-app p99, event published → its Firestore document delivered to a listener | **${ms(p99s.median)}** (${ms(p99s.min)}–${ms(p99s.max)}) | ≤ 1 s — ${verdict(p99s.max <= 1000 && complete)} |`,
      `| in-app p99, event published → its Firestore document written (commit time) | **${ms(commitP99s.median)}** (${ms(commitP99s.min)}–${ms(commitP99s.max)}) | ≤ 1 s — ${verdict(commitP99s.max <= 1000 && complete)} |`,
      `| emails stored by the SMTP sink per second (first to last of a round) | **${rates.median.toFixed(0)}/s** (${rates.min.toFixed(0)}–${rates.max.toFixed(0)}) | ≥ 200/s — ${verdict(rates.min >= 200 && complete)} |`,
      `| everything expected arrived, no publish failed | ${complete ? 'yes' : '**no**'} | |`,
      `| CPU per event: notification's process / the Postgres backends serving it | ${cpuService.median.toFixed(2)} ms (${cpuService.min.toFixed(2)}–${cpuService.max.toFixed(2)}) / ${cpuPostgres.median.toFixed(2)} ms (${cpuPostgres.min.toFixed(2)}–${cpuPostgres.max.toFixed(2)}) | |`,
      '',
      ...(bare
        ? [
            `The emulator alone (no service; the bench commits the same ${bare.docs} documents at the same rate in batches of what has queued, ${BARE_WRITERS === 1 ? 'one commit at a time' : `${BARE_WRITERS} commits at a time`}, same listener): ` +
              `${bare.seen} / ${bare.docs} delivered, write → listener p50 ${ms(bare.total[0])}, p99 **${ms(bare.total[1])}**, max ${ms(bare.total[2])} ` +
              `(→ commit p50 / p99 ${ms(bare.toCommit[0])} / ${ms(bare.toCommit[1])}, commit → listener ${ms(bare.toListener[0])} / ${ms(bare.toListener[1])}); the emulator used ${bare.emulatorCores.toFixed(2)} cores. ` +
              `The service's publish → commit p99 (median of rounds) is **${ratio.toFixed(2)}×** the emulator's own write → commit p99.`,
            '',
          ]
        : []),
      `Per round (${EVENTS} events at ${RATE}/s: 7 in 10 matching.request.created → the mentor, 3 in 10 meeting.booking.confirmed → both; each notification in-app and by email):`,
      '',
      '| round | events/s published | in-app documents | p50 | p95 | p99 | max | publish → row p50 / p99 | row → Firestore commit | of which row → feed sync claim | and claim → commit | commit → listener | publish → Firestore commit p50 / p99 | emails | emails/s | email publish → sent p50 / p99 | CPU cores notification / bench | CPU ms per event notification / Postgres / emulator | pool waits (count / total) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...perRound,
      '',
    ]
    writeFileSync(join(HERE, 'RESULTS.md'), lines.join('\n'))
    say('wrote bench/notification/RESULTS.md')
  }
} finally {
  await cleanup()
}
