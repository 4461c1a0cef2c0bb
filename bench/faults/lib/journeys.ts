// The journeys the fault suite runs through the gateway, as a client would: over HTTP with Firebase
// Auth emulator ID tokens, retrying what failed (a 5xx, a refused connection) after a short pause
// until the step succeeds or its bound runs out, and telling a retried write that had in fact
// succeeded (a 409 for the same thing) from a new one. Every answer is recorded in the row's Tally:
// writes ok / refused by status and code, the slowest answer, and 5xx answers while NATS was away.
//   full journey: a new mentee signs up → asks a mentor for a chat → the mentor accepts → the chat
//   room is there → the mentee books a paid hour → pays (sandbox, tok_success) → the booking is
//   confirmed → the mentee cancels (more than a day ahead: a full refund) → the payment is refunded.
//   search traffic: GET /api/mentors?q=<the row's own keyword>, counted by tracking.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createMentor, identityToolkit, idToken, verifyEmail, type Account } from '../../../web/test/e2e/accounts.ts'

/** What one row of the table saw from the client side. */
export class Tally {
  writesOk = 0
  refused = new Map<string, number>()
  reads = 0
  readsFailed = 0
  maxMs = 0
  /** 5xx answers while NATS was away (must stay 0) */
  natsOutage5xx: string[] = []
  natsDown = false
  searches = new Map<string, { responses: number; ok: number }>()
  journeysStarted = 0
  journeysDone = 0
  failures: string[] = []

  refuse(why: string) {
    this.refused.set(why, (this.refused.get(why) ?? 0) + 1)
  }

  refusedTotal(): number {
    return [...this.refused.values()].reduce((a, b) => a + b, 0)
  }

