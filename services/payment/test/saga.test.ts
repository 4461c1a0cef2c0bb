// The booking saga with both real services as processes (meeting and payment, started as in
// production, talking only through JetStream): hold → pay → confirmed; hold → decline → released;
// hold → expiry → payment cancelled; paid after expiry → refunded; confirmed → cancel → refunded;
// and kill -9 of payment between the provider's success and its own commit.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { connectBus, createEvent, type Bus } from '@sunbae/bus'
import { CatalogEvents, MatchingEvents, STREAMS, type DomainEvent } from '@sunbae/contracts'
import { createDb, serviceDatabaseUrl } from '@sunbae/db'
import { mentorProfile, readEvents, waitFor } from '@sunbae/testing'
import { signedIdentityHeaders } from '@sunbae/service-kit/testing'
import type { Kysely } from 'kysely'
import { adminUrl, natsUrl, testEnv, user, type User } from './helpers.ts'
import { startService, stopProcess as stopService, type ServiceProc as Proc } from '@sunbae/testing/processes'

const STARTED_AT = new Date(Date.now() - 5_000)
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const meetingEnv = () =>
  testEnv({
    DATABASE_URL: serviceDatabaseUrl(adminUrl, 'meeting'),
    LOG_LEVEL: 'warn',
    MEETING_SWEEP_INTERVAL_MS: '300',
  })
const paymentEnv = (over: Record<string, string> = {}) =>
  testEnv({ LOG_LEVEL: 'warn', PAYMENT_RECONCILE_INTERVAL_MS: '300', PAYMENT_RECONCILE_AFTER_MS: '0', ...over })

let bus: Bus
let meeting: Proc
let payment: Proc
let paymentDb: { db: Kysely<any>; close(): Promise<void> }
let adminDb: { db: Kysely<any>; close(): Promise<void> }
let mentor: User & { id: string }

