import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql, type Kysely } from 'kysely'
import { createEvent } from '@sunbae/bus'
import { MeetingEvents, type DomainEvent, type Refund, type Role } from '@sunbae/contracts'
import { identityHeaders, serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { readEvents as readStreamEvents, waitFor } from '@sunbae/testing'
import { definition } from '../src/service.ts'
import type { DB } from '../src/db/types.ts'
import { signSandboxPayload } from '../src/providers/sandbox.ts'
import pkg from '../package.json' with { type: 'json' }
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { startStripeApi, startTossApi, type StripeApi, type TossApi } from '@sunbae/testing/provider-apis'

const STARTED_AT = new Date(Date.now() - 5_000)
export const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef'

/**
 * This file's own database (payment's and meeting's schemas) and NATS server (`ownInfrastructure`):
 * every payment app starts the durable consumer `payment_meeting_bookings`, and on a shared NATS a
 * booking one file held was consumed by the other file's app (another provider for the new payment, a
 * refund kicked on a worker without that provider); on a shared database any app's outbox relay
 * publishes every file's events.
 */
export const { adminUrl, natsUrl } = await ownInfrastructure({ services: ['payment', 'meeting'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)

const service = serviceUnderTest(definition, {
  databaseUrl: serviceUrl,
  env: () => ({
    NATS_URL: natsUrl,
    PAYMENT_SANDBOX_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // tests reconcile by hand (the timer only rarely), and refunds run when kicked
    PAYMENT_RECONCILE_INTERVAL_MS: '600000',
    PAYMENT_RECONCILE_AFTER_MS: '0',
    PAYMENT_PLATFORM_FEE_PERCENT: '10',
  }),
})
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, outbox relay, consumer, reconciler), not listening; use inject. */
export async function buildPayment(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  return service.build(overrides)
}

export const dbOf = (app: FastifyInstance) => app.db as Kysely<DB>

export interface User {
  uid: string
  role: Role
  h(extra?: Record<string, string>): Record<string, string>
}

export function user(role: Role = 'mentee', uid = `u-${randomUUID()}`): User {
  return { uid, role, h: (extra = {}) => ({ ...identityHeaders({ uid, name: `테스트 ${uid.slice(-6)}`, role }), ...extra }) }
}

export async function publishMeeting(app: FastifyInstance, type: string, data: unknown): Promise<DomainEvent> {
  const event = createEvent({ type, version: 1, source: 'meeting', actor: { type: 'system', id: null }, data })
  await app.bus.js.publish(type, JSON.stringify(event), { msgID: event.id })
  return event
}

export interface HeldBooking {
  bookingId: string
  mentee: User
  mentor: User
  mentorId: string
  price: number
  startsAt: string
  endsAt: string
}

const parties = (b: HeldBooking) => ({
  bookingId: b.bookingId,
  menteeUid: b.mentee.uid,
  mentorId: b.mentorId,
  mentorUid: b.mentor.uid,
  startsAt: b.startsAt,
  endsAt: b.endsAt,
})

/** meeting.booking.held as meeting publishes it, once payment has created the booking's payment. */
export async function hold(app: FastifyInstance, over: { price?: number; currency?: string; holdMs?: number; mentee?: User; mentor?: User } = {}): Promise<HeldBooking & { paymentId: string }> {
  const start = Date.now() + 48 * 3_600_000
  const b: HeldBooking = {
    bookingId: randomUUID(),
    mentee: over.mentee ?? user(),
    mentor: over.mentor ?? user('mentor'),
    mentorId: randomUUID(),
    price: over.price ?? 50_000,
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 3_600_000).toISOString(),
  }
  await publishMeeting(app, MeetingEvents.bookingHeld.type, {
    ...parties(b),
    price: b.price,
    currency: over.currency ?? 'KRW',
    holdExpiresAt: new Date(Date.now() + (over.holdMs ?? 15 * 60_000)).toISOString(),
  })
  const p = await waitFor(() => dbOf(app).selectFrom('payments').select('id').where('booking_id', '=', b.bookingId).executeTakeFirst(), 20_000)
  return { ...b, paymentId: p.id }
}

export async function release(app: FastifyInstance, b: HeldBooking, reason: 'hold_expired' | 'payment_failed' = 'hold_expired'): Promise<void> {
  await publishMeeting(app, MeetingEvents.bookingReleased.type, { ...parties(b), reason, releasedAt: new Date().toISOString() })
}

export async function confirmBooking(app: FastifyInstance, b: HeldBooking & { paymentId: string }): Promise<void> {
  await publishMeeting(app, MeetingEvents.bookingConfirmed.type, {
    ...parties(b),
    price: b.price,
    currency: 'KRW',
    paymentId: b.paymentId,
    videoUrl: 'https://meet.example.test/r/x',
    confirmedAt: new Date().toISOString(),
  })
}

export async function cancelBooking(app: FastifyInstance, b: HeldBooking, refund: Refund | null, by: 'mentee' | 'mentor' = 'mentee'): Promise<void> {
  await publishMeeting(app, MeetingEvents.bookingCancelled.type, { ...parties(b), cancelledBy: by, reason: '사정이 생겼어요', refund, cancelledAt: new Date().toISOString() })
}

export async function state(app: FastifyInstance, paymentId: string): Promise<string | undefined> {
  return (await dbOf(app).selectFrom('payments').select('state').where('id', '=', paymentId).executeTakeFirst())?.state
}

export async function waitForState(app: FastifyInstance, paymentId: string, want: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await state(app, paymentId)) === want, timeoutMs).catch(async () => {
    throw new Error(`payment ${paymentId} is ${await state(app, paymentId)}, not ${want}`)
  })
}