  /** `503 DATABASE_TIMEOUT ×4, conn ×2` */
  refusedText(): string {
    return [...this.refused.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ')
  }
}

export interface Answer {
  status: number
  json: any
  ms: number
}

/** One HTTP call through the gateway; a refused or reset connection is status 0. Bounded by `timeoutMs`. */
export async function call(gatewayUrl: string, tally: Tally, method: string, url: string, token: string | null, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<Answer> {
  const t0 = performance.now()
  let status = 0
  let json: any = null
  try {
    const res = await fetch(`${gatewayUrl}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    status = res.status
    const text = await res.text()
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = { raw: text.slice(0, 200) }
    }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    json = { error: { code: e.name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : (e.cause?.code ?? e.name) } }
  }
  const ms = performance.now() - t0
  tally.maxMs = Math.max(tally.maxMs, ms)
  const write = method !== 'GET'
  const ok = status >= 200 && status < 500
  if (write) {
    if (status >= 200 && status < 300) tally.writesOk++
    else if (!ok) tally.refuse(`${status || 'conn'}${json?.error?.code ? ` ${json.error.code}` : ''}`)
  } else {
    tally.reads++
    if (!ok) tally.readsFailed++
  }
  if (status >= 500 && tally.natsDown) tally.natsOutage5xx.push(`${method} ${url.split('?')[0]} → ${status} ${json?.error?.code ?? ''}`)
  return { status, json, ms }
}

const transient = (a: Answer) => a.status === 0 || a.status >= 500

/** A client's pause before its n-th try in a row (n ≥ 1): 250 ms growing by half up to 1 s. */
const pause = (n: number) => Math.min(1_000, 250 * 1.5 ** Math.max(0, n - 1))

export interface World {
  gatewayUrl: string
  stamp: string
  admin: Account
  mentors: { id: string; token: () => Promise<string>; account: Account; next: number }[]
  /** midnight (UTC) two days ahead: the first day bookings go to */
  firstDay: number
}

const HOUR = 3_600_000
/** The mentor's k-th booking: the hours 00:00–23:00 UTC they offer, day after day (23:00–24:00 is not offered). */
const slotStart = (world: World, k: number) => world.firstDay + Math.floor(k / 23) * 24 * HOUR + (k % 23) * HOUR

/** The row's own admin and `mentorCount` approved mentors offering paid hours around the clock (UTC). */
export async function setupWorld(gatewayUrl: string, mentorCount: number, makeAdmin: (email: string) => Promise<void>): Promise<World> {
  const stamp = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`
  const admin: Account = { name: `Faults admin ${stamp}`, email: `faults-admin-${stamp}@sunbae.test`, password: `pw-${stamp}-admin` }
  await register(gatewayUrl, admin)
  await makeAdmin(admin.email)
  const day = [{ start: '00:00', end: '23:00' }]
  const mentors = await Promise.all(
    Array.from({ length: mentorCount }, async (_, i) => {
      const account: Account = { name: `결함선배${i} ${stamp}`, email: `faults-mentor${i}-${stamp}@sunbae.test`, password: `pw-${stamp}-m${i}` }
      const m = await createMentor(gatewayUrl, account, `백엔드 멘토 faults ${stamp}`, admin)
      const token = () => idToken(account.email, account.password)
      const t = await token()
      const tally = new Tally()
      const avail = await call(gatewayUrl, tally, 'PUT', '/api/meetings/availability', t, {
        timezone: 'UTC',
        weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
        overrides: [],
        durations: [60],
        slotIntervalMin: 60,
        minNoticeMin: 0,
        horizonDays: 60,
        pricePerHour: 30_000,
      })
      if (avail.status !== 200) throw new Error(`availability of ${account.email}: ${avail.status} ${JSON.stringify(avail.json)}`)
      const settings = await call(gatewayUrl, tally, 'PUT', '/api/matching/mentor-settings', t, {})
      if (settings.status !== 200) throw new Error(`mentor settings of ${account.email}: ${settings.status} ${JSON.stringify(settings.json)}`)
      return { id: m.id, token, account, next: 0 }
    }),
  )
  const dayMs = 24 * HOUR
  return { gatewayUrl, stamp, admin, mentors, firstDay: Math.ceil((Date.now() + 2 * dayMs) / dayMs) * dayMs }
}

/** Signs an account up in the Auth emulator, registers it (PUT /api/me) and verifies its email address; answers a token. */
async function register(gatewayUrl: string, account: Account, tally = new Tally(), boundMs = 60_000): Promise<string> {
  let token = await identityToolkit('accounts:signUp', { email: account.email, password: account.password, displayName: account.name })
  const deadline = Date.now() + boundMs
  for (;;) {
    const r = await call(gatewayUrl, tally, 'PUT', '/api/me', token, { displayName: account.name })
    // verified, as its owner would (the emailed link): 1:1 requests and payments need it
    if (r.status === 200 || r.status === 201) return verifyEmail(account.email, account.password)
    // the emulator can stamp a new account's valid-since after its first token (accounts.ts)
    if (r.status === 401 && r.json?.error?.code === 'TOKEN_REVOKED') token = await idToken(account.email, account.password)
    else if (!transient(r)) throw new Error(`PUT /api/me: ${r.status} ${JSON.stringify(r.json)}`)
    if (Date.now() > deadline) throw new Error(`PUT /api/me: still ${r.status} after ${boundMs / 1000} s`)
    await sleep(pause(2))
  }
}

/** What a finished journey left, for the checks against the services' own state. */
export interface JourneyRecord {
  menteeUid: string
  mentorId: string
  requestId: string
  matchId: string
  bookingId: string
  paymentId: string
  /** steps reached, in order */
  steps: string[]
}

export interface Step {
  (what: string): void
}

/** Retries `attempt` while it answers a transient failure (5xx, no connection), for at most `boundMs`; answers the first other answer. */
async function retry(what: string, attempt: () => Promise<Answer>, boundMs: number): Promise<Answer> {
  const deadline = Date.now() + boundMs
  for (let n = 1; ; n++) {
    const a = await attempt()
    if (!transient(a)) return a
    if (Date.now() > deadline) throw new Error(`${what}: still ${a.status} ${JSON.stringify(a.json)} after ${boundMs / 1000} s`)
    await sleep(pause(n))
  }
}

/** Polls `check` until it answers a value, for at most `boundMs`. */
async function until<T>(what: string, check: () => Promise<T | null>, boundMs: number): Promise<T> {
  const deadline = Date.now() + boundMs
  for (let n = 1; ; n++) {
    const v = await check()
    if (v !== null) return v
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs / 1000} s`)
    await sleep(pause(n))
  }
}

const fail = (what: string, a: Answer): never => {
  throw new Error(`${what}: ${a.status} ${JSON.stringify(a.json)}`)
}

/**
 * One full journey. `boundMs` bounds each step's retries and waits (past a fault's own duration);
 * `onStep` tells the runner how far it got (a fault can wait for "accepted" to hit mid-flow).
 */
export async function fullJourney(world: World, n: number, tally: Tally, onStep: Step, boundMs: number): Promise<JourneyRecord> {
  const g = world.gatewayUrl
  const mentor = world.mentors[n % world.mentors.length]!
  const tag = `${world.stamp}-${n}-${randomUUID().slice(0, 6)}`
  const mentee: Account = { name: `결함후배 ${tag}`, email: `faults-mentee-${tag}@sunbae.test`, password: `pw-${tag}` }
  const steps: string[] = []
  const step = (s: string) => {
    steps.push(s)
    onStep(s)
  }
  tally.journeysStarted++
  let token = await register(g, mentee, tally, boundMs)
  const me = await retry('GET /api/me', () => call(g, tally, 'GET', '/api/me', token), boundMs)
  const menteeUid = (me.json as { uid: string }).uid
  step('registered')

  // 1. request → accept → chat room
  const message = `faults ${tag}`
  const sent = await retry('request', () => call(g, tally, 'POST', '/api/matching/requests', token, { mentorId: mentor.id, message }), boundMs)
  let requestId: string
  if (sent.status === 201) requestId = sent.json.id
  else if (sent.status === 409) {
    // an earlier attempt went through although its answer was lost: it is the open request
    const mine = await retry('GET outbox', () => call(g, tally, 'GET', '/api/matching/requests?box=outbox&pageSize=100', token), boundMs)
    const found = (mine.json.items as { id: string; message: string }[]).find((r) => r.message === message)
    if (!found) fail('request (409 without an earlier one)', sent)
    requestId = found!.id
  } else throw fail('request', sent)
  step('requested')
  const mentorToken = await mentor.token()
  const accepted = await retry('accept', () => call(g, tally, 'POST', `/api/matching/requests/${requestId}/accept`, mentorToken), boundMs)
  if (accepted.status !== 200) {
    const now = await retry('GET request', () => call(g, tally, 'GET', `/api/matching/requests/${requestId}`, mentorToken), boundMs)
    if (now.json?.state !== 'accepted') fail('accept', accepted)
  }
  step('accepted')
  const matchId = await until(
    'chat room',
    async () => {
      const rooms = await call(g, tally, 'GET', '/api/chat/rooms', token)
      if (rooms.status !== 200) return null
      // a new mentee has this one room only
      return (rooms.json.items as { matchId: string }[])[0]?.matchId ?? null
    },
    boundMs,
  )
  step('room')

  // 2. book → pay → confirmed
  const start = new Date(slotStart(world, mentor.next++)).toISOString()
  // meeting learns of the match from matching's event
  const booked = await until(
    'booking',
    async () => {
      const b = await call(g, tally, 'POST', '/api/meetings/bookings', token, { mentorId: mentor.id, start, duration: 60 })
      if (b.status === 201) return b.json as { id: string }
      if (b.status === 409 && ['MENTEE_BUSY', 'SLOT_TAKEN'].includes(b.json?.error?.code)) {
        // an earlier attempt went through although its answer was lost: it is mine at that time
        const mine = await call(g, tally, 'GET', '/api/meetings/upcoming', token)
        if (mine.status !== 200) return null
        return ((mine.json.items ?? []) as { id: string; start: string }[]).find((x) => Date.parse(x.start) === Date.parse(start)) ?? fail('booking', b)
      }
      if (transient(b) || (b.status === 403 && b.json?.error?.code === 'NO_ACTIVE_MATCH')) return null
      return fail('booking', b)
    },
    boundMs,
  )
  const bookingId = booked.id
  step('booked')
  const payKey = randomUUID()
  const payment = await until(
    'payment',
    async () => {
      const p = await call(g, tally, 'POST', '/api/payments', token, { bookingId }, { 'idempotency-key': payKey })
      if (p.status === 200 || p.status === 201) return p.json as { id: string }
      // payment learns of the held booking from meeting's event
      if (transient(p) || (p.status === 404 && p.json?.error?.code === 'BOOKING_NOT_FOUND') || p.json?.error?.code === 'IDEMPOTENCY_KEY_IN_USE') return null
      return fail('payment', p)
    },
    boundMs,
  )
  const confirmKey = randomUUID()
  const paid = await until(
    'pay',
    async () => {
      const p = await call(g, tally, 'POST', `/api/payments/${payment.id}/confirm`, token, { cardToken: 'tok_success' }, { 'idempotency-key': confirmKey })
      if (p.status === 200) return p.json as { state: string }
      if (transient(p) || p.json?.error?.code === 'IDEMPOTENCY_KEY_IN_USE') return null
      return fail('pay', p)
    },
    boundMs,
  )
  if (paid.state !== 'succeeded') {
    await until('payment succeeded', async () => {
      const p = await call(g, tally, 'GET', `/api/payments/${payment.id}`, token)
      return p.json?.state === 'succeeded' ? true : null
    }, boundMs)
  }
  step('paid')
  await until('booking confirmed', async () => {
    const b = await call(g, tally, 'GET', `/api/meetings/bookings/${bookingId}`, token)
    return b.json?.state === 'confirmed' ? true : null
  }, boundMs)
  step('confirmed')

  // 3. cancel → refund
  const cancelled = await retry('cancel', () => call(g, tally, 'POST', `/api/meetings/bookings/${bookingId}/cancel`, token, { reason: 'faults suite' }), boundMs)
  if (cancelled.status !== 200) {
    const b = await retry('GET booking', () => call(g, tally, 'GET', `/api/meetings/bookings/${bookingId}`, token), boundMs)
    if (b.json?.state !== 'cancelled') fail('cancel', cancelled)
  }
  step('cancelled')
  await until('refunded', async () => {
    const p = await call(g, tally, 'GET', `/api/payments/${payment.id}`, token)
    return p.json?.state === 'refunded' ? true : null
  }, boundMs)
  step('refunded')
  tally.journeysDone++
  token = ''
  return { menteeUid, mentorId: mentor.id, requestId, matchId, bookingId, paymentId: payment.id, steps }
}

/** Search traffic with the row's own keyword, `concurrency` at a time, until `stop()` says so. */
export function searchTraffic(gatewayUrl: string, tally: Tally, keyword: string, concurrency = 2, pauseMs = 50): { stop(): Promise<void> } {
  let stopped = false
  const counts = { responses: 0, ok: 0 }
  tally.searches.set(keyword, counts)
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      const a = await call(gatewayUrl, tally, 'GET', `/api/mentors?q=${encodeURIComponent(keyword)}&pageSize=5`, null, undefined, {}, 15_000)
      // a request the gateway answered is one it logs; one it never got (no connection) is not
      if (a.status !== 0) counts.responses++
      if (a.status === 200) counts.ok++
      await sleep(pauseMs)
    }
  })
  return {
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}