const asCaller = (who: User, p: Proc, method: string, path: string) => signedIdentityHeaders({ uid: who.uid, role: who.role }, { aud: p.name, method, url: path })
const call = async (p: Proc, method: string, path: string, who: User | null, body?: unknown, extra: Record<string, string> = {}) => {
  const res = await fetch(`${p.url}${path}`, {
    method,
    // over HTTP, as the gateway sends it: signed for this service, method and path
    headers: { ...(who ? asCaller(who, p, method, path) : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

async function publish(type: string, source: string, data: unknown): Promise<void> {
  const event = createEvent({ type, version: 1, source, actor: { type: 'system', id: null }, data })
  await bus.js.publish(type, JSON.stringify(event), { msgID: event.id })
}

const bookingState = async (mentee: User, id: string) => (await call(meeting, 'GET', `/api/meetings/bookings/${id}`, mentee)).body.state as string
const paymentState = async (id: string) =>
  ((await paymentDb.db.selectFrom('payments').select('state').where('id', '=', id).executeTakeFirst()) as { state: string } | undefined)?.state
const until = (what: string, check: () => Promise<boolean>, ms = 30_000) =>
  waitFor(check, ms, 50).catch((err: unknown) => {
    throw new Error(`${what}\n--- payment:\n${payment.output().slice(-3000)}\n--- meeting:\n${meeting.output().slice(-3000)}`, { cause: err })
  })

let slot = 0
/** A matched mentee books a paid hour with the mentor; payment has created its payment. */
async function heldBooking(): Promise<{ mentee: User; bookingId: string; paymentId: string; price: number }> {
  const mentee = user()
  await publish(MatchingEvents.requestAccepted.type, 'matching', {
    requestId: randomUUID(),
    matchId: randomUUID(),
    mentorId: mentor.id,
    mentorUid: mentor.uid,
    menteeUid: mentee.uid,
    message: '안녕하세요',
    acceptedAt: new Date().toISOString(),
  })
  const start = new Date(Math.ceil((Date.now() + (30 + 2 * slot++) * 3_600_000) / 3_600_000) * 3_600_000).toISOString()
  let booked: { status: number; body: any } | undefined
  await until('the booking', async () => {
    booked = await call(meeting, 'POST', '/api/meetings/bookings', mentee, { mentorId: mentor.id, start, duration: 60 })
    return booked.status === 201
  })
  const b = booked!.body
  if (b.state !== 'held') throw new Error(`expected a held booking: ${JSON.stringify(b)}`)
  let paymentId = ''
  await until('the payment', async () => {
    const r = await call(payment, 'POST', '/api/payments', mentee, { bookingId: b.id })
    paymentId = r.body?.id
    return r.status === 200 || r.status === 201
  })
  return { mentee, bookingId: b.id, paymentId, price: b.price }
}

t.before(async () => {
  bus = await connectBus({ servers: natsUrl, name: 'payment-saga-test', logger: quiet })
  paymentDb = createDb({ connectionString: testEnv().DATABASE_URL!, schema: 'payment', service: 'payment-saga-test', slowQueryMs: 60_000 })
  adminDb = createDb({ connectionString: adminUrl, schema: 'public', service: 'payment-saga-test-admin', slowQueryMs: 60_000 })
  ;[meeting, payment] = await Promise.all([startService('meeting', meetingEnv()), startService('payment', paymentEnv())])

  const m = user('mentor', `mentor-${randomUUID()}`)
  mentor = { ...m, id: randomUUID() }
  await publish(CatalogEvents.mentorApproved.type, 'mentor-catalog', mentorProfile({ id: mentor.id, uid: mentor.uid, hourlyRate: 60_000, timezone: 'UTC' }))
  const availability = {
    timezone: 'UTC',
    weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
    overrides: [],
    durations: [60],
    slotIntervalMin: 60,
    bufferBeforeMin: 0,
    bufferAfterMin: 0,
    minNoticeMin: 0,
    horizonDays: 60,
    maxPerDay: null,
    pricePerHour: 60_000,
    fullRefundHours: 24,
    partialRefundHours: 2,
    partialRefundPercent: 50,
    rescheduleNoticeHours: 2,
  }
  await until('the mentor in meeting', async () => (await call(meeting, 'PUT', '/api/meetings/availability', mentor, availability)).status === 200)
})

t.teardown(async () => {
  await Promise.all([meeting && stopService(meeting), payment && stopService(payment)])
  await paymentDb?.close()
  await adminDb?.close()
  await bus?.close()
})

t.test('hold → pay → confirmed; confirmed → mentee cancels early → refunded in full', async (t) => {
  const b = await heldBooking()
  t.equal(b.price, 60_000)
  const paid = await call(payment, 'POST', `/api/payments/${b.paymentId}/confirm`, b.mentee, { cardToken: 'tok_success' })
  t.equal(paid.status, 200, JSON.stringify(paid.body))
  t.equal(paid.body.state, 'succeeded')
  t.equal(paid.body.amount, 60_000, 'the booking price, from meeting')
  await until('the booking confirmed', async () => (await bookingState(b.mentee, b.bookingId)) === 'confirmed')

  const cancelled = await call(meeting, 'POST', `/api/meetings/bookings/${b.bookingId}/cancel`, b.mentee, { reason: '일정이 생겼어요' })
  t.equal(cancelled.status, 200)
  t.match(cancelled.body.refund, { outcome: 'full', amount: 60_000, paymentId: b.paymentId })
  await until('the payment refunded', async () => (await paymentState(b.paymentId)) === 'refunded')
})

t.test('hold → declined card → the booking is released', async (t) => {
  const b = await heldBooking()
  const res = await call(payment, 'POST', `/api/payments/${b.paymentId}/confirm`, b.mentee, { cardToken: 'tok_decline' })
  t.equal(res.body.state, 'failed')
  await until('the booking released', async () => (await bookingState(b.mentee, b.bookingId)) === 'released')
})

t.test('hold → the payer gives up (payment.cancelled) → the booking is released', async (t) => {
  const b = await heldBooking()
  const res = await call(payment, 'POST', `/api/payments/${b.paymentId}/cancel`, b.mentee)
  t.equal(res.body.state, 'cancelled')
  await until('the booking released', async () => (await bookingState(b.mentee, b.bookingId)) === 'released')
})

t.test('hold → expiry → the payment is cancelled; a payment that then succeeds is refunded, the booking stays released', async (t) => {
  const b = await heldBooking()
  // time passes (meeting's own tests do the same): the sweeper releases the hold
  await sql`update meeting.bookings set hold_expires_at = now() - interval '1 second' where id = ${b.bookingId}`.execute(adminDb.db)
  await until('the booking released', async () => (await bookingState(b.mentee, b.bookingId)) === 'released')
  await until('the payment cancelled', async () => (await paymentState(b.paymentId)) === 'cancelled')

  const late = await heldBooking()
  const res = await call(payment, 'POST', `/api/payments/${late.paymentId}/confirm`, late.mentee, { cardToken: 'tok_delayed' })
  t.equal(res.body.state, 'processing')
  await sql`update meeting.bookings set hold_expires_at = now() - interval '1 second' where id = ${late.bookingId}`.execute(adminDb.db)
  await until('the booking released', async () => (await bookingState(late.mentee, late.bookingId)) === 'released')
  await until('payment knows', async () => {
    const r = await paymentDb.db.selectFrom('bookings').select('state').where('booking_id', '=', late.bookingId).executeTakeFirst()
    return (r as { state: string } | undefined)?.state === 'released'
  })
  await sql`update payment.sandbox_charges set settles_at = now() where reference = ${late.paymentId}`.execute(adminDb.db)
  await until('succeeded, then refunded', async () => (await paymentState(late.paymentId)) === 'refunded')
  await new Promise((r) => setTimeout(r, 1_000))
  t.equal(await bookingState(late.mentee, late.bookingId), 'released', 'meeting did not confirm a released booking')
})

t.test('kill -9 between the provider’s success and the local commit: a retry gets 409 then the payment’s state; succeeded exactly once and the booking confirmed', async (t) => {
  // (no graceful stop needed for the old one)
  payment.child.kill('SIGKILL')
  await payment.exited
  // Two replicas, started together: one with a slow provider (the charge is recorded at once, the answer
  // comes 3 s later), killed mid-request, and the one the payer's retry then reaches. The key's lease
  // (10 s, renewed every ~3 s while its request lived) outlasts the moments between the kill and the
  // first retry, so the retry surely finds the dead request's key still held — and is over soon after:
  // the retry used to wait for a restart of the one replica, which took a 30 s lease to cover.
  const LEASE_S = 10
  const [slow, other] = await Promise.all([
    startService(
      'payment',
      paymentEnv({ PAYMENT_SANDBOX_LATENCY_MS: '3000', PAYMENT_RECONCILE_INTERVAL_MS: '600000', PAYMENT_IDEMPOTENCY_LEASE_MS: String(LEASE_S * 1000) }),
    ),
    // no reconciler on this one either: it would settle the payment while the slow replica waits on the provider
    startService('payment', paymentEnv({ PAYMENT_RECONCILE_INTERVAL_MS: '600000', PAYMENT_IDEMPOTENCY_WAIT_MS: '500' })),
  ])
  payment = slow
  const b = await heldBooking()
  const key = `saga-${randomUUID()}`
  const confirmPath = `/api/payments/${b.paymentId}/confirm`
  const headers = { ...asCaller(b.mentee, payment, 'POST', confirmPath), 'idempotency-key': key, 'content-type': 'application/json' }
  const pending = fetch(`${payment.url}${confirmPath}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ cardToken: 'tok_success' }),
  }).then(
    (r) => `answered ${r.status}`,
    (err: unknown) => `connection lost: ${(err as Error).message}`,
  )
  await until('the charge at the provider', async () =>
    Boolean(await paymentDb.db.selectFrom('sandbox_charges').select('id').where('reference', '=', b.paymentId).where('status', '=', 'succeeded').executeTakeFirst()),
  )
  payment.child.kill('SIGKILL')
  t.equal((await payment.exited).signal, 'SIGKILL', 'killed hard')
  t.match(await pending, /connection lost/, 'the request never got its answer')
  t.equal(await paymentState(b.paymentId), 'processing', 'the provider took the money, our commit never happened')
  const leaseLeft = async () =>
    Number(
      (
        await sql<{ left: number }>`select extract(epoch from locked_until - now()) as left from payment.idempotency_keys where owner = ${b.mentee.uid} and key = ${key}`.execute(
          adminDb.db,
        )
      ).rows[0]?.left ?? Number.NaN,
    )
  const left = await leaseLeft()
  t.ok(left <= LEASE_S + 1, `the dead request holds its key for the configured lease (${left} s left), not a fixed minute`)

  // the payer retries with the same key on the other replica: 409 IDEMPOTENCY_KEY_IN_USE (its wait,
  // 500 ms here, ends long before the gateway's upstream timeout), never a 5xx; then the payment
  payment = other
  const retry = () => call(payment, 'POST', `/api/payments/${b.paymentId}/confirm`, b.mentee, { cardToken: 'tok_success' }, { 'idempotency-key': key })
  const stillHeld = (await leaseLeft()) > 1
  const answers: { status: number; code?: string }[] = []
  let last = await retry()
  answers.push({ status: last.status, code: last.body?.error?.code })
  if (stillHeld) t.equal(last.status, 409, 'the first retry finds the dead request’s key still held: 409')
  await until(
    'the retry answered with the payment',
    async () => {
      if (last.status === 200) return true
      last = await retry()
      answers.push({ status: last.status, code: last.body?.error?.code })
      return last.status !== 409
    },
    (LEASE_S + 30) * 1000,
  )
  t.same([...new Set(answers.slice(0, -1).map((a) => `${a.status} ${a.code}`))], answers.length > 1 ? ['409 IDEMPOTENCY_KEY_IN_USE'] : [], 'while the key is held: 409 IDEMPOTENCY_KEY_IN_USE, nothing else')
  t.equal(last.status, 200, `then the payment's state, not ILLEGAL_TRANSITION: ${JSON.stringify(last.body)}`)
  t.equal(last.body.state, 'succeeded')
  await until('reconciled', async () => (await paymentState(b.paymentId)) === 'succeeded')
  await until('the booking confirmed', async () => (await bookingState(b.mentee, b.bookingId)) === 'confirmed')
  const succeeded = await readEvents<DomainEvent<{ paymentId: string }>>(bus.js, STREAMS.payment.name, 'payment.succeeded', (e) => e.data.paymentId === b.paymentId, {
    since: STARTED_AT,
    count: 1,
    settleMs: 1_500,
  })
  t.equal(succeeded.length, 1, 'payment.succeeded published exactly once')
  const ledger = await paymentDb.db.selectFrom('ledger_entries').select('txn_id').where('payment_id', '=', b.paymentId).groupBy('txn_id').execute()
  t.equal(ledger.length, 1, 'charged in the ledger once')
  const charges = await paymentDb.db.selectFrom('sandbox_charges').select('id').where('reference', '=', b.paymentId).execute()
  t.equal(charges.length, 1, 'one charge at the provider')
})