export const confirm = (app: FastifyInstance, who: User, paymentId: string, cardToken: string, extra: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/api/payments/${paymentId}/confirm`, headers: who.h(extra), payload: { cardToken } })

/** What the service published on PAYMENT since this file started. */
export async function readEvents(
  app: FastifyInstance,
  subject: string,
  match: (e: DomainEvent<any>) => boolean,
  opts: { count?: number; settleMs?: number; timeoutMs?: number } = {},
): Promise<DomainEvent<any>[]> {
  return readStreamEvents(app.bus.js, 'PAYMENT', subject, match, { since: STARTED_AT, timeoutMs: 15_000, ...opts })
}

export const ofPayment = (id: string) => (e: DomainEvent<any>) => e.data.paymentId === id

/** Every ledger transaction sums to zero, and so does everything (the DB trigger enforces the first). */
export async function ledgerUnbalanced(app: FastifyInstance): Promise<{ txns: number; total: number }> {
  const db = dbOf(app)
  const bad = await sql<{ n: string }>`select count(*) as n from (select txn_id from ledger_entries group by txn_id having sum(amount) <> 0) x`.execute(db)
  const total = await sql<{ s: string | null }>`select sum(amount) as s from ledger_entries`.execute(db)
  return { txns: Number(bad.rows[0]!.n), total: Number(total.rows[0]!.s ?? 0) }
}

/**
 * The app a test file shares, built once (closed at the end), with the ledger checked after every
 * test: each transaction, and everything together, sums to zero.
 */
export async function paymentSuite(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildPayment(overrides)
  t.teardown(() => app.close())
  t.afterEach(async () => {
    t.same(await ledgerUnbalanced(app), { txns: 0, total: 0 }, 'the ledger balances')
  })
  return app
}

export async function ledgerOf(app: FastifyInstance, paymentId: string): Promise<Record<string, number>> {
  const rows = await dbOf(app).selectFrom('ledger_entries').select(['account', 'amount']).where('payment_id', '=', paymentId).execute()
  const out: Record<string, number> = {}
  for (const r of rows) out[r.account] = (out[r.account] ?? 0) + Number(r.amount)
  return out
}

export function signedWebhook(body: unknown, opts: { secret?: string; at?: number } = {}) {
  const raw = JSON.stringify(body)
  return {
    raw,
    headers: { 'content-type': 'application/json', 'sandbox-signature': signSandboxPayload(raw, opts.secret ?? WEBHOOK_SECRET, opts.at) },
  }
}

/**
 * The file's payment with several providers at once (`providers`: PAYMENT_PROVIDERS), Stripe and Toss
 * through their local stand-ins (@sunbae/testing/provider-apis: the real ones cannot be reached from
 * tests) with test keys of the file's own (`tag`), started before its tests and closed after them;
 * every test leaves the ledger balanced.
 */
export function withProviderStandIns(providers: string, tag: string) {
  const keys = {
    stripe: { secretKey: `sk_test_local_${tag}_01`, publishableKey: `pk_test_local_${tag}_01`, webhookSecret: `whsec_local_${tag}_01` },
    toss: { secretKey: `test_sk_local_${tag}_01`, clientKey: `test_gck_local_${tag}_01` },
  }
  const ctx = { keys } as { keys: typeof keys; app: FastifyInstance; stripe: StripeApi; toss: TossApi }
  t.before(async () => {
    ;[ctx.stripe, ctx.toss] = await Promise.all([startStripeApi(keys.stripe), startTossApi(keys.toss)])
    ctx.app = await buildPayment({
      PAYMENT_PROVIDER: '',
      PAYMENT_PROVIDERS: providers,
      STRIPE_SECRET_KEY: keys.stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: keys.stripe.webhookSecret,
      STRIPE_PUBLISHABLE_KEY: keys.stripe.publishableKey,
      STRIPE_API_URL: ctx.stripe.url,
      TOSS_SECRET_KEY: keys.toss.secretKey,
      TOSS_CLIENT_KEY: keys.toss.clientKey,
      TOSS_API_URL: ctx.toss.url,
    })
  })
  t.teardown(async () => {
    await ctx.app?.close()
    await Promise.all([ctx.stripe?.close(), ctx.toss?.close()])
  })
  t.afterEach(async () => {
    t.same(await ledgerUnbalanced(ctx.app), { txns: 0, total: 0 }, 'the ledger balances')
  })
  return ctx
}
