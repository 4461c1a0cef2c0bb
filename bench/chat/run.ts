// `npm run bench:chat` — chat mirror lag on this machine, 127.0.0.1 only.
// Run it as `flock /tmp/sunbae-bench.lock npm run bench:chat` (other benchmarks share the 2 cores).
//
// Mirror lag = the time from a message write into Firestore until GET /api/chat/rooms/:id/messages of
// chat-bridge shows it. `--via admin` (default) writes with the Admin SDK, which can keep many writes
// in flight; `--via sdk` writes through the Firebase web SDK as signed-in members under
// firestore.rules, as the browser does (each web SDK client keeps only a few writes in flight).
//
// 1. a database of its own (sunbae_bench_chat; setup + migrate), a fresh Firestore emulator of its
//    own (rules loaded), the Auth emulator (reused when running), NATS_URL as it is;
// 2. two Auth-emulator users and an open room between them (written as chat-bridge writes rooms);
//    the sync's checkpoints are set to "now", so the run does not first catch up on the emulator's
//    history;
// 3. chat-bridge as production starts it (`node --import @sunbae/telemetry/register src/server.ts`,
//    Postgres mirror; NODE_ENV unset: production would only add credential checks);
// 4. writers post at a fixed rate (open loop: a write is issued every 1000/rate ms whether or not
//    earlier ones were acknowledged) for warm-up + duration seconds; one poller asks the API for the
//    newest 100 messages back to back and records when each id is first seen. Lag figures cover
//    the measured window only; ids never seen within the window count as missed.
//
// Options: --via admin|sdk (admin) --rate <msg/s> (200) --writers <SDK clients, --via sdk> (8) --duration <s> (20) --warmup <s> (3) --no-write (leave RESULTS.md alone)
//   --feed apply: the sync's own capacity, its messages fed in-process (see mainApply and apply-feed.ts), with
//   --rooms <n> (200) --pollers <sampled rooms polled> (10) --rounds <n> (1) --profile <dir> (chat-bridge's CPU profile)
// Env: DATABASE_URL (admin URL; database replaced by sunbae_bench_chat), NATS_URL, BENCH_PORT_BASE (18600),
// BENCH_CHAT_BRIDGE_DIR (the chat-bridge package directory to start; default services/chat-bridge).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { deleteApp as deleteAdminApp, initializeApp as initializeAdminApp } from 'firebase-admin/app'
import { FieldValue, getFirestore as getAdminFirestore } from 'firebase-admin/firestore'
import { deleteApp, initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth'
import { collection, connectFirestoreEmulator, doc, getFirestore, serverTimestamp, setDoc, setLogLevel, type Firestore } from 'firebase/firestore'
import { migrateAll, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { IDENTITY_HEADER, identityKey, signIdentity } from '@sunbae/service-kit'
import { createEmulatorUser, type EmulatorUser } from '@sunbae/testing'
import { OFFLINE_ENV, PROJECT_ID, startEmulators } from '@sunbae/testing/emulators'
import { benchOptions } from '../lib/options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))
const opts = benchOptions({
  numbers: { rate: [200, 1, 20_000], writers: [8, 1, 64], duration: [20, 1, 300], warmup: [3, 0, 60], rooms: [200, 1, 5000], pollers: [10, 1, 64], rounds: [1, 1, 10] },
  choices: { via: ['admin', 'sdk'], feed: ['emulator', 'apply'] },
  text: ['profile'],
})
const { rate: RATE, duration: DURATION, warmup: WARMUP, writers: WRITERS, via: VIA } = opts
const PORT = Number(process.env.BENCH_PORT_BASE ?? 18600) + 5
const FIRESTORE_PORT = Number(process.env.BENCH_PORT_BASE ?? 18600) + 6
const ADMIN_URL = withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae', 'sunbae_bench_chat')
const SERVICE_URL = serviceDatabaseUrl(ADMIN_URL, 'chat_bridge')
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const IDENTITY_SECRET = randomBytes(32).toString('base64url')
/** chat-bridge's own identity key (derived from the secret, as the gateway derives it) */
const chatKey = identityKey(IDENTITY_SECRET, 'chat-bridge')
const SYNC_NAME = 'bench'
const LOG_FILE = `${ROOT}.run/bench-chat/chat-bridge.log`
mkdirSync(`${ROOT}.run/bench-chat`, { recursive: true })
const say = (m: string) => process.stdout.write(`${m}\n`)
const APPLY_START = '<!-- bench:chat --feed apply -->'
const APPLY_END = '<!-- /bench:chat --feed apply -->'

// the SDK logs every retried RPC; the bench reports failures itself
setLogLevel('error')

const children: ChildProcess[] = []
const cleanups: (() => Promise<unknown>)[] = []
async function shutdown(code: number): Promise<never> {
  await Promise.all(
    children.map(async (c) => {
      // ended already (an exit code, or killed by a signal): its 'exit' has been emitted
      if (c.exitCode !== null || c.signalCode !== null) return
      const exited = new Promise((r) => c.once('exit', r))
      c.kill('SIGTERM')
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }),
  )
  for (const fn of cleanups.reverse()) await fn().catch(() => {})
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(130))

async function signedIn(user: EmulatorUser, authHost: string, firestoreHost: string): Promise<Firestore> {
  const app = initializeApp({ projectId: PROJECT_ID, apiKey: 'fake-api-key' }, `bench-${randomUUID()}`)
  cleanups.push(() => deleteApp(app))
  const auth = getAuth(app)
  connectAuthEmulator(auth, `http://${authHost}`, { disableWarnings: true })
  await signInWithEmailAndPassword(auth, user.email, user.password)
  const db = getFirestore(app)
  const [host, port] = firestoreHost.split(':')
  connectFirestoreEmulator(db, host!, Number(port))
  return db
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN)

async function main(): Promise<void> {
  say(`chat mirror lag: ${RATE} msg/s for ${DURATION} s after ${WARMUP} s warm-up, ${cpus().length} CPUs`)
  await setupDatabase({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['chat-bridge'] })
  await migrateAll({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['chat-bridge'] })

  // a Firestore emulator of the bench's own: the shared one holds every test run's documents, and
  // the emulator's queries and listeners slow down with the size of a collection group
  const emu = await startEmulators({ auth: true, firestore: true, firestorePort: FIRESTORE_PORT, logDir: `${ROOT}.run/bench-chat-emulators`, log: say })
  cleanups.push(() => emu.stop())
  if (!emu.firestoreAvailable) throw new Error(`the Firestore emulator is unavailable here: ${emu.firestoreReason}`)
  Object.assign(process.env, emu.env, OFFLINE_ENV)
  const authHost = emu.env.FIREBASE_AUTH_EMULATOR_HOST!
  const firestoreHost = emu.env.FIRESTORE_EMULATOR_HOST!

  const [mentor, mentee] = await Promise.all([createEmulatorUser(), createEmulatorUser()])
  const roomId = randomUUID()
  const admin = initializeAdminApp({ projectId: PROJECT_ID }, `bench-admin-${randomUUID()}`)
  cleanups.push(() => deleteAdminApp(admin))
  const adminFs = getAdminFirestore(admin)
  await adminFs.collection('rooms').doc(roomId).create({
    members: [mentor.uid, mentee.uid],
    mentorUid: mentor.uid,
    menteeUid: mentee.uid,
    matchId: roomId,
    requestId: randomUUID(),
    status: 'open',
    createdAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
    closedAt: null,
  })

  // follow from just before the room: the emulator may hold any amount of earlier history
  const client = new pg.Client({ connectionString: SERVICE_URL })
  await client.connect()
  const from = new Date(Date.now() - 2_000)
  for (const feed of ['rooms', 'messages']) {
    await client.query(
      `insert into chat_bridge.sync_checkpoints (name, position) values ($1, $2)
       on conflict (name) do update set position = excluded.position, updated_at = now()`,
      [`${SYNC_NAME}:${feed}`, from],
    )
  }
  await client.end()

  const child = spawn(process.execPath, ['--import', '@sunbae/telemetry/register', 'src/server.ts'], {
    // BENCH_CHAT_BRIDGE_DIR: another checkout of the service (A/B runs against an earlier version)
    cwd: process.env.BENCH_CHAT_BRIDGE_DIR ?? `${ROOT}services/chat-bridge`,
    env: {
      ...process.env,
      ...emu.env,
      ...OFFLINE_ENV,
      // not NODE_ENV=production: that adds only credential checks (a NATS user seed per process), and
      // the bench's NATS has no users; the code that runs is the same
      PORT: String(PORT),
      DATABASE_URL: SERVICE_URL,
      NATS_URL,
      // production: the service holds only its own identity key
      IDENTITY_KEY: chatKey,
      LOG_LEVEL: 'warn',
      CHAT_SYNC_NAME: SYNC_NAME,
      MONGO_URL: '',
    },
    stdio: ['ignore', openSync(LOG_FILE, 'w'), 'inherit'],
  })
  children.push(child)
  // what the gateway sends chat-bridge: the identity signed with chat-bridge's key for this GET and path
  const identity = (u: EmulatorUser, url: string) => ({
    [IDENTITY_HEADER]: signIdentity({ uid: u.uid, email: u.email, emailVerified: false, name: null, picture: null, role: 'mentee' }, chatKey, {
      aud: 'chat-bridge',
      method: 'GET',
      url: new URL(url).pathname,
    }),
  })
  const base = `http://127.0.0.1:${PORT}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`chat-bridge exited (code ${child.exitCode}); see ${LOG_FILE}`)
    if (Date.now() > deadline) throw new Error('chat-bridge did not mirror the room within 60 s')
    const res = await fetch(`${base}/api/chat/rooms`, { headers: identity(mentee, `${base}/api/chat/rooms`) }).catch(() => null)
    if (res?.ok && ((await res.json()) as { items: { id: string }[] }).items.some((r) => r.id === roomId)) break
    await sleep(200)
  }
  say('chat-bridge is up and mirrored the room')

  // several signed-in SDK instances: one web SDK client keeps only a few writes in flight
  const users = [mentor, mentee]
  const writers = VIA === 'sdk' ? await Promise.all(Array.from({ length: WRITERS }, (_, i) => signedIn(users[i % 2]!, authHost, firestoreHost))) : []
  const adminRoom = adminFs.collection('rooms').doc(roomId)
  const written = new Map<string, { issued: number; measured: boolean; acked?: number }>()
  /** id → [first seen (epoch ms), commit time from the API's createdAt (epoch ms)] */
  const seen = new Map<string, [number, number]>()
  let failures = 0
  let polls = 0
  let pollMs = 0
  let pollErrors = 0
  let running = true

  const poller = (async () => {
    const url = `${base}/api/chat/rooms/${roomId}/messages?limit=100`
    while (running) {
      const t0 = performance.now()
      // signed per request: a gateway identity is only valid for a short while
      const res = await fetch(url, { headers: identity(mentor, url) }).catch((err: unknown) => ({ ok: false, status: 0, json: async () => ({ error: String(err) }) }))
      const body = (await res.json()) as { items?: { id: string; createdAt: string }[] }
      const now = Date.now()
      if (!res.ok || !body.items) {
        pollErrors++
        if (pollErrors === 1) say(`poll failed: ${res.status} ${JSON.stringify(body)}`)
        await sleep(50)
        continue
      }
      polls++
      pollMs += performance.now() - t0
      for (const m of body.items) if (!seen.has(m.id)) seen.set(m.id, [now, Date.parse(m.createdAt)])
    }
  })()

  const total = Math.round((WARMUP + DURATION) * RATE)
  const interval = 1000 / RATE
  const start = performance.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = start + i * interval
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    const w = i % WRITERS
    const author = users[w % 2]!.uid
    const text = `bench ${i} 안녕하세요`
    let id: string
    let write: Promise<unknown>
    if (VIA === 'sdk') {
      const ref = doc(collection(writers[w]!, 'rooms', roomId, 'messages'))
      id = ref.id
      write = setDoc(ref, { authorUid: author, text, type: 'user', createdAt: serverTimestamp(), updatedAt: serverTimestamp() })
    } else {
      const ref = adminRoom.collection('messages').doc()
      id = ref.id
      write = ref.set({ authorUid: author, text, type: 'user', createdAt: FieldValue.serverTimestamp(), updatedAt: FieldValue.serverTimestamp() })
    }
    const entry: { issued: number; measured: boolean; acked?: number } = { issued: performance.now(), measured: i >= WARMUP * RATE }
    written.set(id, entry)
    pending.push(
      write.then(
        () => void (entry.acked = performance.now()),
        (err: unknown) => {
          if (failures++ === 0) say(`first write failure: ${(err as Error).message}`)
        },
      ),
    )
  }
  const issuedFor = (performance.now() - start) / 1000
  await Promise.all(pending)
  // let the tail arrive
  const tailDeadline = performance.now() + 10_000
  while (performance.now() < tailDeadline && [...written.keys()].some((id) => !seen.has(id))) await sleep(50)
  running = false
  await poller

  // lag = visible in the API − the write's commit time in Firestore (its createdAt, the server's
  // request.time; same machine clock), so the emulator's own write queueing is not counted as lag;
  // the client's write round trip is reported apart
  const lags: number[] = []
  const acks: number[] = []
  let missed = 0
  for (const [id, w] of written) {
    if (!w.measured) continue
    if (w.acked !== undefined) acks.push(w.acked - w.issued)
    const s = seen.get(id)
    if (s === undefined) missed++
    else lags.push(s[0] - s[1])
  }
  lags.sort((a, b) => a - b)
  acks.sort((a, b) => a - b)

  // where the lag goes: the mirror's mirrored_at (now() of the sync's upsert transaction) − the
  // commit time = Firestore listener delivery + the sync's queue; the rest is commit + poll
  const ids = [...written].filter(([, w]) => w.measured).map(([id]) => id)
  const trace = new pg.Client({ connectionString: SERVICE_URL })
  await trace.connect()
  const { rows: traced } = await trace.query<{ ms: number }>(
    `select extract(epoch from (mirrored_at - created_at)) * 1000 as ms from chat_bridge.messages where room_id = $1 and id = any($2::text[]) order by 1`,
    [roomId, ids],
  )
  await trace.end()
  const toTx = traced.map((r) => Number(r.ms))
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`
  const row = {
    rate: RATE,
    achieved: (total / issuedFor).toFixed(0),
    measured: lags.length,
    p50: fmt(pct(lags, 50)),
    p95: fmt(pct(lags, 95)),
    p99: fmt(pct(lags, 99)),
    max: fmt(lags.at(-1) ?? NaN),
    missed,
    failures,
    poll: fmt(pollMs / Math.max(1, polls)),
    pollErrors,
    ackP50: fmt(pct(acks, 50)),
    ackP99: fmt(pct(acks, 99)),
    toMirrorTxP50: fmt(pct(toTx, 50)),
    toMirrorTxP99: fmt(pct(toTx, 99)),
  }
  say(JSON.stringify(row))
  const p99 = pct(lags, 99)
  const verdict = p99 <= 250 && missed === 0 && failures === 0 ? 'met' : '**not met**'
  if (opts.write) {
    // the --feed apply section is another run's: kept
    const before = readFileSync(`${HERE}RESULTS.md`, 'utf8')
    const a = before.indexOf(APPLY_START)
    const b = before.indexOf(APPLY_END)
    const applySection = a >= 0 && b > a ? `\n${before.slice(a, b + APPLY_END.length)}\n` : ''
    writeFileSync(
      `${HERE}RESULTS.md`,
      `# Chat mirror lag (\`npm run bench:chat\`)

Firestore write (${VIA === 'sdk' ? 'web SDK, member token, rules on' : 'Admin SDK, `--via admin`'}) → visible in \`GET /api/chat/rooms/:id/messages\`
(chat-bridge as production starts it, Postgres mirror), on this ${cpus().length}-CPU machine with the
emulators, Postgres, NATS, chat-bridge and the load generator sharing it. Method: bench/chat/run.ts.

| rate (msg/s) | achieved | measured | p50 | p95 | p99 | max | missed | write failures | mean poll round trip |
|---|---|---|---|---|---|---|---|---|---|
| ${row.rate} | ${row.achieved} | ${row.measured} | ${row.p50} | ${row.p95} | ${row.p99} | ${row.max} | ${row.missed} | ${row.failures} | ${row.poll} |

Target p99 ≤ 250 ms at 200 msg/s: ${verdict} (run of ${new Date().toISOString().slice(0, 16)}Z, ${DURATION} s after ${WARMUP} s warm-up).
The lag includes up to one poll round trip of the measuring client.
${applySection}`,
    )
  }
}

/**
 * `--feed apply`: the sync's own capacity, beyond the emulator's ≈ 50 msg/s. chat-bridge runs as
 * bench/chat/apply-feed.ts starts it (the service as production builds it; its sync fed in-process,
 * see that file); `--rooms` rooms are written to the bench's emulator and mirrored by the real rooms
 * listener; each round feeds `--rate` msg/s round-robin over the rooms for warm-up + duration
 * seconds. `--pollers` sampled rooms (spread over the list) are each polled back to back through
 * GET /api/chat/rooms/:id/messages; lag = first seen in a poll − the message's createdAt (its
 * scheduled feed time). Applied msg/s = the round's messages whose mirror transaction (mirrored_at)
 * began inside the measured window, per second; "→ mirror tx" = mirrored_at − createdAt over every
 * message of the round, all rooms.
 */
async function mainApply(): Promise<void> {
  const { rooms: ROOMS, pollers: POLLERS, rounds: ROUNDS } = opts
  say(`chat sync capacity (--feed apply): ${RATE} msg/s over ${ROOMS} rooms, ${POLLERS} polled, ${ROUNDS} round(s) of ${DURATION} s after ${WARMUP} s warm-up, ${cpus().length} CPUs`)
  await setupDatabase({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['chat-bridge'] })
  await migrateAll({ adminUrl: ADMIN_URL, rootDir: ROOT, services: ['chat-bridge'] })
  const emu = await startEmulators({ auth: false, firestore: true, firestorePort: FIRESTORE_PORT, logDir: `${ROOT}.run/bench-chat-emulators`, log: say })
  cleanups.push(() => emu.stop())
  if (!emu.firestoreAvailable) throw new Error(`the Firestore emulator is unavailable here: ${emu.firestoreReason}`)
  Object.assign(process.env, emu.env, OFFLINE_ENV)

  // the rooms, as chat-bridge writes them; members are uids of their own (the API checks membership
  // in the mirror and the gateway's signed identity, not Auth)
  const run = randomUUID().slice(0, 8)
  const rooms: [string, [string, string]][] = Array.from({ length: ROOMS }, (_, i) => [`bench-${run}-${i}`, [`mentor-${run}-${i}`, `mentee-${run}-${i}`]])
  const admin = initializeAdminApp({ projectId: PROJECT_ID }, `bench-admin-${randomUUID()}`)
  cleanups.push(() => deleteAdminApp(admin))
  const adminFs = getAdminFirestore(admin)
  const client = new pg.Client({ connectionString: SERVICE_URL })
  await client.connect()
  cleanups.push(() => client.end())
  const from = new Date(Date.now() - 2_000)
  for (const feed of ['rooms', 'messages']) {
    await client.query(
      `insert into chat_bridge.sync_checkpoints (name, position) values ($1, $2)
       on conflict (name) do update set position = excluded.position, updated_at = now()`,
      [`${SYNC_NAME}:${feed}`, from],
    )
  }
  for (let i = 0; i < rooms.length; i += 400) {
    const batch = adminFs.batch()
    for (const [id, [mentor, mentee]] of rooms.slice(i, i + 400)) {
      batch.create(adminFs.collection('rooms').doc(id), {
        members: [mentor, mentee],
        mentorUid: mentor,
        menteeUid: mentee,
        matchId: id,
        requestId: randomUUID(),
        status: 'open',
        createdAt: FieldValue.serverTimestamp(),
        updatedAt: FieldValue.serverTimestamp(),
        closedAt: null,
      })
    }
    await batch.commit()
  }

  const child = spawn(process.execPath, ['--import', '@sunbae/telemetry/register', `${HERE}apply-feed.ts`], {
    // BENCH_CHAT_BRIDGE_DIR (passed on in the environment): another copy of the service, as in the emulator mode
    cwd: process.env.BENCH_CHAT_BRIDGE_DIR ?? `${ROOT}services/chat-bridge`,
    env: {
      ...process.env,
      ...emu.env,
      ...OFFLINE_ENV,
      // not NODE_ENV=production: that adds only credential checks (a NATS user seed per process), and
      // the bench's NATS has no users; the code that runs is the same
      PORT: String(PORT),
      DATABASE_URL: SERVICE_URL,
      NATS_URL,
      IDENTITY_KEY: chatKey,
      LOG_LEVEL: 'warn',
      CHAT_SYNC_NAME: SYNC_NAME,
      // apply-feed.ts starts the sync itself
      CHAT_SYNC_ENABLED: 'false',
      MONGO_URL: '',
      // --profile <dir>: chat-bridge writes a V8 CPU profile there when it stops
      ...(opts.text.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${opts.text.profile}` } : {}),
    },
    stdio: ['ignore', openSync(LOG_FILE, 'w'), 'inherit', 'ipc'],
  })
  children.push(child)
  const messages: Record<string, unknown>[] = []
  let notify: () => void = () => {}
  child.on('message', (m: Record<string, unknown>) => {
    messages.push(m)
    notify()
  })
  const nextMessage = async (key: string, timeoutMs: number): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = messages.findIndex((m) => key in m)
      if (i >= 0) return messages.splice(i, 1)[0]!
      if (child.exitCode !== null) throw new Error(`chat-bridge exited (code ${child.exitCode}); see ${LOG_FILE}`)
      if (Date.now() > deadline) throw new Error(`no ${key} from chat-bridge within ${timeoutMs} ms`)
      await new Promise<void>((r) => {
        notify = r
        setTimeout(r, 200)
      })
    }
  }
  await nextMessage('ready', 60_000)
  const deadline = Date.now() + 60_000
  for (;;) {
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from chat_bridge.rooms where id like $1`, [`bench-${run}-%`])
    if (Number(rows[0]!.n) === ROOMS) break
    if (Date.now() > deadline) throw new Error(`chat-bridge mirrored ${rows[0]!.n} of ${ROOMS} rooms within 60 s; see ${LOG_FILE}`)
    if (child.exitCode !== null) throw new Error(`chat-bridge exited (code ${child.exitCode}); see ${LOG_FILE}`)
    await sleep(200)
  }
  say(`chat-bridge is up and mirrored the ${ROOMS} rooms`)

  const identity = (uid: string, url: string) => ({
    [IDENTITY_HEADER]: signIdentity({ uid, email: `${uid}@bench.test`, emailVerified: false, name: null, picture: null, role: 'mentee' }, chatKey, {
      aud: 'chat-bridge',
      method: 'GET',
      url: new URL(url).pathname,
    }),
  })
  const base = `http://127.0.0.1:${PORT}`
  const sampled = Array.from({ length: Math.min(POLLERS, ROOMS) }, (_, k) => Math.floor((k * ROOMS) / Math.min(POLLERS, ROOMS)))
  /** message id → [first seen (epoch ms), createdAt (epoch ms)] */
  const seen = new Map<string, [number, number]>()
  let polls = 0
  let pollMs = 0
  let pollErrors = 0
  let running = true
  const pollers = sampled.map(async (r) => {
    const [roomId, [mentor]] = rooms[r]!
    const url = `${base}/api/chat/rooms/${roomId}/messages?limit=100`
    while (running) {
      const t0 = performance.now()
      const res = await fetch(url, { headers: identity(mentor, url) }).catch((err: unknown) => ({ ok: false, status: 0, json: async () => ({ error: String(err) }) }))
      const body = (await res.json()) as { items?: { id: string; createdAt: string }[] }
      const now = Date.now()
      if (!res.ok || !body.items) {
        if (pollErrors++ === 0) say(`poll failed: ${res.status} ${JSON.stringify(body)}`)
        await sleep(50)
        continue
      }
      polls++
      pollMs += performance.now() - t0
      for (const m of body.items) if (!seen.has(m.id)) seen.set(m.id, [now, Date.parse(m.createdAt)])
    }
  })

  const fmt = (ms: number) => `${ms.toFixed(0)} ms`
  const results: Record<string, string | number>[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const total = Math.round(RATE * (WARMUP + DURATION))
    const startAt = Date.now() + 500
    polls = 0
    pollMs = 0
    const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    const prefix = `${run}r${round}x`
    child.send({ round, prefix, startAt, rate: RATE, seconds: WARMUP + DURATION, rooms })
    const done = await nextMessage('done', (WARMUP + DURATION) * 1000 + 120_000)
    const feedEnd = Date.now()
    const lateBy = feedEnd - (startAt + (total - 1) * (1000 / RATE))
    // the ids of the sampled rooms' measured messages (apply-feed.ts: message i goes to room i mod rooms)
    const id = (i: number) => `${prefix}${String(i).padStart(8, '0')}`
    const expected: string[] = []
    const sampledSet = new Set(sampled)
    for (let i = Math.round(WARMUP * RATE); i < total; i++) if (sampledSet.has(i % ROOMS)) expected.push(id(i))
    const tailDeadline = Date.now() + 30_000
    while (Date.now() < tailDeadline && expected.some((m) => !seen.has(m))) await sleep(50)
    const lags: number[] = []
    let missed = 0
    for (const m of expected) {
      const s = seen.get(m)
      if (s === undefined) missed++
      else lags.push(s[0] - s[1])
    }
    lags.sort((a, b) => a - b)
    // every message of the round, all rooms, from the mirror itself (once all are there, or 30 s)
    for (let waited = 0; waited < 30_000; waited += 100) {
      const { rows: c } = await client.query<{ n: string }>(`select count(*) as n from chat_bridge.messages where id like $1`, [`${prefix}%`])
      if (Number(c[0]!.n) >= total) break
      await sleep(100)
    }
    const ws = new Date(startAt + WARMUP * 1000)
    const we = new Date(startAt + (WARMUP + DURATION) * 1000)
    const { rows } = await client.query<{ n: string; in_window: string; p50: number; p99: number; max: number; last: Date }>(
      `select count(*) as n,
              count(*) filter (where mirrored_at >= $2 and mirrored_at < $3) as in_window,
              percentile_disc(0.5) within group (order by extract(epoch from (mirrored_at - created_at)) * 1000) as p50,
              percentile_disc(0.99) within group (order by extract(epoch from (mirrored_at - created_at)) * 1000) as p99,
              max(extract(epoch from (mirrored_at - created_at)) * 1000) as max,
              max(mirrored_at) as last
         from chat_bridge.messages where id like $1`,
      [`${prefix}%`, ws, we],
    )
    const m = rows[0]!
    const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    const row = {
      round,
      rate: RATE,
      fed: Number(done.fed),
      feedLateBy: fmt(lateBy),
      mirrored: Number(m.n),
      appliedPerSec: Math.round(Number(m.in_window) / DURATION),
      measured: lags.length,
      p50: fmt(pct(lags, 50)),
      p95: fmt(pct(lags, 95)),
      p99: fmt(pct(lags, 99)),
      max: fmt(lags.at(-1) ?? NaN),
      missed,
      toMirrorTxP50: fmt(Number(m.p50)),
      toMirrorTxP99: fmt(Number(m.p99)),
      toMirrorTxMax: fmt(Number(m.max)),
      poll: fmt(pollMs / Math.max(1, polls)),
      pollErrors,
      load: `${load0} → ${load1}`,
    }
    say(JSON.stringify(row))
    results.push(row)
  }
  running = false
  await Promise.all(pollers)

  const p99s = results.map((r) => Number.parseFloat(String(r.p99)))
  const met = results.every((r) => Number(r.appliedPerSec) >= 2000 && Number.parseFloat(String(r.p99)) <= 250 && r.missed === 0 && r.mirrored === r.fed)
  say(`p99 over rounds: ${p99s.map((x) => `${x} ms`).join(', ')}; target ≥ 2,000 msg/s applied, p99 ≤ 250 ms: ${met ? 'met' : 'not met'}`)
  if (opts.write) {
    const section = `${APPLY_START}
## Sync capacity, fed in-process (\`npm run bench:chat -- --feed apply\`)

What is fed how: chat-bridge as production builds it (bench/chat/apply-feed.ts: config from the
environment, Postgres mirror, outbox to NATS, the chat API listening) with its real sync
(FirestoreSync: leader lock, catch-up, snapshots merged into batches, apply, checkpoints, ledger and
outbox). The rooms come through the real Firestore listener on the bench's emulator; the messages
feed is delivered in-process, because the emulator tops out near 50 msg/s here: each millisecond
tick, the messages due (open loop, round-robin over the rooms) are built as Firestore \`Document\`
protos and turned into snapshots by the Admin SDK (\`Firestore.snapshot_\`), one snapshot's changes
per tick. Lag = first seen through \`GET /api/chat/rooms/:id/messages\` by ${sampled.length} back-to-back
pollers on sampled rooms − the message's scheduled time; applied/s = messages whose mirror
transaction began inside the ${DURATION} s window; "→ mirror tx" = mirrored_at − scheduled time,
every message of the round. ${cpus().length} CPUs shared by Postgres, NATS, the emulator, chat-bridge and the bench.

| round | rate | rooms | applied/s | fed / mirrored | lag p50 | p95 | p99 | max | missed | → mirror tx p50 / p99 | poll round trip | load (1/5/15 min) before → after |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${results.map((r) => `| ${r.round} | ${r.rate} | ${ROOMS} | ${r.appliedPerSec} | ${r.fed} / ${r.mirrored} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.missed} | ${r.toMirrorTxP50} / ${r.toMirrorTxP99} | ${r.poll} | ${r.load} |`).join('\n')}

Target ≥ 2,000 msg/s applied and visible, lag p99 ≤ 250 ms: ${met ? 'met' : '**not met**'} (run of ${new Date().toISOString().slice(0, 16)}Z,
\`--rate ${RATE} --rooms ${ROOMS} --pollers ${POLLERS} --rounds ${ROUNDS} --duration ${DURATION} --warmup ${WARMUP}\`).
${APPLY_END}
`
    const file = `${HERE}RESULTS.md`
    const old = readFileSync(file, 'utf8')
    const a = old.indexOf(APPLY_START)
    const b = old.indexOf(APPLY_END)
    writeFileSync(file, a >= 0 && b > a ? `${old.slice(0, a)}${section}${old.slice(b + APPLY_END.length + 1)}` : `${old.trimEnd()}\n\n${section}`)
  }
}

try {
  if (opts.feed === 'apply') await mainApply()
  else await main()
  await shutdown(0)
} catch (err) {
  process.stderr.write(`bench:chat failed: ${(err as Error).stack ?? String(err)}\n`)
  await shutdown(1)
}
