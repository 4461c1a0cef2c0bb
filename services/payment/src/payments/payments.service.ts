import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import { sql } from 'kysely'
import {
  PaymentEvents,
  type BookingCancelledV1,
  type BookingConfirmedV1,
  type BookingHeldV1,
  type BookingReleasedV1,
  type Earnings,
  type ErrorReportV1,
  type EventActor,
  type Identity,
  type Payment,
  type PaymentState,
} from '@sunbae/contracts'
import { AppError, conflict, fingerprint, forbidden, notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { ProviderTimeoutError, type ChargeResult, type PaymentProvider, type WebhookEvent } from '../providers/provider.ts'
import { Ledger } from './ledger.ts'
import { PaymentsRepository, type BookingRow, type PaymentRow, type RefundRow } from './payments.repository.ts'
import { assertMove, GAVE_UP, PAID, WAITING } from './state.ts'

type Events = FastifyInstance['events']

export interface PaymentPolicy {
  feePercent: number
  /** a payment processing this long without a record at the provider never reached it */
  abandonMs: number
  /** PAYMENT_PROVIDER_TIMEOUT_MS: the longest a payer waits for a provider call, whatever its client does */
  providerTimeoutMs: number
}

const iso = (d: Date | string) => new Date(d).toISOString()
const actorOf = (identity: Identity): EventActor => ({ type: 'user', id: identity.uid, role: identity.role })
export const SYSTEM: EventActor = { type: 'system', id: null }
const base = (p: PaymentRow) => ({ paymentId: p.id, bookingId: p.booking_id, amount: p.amount, currency: p.currency })
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

/**
 * Payments for held bookings. A strict state machine (state.ts): every move is a conditional UPDATE
 * of a locked row with its event in the outbox, in one transaction. Provider calls happen between
 * transactions, never inside one: the payment is `processing` before the provider is asked, and
 * whatever the provider answered is applied once, whoever brings the answer (the request, a
 * webhook, or reconciliation after a crash).
 */
export class PaymentsService {
  readonly #db: Kysely<DB>
  readonly #repo: PaymentsRepository
  readonly #events: Events
  readonly #providers: ReadonlyMap<string, PaymentProvider>
  readonly #provider: PaymentProvider
  readonly #policy: PaymentPolicy
  readonly #ledger = new Ledger()
  readonly #log: FastifyBaseLogger
  /** set when a refund or a provider cancel was queued: the worker runs soon instead of at its next interval */
  onRefundQueued: () => void = () => {}
  /** where errors of background work go (the platform points it at tracking's `telemetry.error`) */
  onError: (report: ErrorReportV1) => void = () => {}

  /** `providers` by name; new payments go through `provider`, existing ones through the one they started with */
  constructor(db: Kysely<DB>, events: Events, providers: ReadonlyMap<string, PaymentProvider>, provider: string, policy: PaymentPolicy, log: FastifyBaseLogger) {
    this.#db = db
    this.#repo = new PaymentsRepository(db)
    this.#events = events
    this.#providers = providers
    const chosen = providers.get(provider)
    if (!chosen) throw new Error(`payment provider ${provider} is not configured`)
    this.#provider = chosen
    this.#policy = policy
    this.#log = log
  }

  get repository(): PaymentsRepository {
    return this.#repo
  }

  #providerOf(row: Pick<PaymentRow, 'provider' | 'id'>): PaymentProvider {
    const p = this.#providers.get(row.provider)
    if (!p) throw new Error(`payment ${row.id} went through ${row.provider}, which is not configured`)
    return p
  }

  // — reading —

  toPayment(row: PaymentRow, booking: BookingRow | undefined, refunds: RefundRow[]): Payment {
    return {
      id: row.id,
      bookingId: row.booking_id,
      state: row.state as PaymentState,
      amount: row.amount,
      currency: row.currency,
      refundedAmount: row.refunded_amount,
      provider: row.provider,
      menteeUid: row.mentee_uid,
      mentorUid: row.mentor_uid,
      failureReason: row.failure_reason,
      nextAction: row.state === 'requires_action' ? { type: 'authenticate', description: 'POST /api/payments/:id/authenticate with the payer’s answer' } : null,
      holdExpiresAt: booking?.state === 'held' && booking.hold_expires_at ? iso(booking.hold_expires_at) : null,
      refunds: refunds.map((r) => ({ id: r.id, amount: r.amount, state: r.state as 'pending' | 'succeeded', reason: r.reason, createdAt: iso(r.created_at) })),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    }
  }

  async #hydrate(rows: PaymentRow[]): Promise<Payment[]> {
    const [bookings, refunds] = await Promise.all([this.#repo.bookings(rows.map((r) => r.booking_id)), this.#repo.refundsOf(rows.map((r) => r.id))])
    return rows.map((r) => this.toPayment(r, bookings.get(r.booking_id), refunds.get(r.id) ?? []))
  }

  async view(id: string): Promise<Payment> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such payment', 'PAYMENT_NOT_FOUND')
    return (await this.#hydrate([row]))[0]!
  }

  /** Its payer, the mentor it pays, or an admin. */
  async get(identity: Identity, id: string): Promise<Payment> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such payment', 'PAYMENT_NOT_FOUND')
    if (identity.role !== 'admin' && row.mentee_uid !== identity.uid && row.mentor_uid !== identity.uid) throw forbidden('This payment is not yours', 'NOT_YOUR_PAYMENT')
    return (await this.#hydrate([row]))[0]!
  }

  async mine(identity: Identity, limit: number): Promise<{ items: Payment[] }> {
    return { items: await this.#hydrate(await this.#repo.list({ menteeUid: identity.uid }, limit)) }
  }

  async adminList(q: { state?: string | undefined; bookingId?: string | undefined; limit?: number | undefined }): Promise<{ items: Payment[] }> {
    const filter = { ...(q.state ? { state: q.state } : {}), ...(q.bookingId ? { bookingId: q.bookingId } : {}) }
    return { items: await this.#hydrate(await this.#repo.list(filter, q.limit ?? 50)) }
  }

  async earnings(identity: Identity, limit = 200): Promise<Earnings> {
    const rows = await this.#repo.earnings(identity.uid, limit)
    const items = rows.map((r) => ({
      paymentId: r.id,
      bookingId: r.booking_id,
      currency: r.currency,
      gross: r.amount,
      fee: Number(r.fee ?? 0),
      refunded: r.refunded_amount,
      net: Number(r.net ?? 0),
      state: r.state as PaymentState,
      succeededAt: r.succeeded_at ? iso(r.succeeded_at) : null,
    }))
    const totals = new Map<string, { currency: string; gross: number; fee: number; refunded: number; net: number }>()
    for (const i of items) {
      const t = totals.get(i.currency) ?? { currency: i.currency, gross: 0, fee: 0, refunded: 0, net: 0 }
      t.gross += i.gross
      t.fee += i.fee
      t.refunded += i.refunded
      t.net += i.net
      totals.set(i.currency, t)
    }
    return { totals: [...totals.values()], items }
  }

  // — commands of the payer —

  /** The payment of my held booking: the existing one, or a new one for the booking's price. */
  async createForBooking(identity: Identity, bookingId: string): Promise<{ created: boolean; payment: Payment }> {
    const { id, created } = await this.#db.transaction().execute(async (trx) => {
      const booking = await this.#repo.booking(bookingId, trx)
      if (!booking) throw notFound('No held booking with this id (yet): book first, then pay', 'BOOKING_NOT_FOUND')
      if (booking.mentee_uid !== identity.uid) throw forbidden('This booking is not yours', 'NOT_YOUR_BOOKING')
      const existing = await this.#repo.findByBooking(bookingId, trx)
      if (existing) return { id: existing.id, created: false }
      if (booking.state !== 'held' || !booking.hold_expires_at || new Date(booking.hold_expires_at).getTime() <= Date.now()) {
        throw conflict('This booking is not waiting for payment', 'BOOKING_NOT_HELD')
      }
      const row = await this.#createPayment(booking, actorOf(identity), trx)
      return row ? { id: row.id, created: true } : { id: (await this.#repo.findByBooking(bookingId, trx))!.id, created: false }
    })
    this.#events.flushSoon()
    return { created, payment: await this.view(id) }
  }

  /** The amount is the booking's price snapshot (from meeting.booking.held), never the client's. */
  async #createPayment(booking: BookingRow, actor: EventActor, trx: Transaction<DB>): Promise<PaymentRow | undefined> {
    const row = await trx
      .insertInto('payments')
      .values({
        id: randomUUID(),
        booking_id: booking.booking_id,
        mentee_uid: booking.mentee_uid,
        mentor_id: booking.mentor_id,
        mentor_uid: booking.mentor_uid,
        amount: booking.price,
        currency: booking.currency,
        state: 'requires_payment',
        provider: this.#provider.name,
      })
      .onConflict((oc) => oc.column('booking_id').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (row) {
      await this.#publish(trx, PaymentEvents.created, { ...base(row), menteeUid: row.mentee_uid, mentorUid: row.mentor_uid, provider: row.provider, createdAt: iso(row.created_at) }, actor, row)
    }
    return row
  }

  async #payersLocked(identity: Identity, id: string, trx: Transaction<DB>): Promise<PaymentRow> {
    const row = await this.#repo.lock(id, trx)
    if (!row) throw notFound('No such payment', 'PAYMENT_NOT_FOUND')
    if (row.mentee_uid !== identity.uid) throw forbidden('Only the payer can do this', 'NOT_YOUR_PAYMENT')
    return row
  }

  /**
   * Charges the card: processing (committed) → the provider → its answer applied. `resumed`: this
   * retry took over the Idempotency-Key of a confirm that died (kill -9) — if that one already moved
   * the payment, the answer is the payment as it is now, not ILLEGAL_TRANSITION.
   */
  async confirm(identity: Identity, id: string, cardToken: string, { resumed = false } = {}): Promise<Payment> {
    const row = await this.#db.transaction().execute(async (trx) => {
      const row = await this.#payersLocked(identity, id, trx)
      if (resumed && row.state !== 'requires_payment') return null
      this.#providerOf(row).checkToken(cardToken)
      if (row.state === 'requires_action') throw conflict('The payer must authenticate this payment first', 'AUTHENTICATION_REQUIRED')
      assertMove(row.state as PaymentState, 'processing')
      const booking = await this.#repo.booking(row.booking_id, trx)
      if (booking?.state !== 'held' || !booking.hold_expires_at || new Date(booking.hold_expires_at).getTime() <= Date.now()) {
        throw conflict('The booking is no longer held for this payment', 'HOLD_EXPIRED')
      }
      const moved = await this.#repo.move(row, { state: 'processing' }, trx)
      await this.#publish(trx, PaymentEvents.processing, { ...base(moved), provider: moved.provider, processingAt: iso(moved.updated_at) }, actorOf(identity), moved)
      return moved
    })
    if (!row) return this.#current(identity, id)
    this.#events.flushSoon()
    const result = await this.#ask(row, () => this.#providerOf(row).charge({ reference: row.id, amount: row.amount, currency: row.currency, cardToken }))
    if (result) await this.#apply(row.id, result, actorOf(identity))
    return this.view(id)
  }

  /** The answer to the provider's challenge (sandbox: approve or deny). `resumed` as in `confirm`. */
  async authenticate(identity: Identity, id: string, outcome: 'approve' | 'deny', { resumed = false } = {}): Promise<Payment> {
    const row = await this.#db.transaction().execute(async (trx) => {
      const row = await this.#payersLocked(identity, id, trx)
      if (resumed && row.state !== 'requires_action') return null
      if (row.state !== 'requires_action') throw conflict(`A ${row.state} payment needs no authentication`, 'ILLEGAL_TRANSITION')
      const moved = await this.#repo.move(row, { state: 'processing' }, trx)
      await this.#publish(trx, PaymentEvents.processing, { ...base(moved), provider: moved.provider, processingAt: iso(moved.updated_at) }, actorOf(identity), moved)
      return moved
    })
    if (!row) return this.#current(identity, id)
    this.#events.flushSoon()
    const result = await this.#ask(row, () => this.#providerOf(row).authenticate(row.id, outcome))
    if (result) await this.#apply(row.id, result, actorOf(identity))
    return this.view(id)
  }

  /** The payer gives up before paying; meeting releases the booking on payment.cancelled. `resumed` as in `confirm`. */
  async cancel(identity: Identity, id: string, { resumed = false } = {}): Promise<Payment> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await this.#payersLocked(identity, id, trx)
      if (resumed && row.state !== 'requires_payment' && row.state !== 'requires_action') return
      await this.#cancel(row, 'cancelled_by_payer', actorOf(identity), trx)
    })
    this.#events.flushSoon()
    return this.view(id)
  }

  /**
   * A payment waiting on the payer's authentication is known to the provider, and the payer may still
   * complete it there: the provider is told to cancel it after this commits (`provider_cancel`,
   * run by the worker), and a success that beats the cancel is booked and refunded (applyOutcome).
   */
  async #cancel(row: PaymentRow, reason: string, actor: EventActor, trx: Transaction<DB>): Promise<void> {
    assertMove(row.state as PaymentState, 'cancelled')
    const atProvider = row.state === 'requires_action'
    const moved = await this.#repo.move(row, { state: 'cancelled', failure_reason: reason, ...(atProvider ? { provider_cancel: 'pending' } : {}) }, trx)
    await this.#publish(trx, PaymentEvents.cancelled, { ...base(moved), reason, cancelledAt: iso(moved.updated_at) }, actor, moved)
    if (atProvider) this.onRefundQueued()
  }

  /**
   * The payment as it is now, for a retry of a request that died mid-way; one still processing is
   * asked about at its provider first (the dead request may have had the answer and not committed it).
   */
  async #current(identity: Identity, id: string): Promise<Payment> {
    const row = await this.#repo.findById(id)
    if (row?.state === 'processing') {
      try {
        const result = await this.#bounded(row.provider, () => this.#providerOf(row).retrieve(row.id))
        if (result) await this.#apply(row.id, result, actorOf(identity))
      } catch (err) {
        // it stays processing (a timeout too); reconciliation settles it
        this.#log.warn({ err, paymentId: id }, 'a resumed request could not ask the provider')
      }
    }
    return this.view(id)
  }

  /**
   * A provider call a payer waits for, bounded by PAYMENT_PROVIDER_TIMEOUT_MS whatever the provider's
   * client does (its own timeout is the same, but a client may retry a dropped connection): past it
   * the call is left to finish on its own and a ProviderTimeoutError is thrown.
   */
  async #bounded<T>(provider: string, call: () => Promise<T>): Promise<T> {
    const ms = this.#policy.providerTimeoutMs
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProviderTimeoutError(provider, ms)), ms)
    })
    try {
      return await Promise.race([call(), deadline])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * The provider's answer for a payment the payer waits on. null: it did not answer within
   * PAYMENT_PROVIDER_TIMEOUT_MS — the payment stays processing and the caller answers it as it is (the
   * charge may have happened; the webhook or reconciliation brings the outcome, applied once).
   */
  async #ask(row: Pick<PaymentRow, 'id' | 'provider'>, call: () => Promise<ChargeResult>): Promise<ChargeResult | null> {
    try {
      return await this.#bounded(row.provider, call)
    } catch (err) {
      if (err instanceof AppError) throw err
      if (err instanceof ProviderTimeoutError) {
        this.#log.warn({ err, paymentId: row.id }, 'payment provider did not answer in time; the payment stays processing')
        return null
      }
      // the payment stays processing; reconciliation settles it once the provider answers
      this.#log.error({ err }, 'payment provider call failed')
      throw new AppError(502, 'PROVIDER_UNAVAILABLE', 'The payment provider did not answer; the payment will be settled when it does')
    }
  }

  async #apply(paymentId: string, result: ChargeResult, actor: EventActor): Promise<void> {
    await this.#db.transaction().execute((trx) => this.applyOutcome(trx, paymentId, result, actor))
    this.#events.flushSoon()
  }

  /**
   * What the provider says about a charge, applied to a payment waiting on it — once: a payment
   * that already left processing / requires_action / needs_review is not touched again (a late
   * webhook, a reconciliation racing the request). The one exception is a success for a payment we
   * gave up on (cancelled, failed): the money moved, so it is booked and refunded in full — a
   * payment success is never ignored. Returns whether anything changed.
   */
  async applyOutcome(trx: Transaction<DB>, paymentId: string, result: ChargeResult, actor: EventActor): Promise<boolean> {
    const row = await this.#repo.lock(paymentId, trx)
    if (!row) return false
    const from = row.state as PaymentState
    if (GAVE_UP.includes(from)) return result.status === 'succeeded' ? this.#succeed(trx, row, result, actor) : false
    if (!WAITING.includes(from)) return false
    switch (result.status) {
      case 'processing':
        return false
      case 'requires_action': {
        if (row.state !== 'processing') return false
        const moved = await this.#repo.move(row, { state: 'requires_action', provider_ref: result.providerRef }, trx)
        await this.#publish(trx, PaymentEvents.actionRequired, { ...base(moved), action: 'authenticate', at: iso(moved.updated_at) }, actor, moved)
        return true
      }
      case 'failed': {
        const reason = result.failureCode ?? 'failed'
        const moved = await this.#repo.move(row, { state: 'failed', failure_reason: reason, provider_ref: result.providerRef }, trx)
        await this.#publish(trx, PaymentEvents.failed, { ...base(moved), reason, failedAt: iso(moved.updated_at) }, actor, moved)
        return true
      }
      case 'succeeded':
        return this.#succeed(trx, row, result, actor)
    }
  }

  /** The charge booked (ledger, payment.succeeded); refunded in full when nobody wants it any more. */
  async #succeed(trx: Transaction<DB>, row: PaymentRow, result: ChargeResult, actor: EventActor): Promise<boolean> {
    if (result.amount !== row.amount || result.currency !== row.currency) {
      // never book money we did not ask for; the error surfaces (webhook 500, reconciliation: needs_review)
      throw new Error(`provider charged ${result.amount} ${result.currency} for payment ${row.id} of ${row.amount} ${row.currency}`)
    }
    const gaveUp = GAVE_UP.includes(row.state as PaymentState)
    assertMove(row.state as PaymentState, 'succeeded')
    const fee = Math.round((row.amount * this.#policy.feePercent) / 100)
    const moved = await this.#repo.move(
      row,
      {
        state: 'succeeded',
        fee,
        provider_ref: result.providerRef,
        // a late success keeps why we had given up (the admin list shows it next to the refund)
        ...(gaveUp ? {} : { failure_reason: null }),
        ...(row.provider_cancel === 'pending' ? { provider_cancel: 'done' } : {}),
        succeeded_at: new Date(),
      },
      trx,
    )
    await this.#ledger.charge(trx, moved)
    await this.#publish(trx, PaymentEvents.succeeded, { ...base(moved), succeededAt: iso(moved.succeeded_at!) }, actor, moved)
    if (gaveUp) {
      // paid after we cancelled it or declared it failed: meeting released the booking, give it all back
      await this.#queueRefund(moved, moved.amount, `late:${moved.id}`, `paid_after_${row.state}`, trx)
      return true
    }
    // paid after the hold was released or the booking cancelled: meeting will not confirm it, give it back
    const booking = await this.#repo.booking(moved.booking_id, trx)
    if (booking && (booking.state === 'released' || booking.state === 'cancelled')) {
      await this.#queueRefund(moved, moved.amount, `late:${moved.id}`, `booking_${booking.state}`, trx)
    }
    return true
  }

  // — meeting's events (system actor; run in the consumer's transaction) —

  async onBookingHeld(d: BookingHeldV1, trx: Transaction<DB>): Promise<void> {
    // a later state (released, cancelled) that arrived first is not overwritten
    const booking = await trx
      .insertInto('bookings')
      .values({
        booking_id: d.bookingId,
        mentee_uid: d.menteeUid,
        mentor_id: d.mentorId,
        mentor_uid: d.mentorUid,
        price: d.price,
        currency: d.currency,
        hold_expires_at: new Date(d.holdExpiresAt),
        state: 'held',
      })
      .onConflict((oc) => oc.column('booking_id').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (booking && d.price > 0 && Date.parse(d.holdExpiresAt) > Date.now()) await this.#createPayment(booking, SYSTEM, trx)
  }

  async onBookingConfirmed(d: BookingConfirmedV1, trx: Transaction<DB>): Promise<void> {
    await trx.updateTable('bookings').set({ state: 'confirmed', updated_at: sql<Date>`now()` }).where('booking_id', '=', d.bookingId).where('state', '=', 'held').execute()
  }

  /** The hold ended unpaid: a payment still waiting is cancelled; one that got paid meanwhile is refunded. */
  async onBookingReleased(d: BookingReleasedV1, trx: Transaction<DB>): Promise<void> {
    await trx.updateTable('bookings').set({ state: 'released', updated_at: sql<Date>`now()` }).where('booking_id', '=', d.bookingId).execute()
    const row = await this.#repo.lockByBooking(d.bookingId, trx)
    if (!row) return
    if (row.state === 'requires_payment' || row.state === 'requires_action') await this.#cancel(row, d.reason, SYSTEM, trx)
    else if (PAID.includes(row.state as PaymentState)) await this.#queueRefund(row, row.amount, `late:${row.id}`, 'booking_released', trx)
    // processing: the outcome decides (a success then finds the booking released and refunds)
  }

  /** meeting decided the refund (full / partial / none) by the mentor's policy; we carry it out. */
  async onBookingCancelled(d: BookingCancelledV1, trx: Transaction<DB>): Promise<void> {
    await trx.updateTable('bookings').set({ state: 'cancelled', updated_at: sql<Date>`now()` }).where('booking_id', '=', d.bookingId).execute()
    const row = d.refund?.paymentId ? await this.#repo.lock(d.refund.paymentId, trx) : await this.#repo.lockByBooking(d.bookingId, trx)
    if (!row) return
    if (row.state === 'requires_payment' || row.state === 'requires_action') {
      await this.#cancel(row, 'booking_cancelled', SYSTEM, trx)
      return
    }
    const refund = d.refund
    if (!refund || refund.outcome === 'none' || refund.amount <= 0 || !PAID.includes(row.state as PaymentState)) return
    if (refund.currency !== row.currency) throw new Error(`refund in ${refund.currency} for payment ${row.id} in ${row.currency}`)
    await this.#queueRefund(row, refund.amount, `cancel:${d.bookingId}`, `booking_cancelled_${refund.outcome}`, trx)
  }

  /** A refund to run; `cause` makes the same reason refund once. Capped at what is left to refund. */
  async #queueRefund(row: PaymentRow, amount: number, cause: string, reason: string, trx: Transaction<DB>): Promise<void> {
    const left = row.amount - row.refunded_amount - (await this.#repo.pendingRefundTotal(row.id, trx))
    const take = Math.min(amount, left)
    if (take <= 0) return
    await trx
      .insertInto('refunds')
      .values({ id: randomUUID(), payment_id: row.id, amount: take, reason, cause, state: 'pending' })
      .onConflict((oc) => oc.column('cause').doNothing())
      .execute()
    this.onRefundQueued()
  }

  // — the provider's side: refunds, webhooks, reconciliation —

  /**
   * Runs pending refunds through the provider (idempotent by refund id), then books them — each on
   * its own: one that throws is reported and retried next time, the others go on.
   */
  async runPendingRefunds(limit: number): Promise<number> {
    let done = 0
    for (const r of await this.#repo.pendingRefunds(limit)) {
      try {
        if (await this.#runRefund(r)) done++
      } catch (err) {
        this.reportError(err, 'refund', r.payment_id, { refundId: r.id })
      }
    }
    if (done > 0) this.#events.flushSoon()
    return done
  }

  async #runRefund(r: RefundRow): Promise<boolean> {
    const payment = await this.#repo.findById(r.payment_id)
    if (!payment) return false
    let providerRef: string
    try {
      ;({ providerRef } = await this.#providerOf(payment).refund({ reference: payment.id, providerRef: payment.provider_ref, refundId: r.id, amount: r.amount, currency: payment.currency }))
    } catch (err) {
      this.#log.error({ err, refundId: r.id, paymentId: payment.id }, 'refund failed at the provider; will retry')
      return false
    }
    return this.#db.transaction().execute(async (trx) => {
      const row = await this.#repo.lock(payment.id, trx)
      const refund = await trx.selectFrom('refunds').selectAll().where('id', '=', r.id).where('state', '=', 'pending').forUpdate().executeTakeFirst()
      if (!row || !refund) return false
      const total = row.refunded_amount + refund.amount
      const state: PaymentState = total === row.amount ? 'refunded' : 'partially_refunded'
      assertMove(row.state as PaymentState, state)
      const moved = await this.#repo.move(row, { state, refunded_amount: total }, trx)
      await trx.updateTable('refunds').set({ state: 'succeeded', provider_ref: providerRef, succeeded_at: sql<Date>`now()` }).where('id', '=', refund.id).execute()
      await this.#ledger.refund(trx, moved, row.refunded_amount, refund.amount)
      await this.#publish(
        trx,
        PaymentEvents.refunded,
        { ...base(moved), refundId: refund.id, refundAmount: refund.amount, refundedTotal: total, state, reason: refund.reason, refundedAt: iso(moved.updated_at) },
        SYSTEM,
        moved,
      )
      return true
    })
  }

  /**
   * Tells providers about payments cancelled here while the payer could still complete them (each
   * on its own). A charge that completed first is booked and refunded; one still moving is asked
   * about again next time.
   */
  async runPendingCancels(limit: number): Promise<number> {
    let done = 0
    for (const row of await this.#repo.pendingCancels(limit)) {
      // a provider this replica does not have (a rolling deploy) is another replica's to tell
      if (!this.#providers.has(row.provider)) continue
      try {
        const result = await this.#providerOf(row).cancel({ reference: row.id, providerRef: row.provider_ref })
        const changed = await this.#db.transaction().execute(async (trx) => {
          if (result?.status === 'succeeded') return this.applyOutcome(trx, row.id, result, SYSTEM)
          if (result && result.status !== 'failed') return false
          return this.#repo.cancelDone(row.id, trx)
        })
        if (changed) done++
      } catch (err) {
        this.reportError(err, 'provider cancel', row.id)
      }
    }
    if (done > 0) this.#events.flushSoon()
    return done
  }

  /** A verified provider event: recorded once by id (replays are acknowledged and ignored). */
  async webhook(providerName: string, event: WebhookEvent): Promise<{ received: boolean; duplicate?: boolean; ignored?: boolean }> {
    const out = await this.#db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('webhook_events')
        .values({ provider: providerName, event_id: event.id, type: event.type })
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
        .returning('event_id')
        .executeTakeFirst()
      if (!fresh) return { received: true, duplicate: true }
      const payment = event.charge && event.reference && isUuid(event.reference) ? await this.#repo.findById(event.reference, trx) : undefined
      // a payment of another provider is not this provider's to settle
      if (!event.charge || !event.reference || payment?.provider !== providerName) {
        this.#log.info({ provider: providerName, eventId: event.id, type: event.type }, 'webhook event acknowledged and ignored')
        return { received: true, ignored: true }
      }
      const changed = await this.applyOutcome(trx, event.reference, event.charge, SYSTEM)
      return changed ? { received: true } : { received: true, ignored: true }
    })
    this.#events.flushSoon()
    return out
  }

  /**
   * Asks the provider about payments stuck waiting on it (a lost webhook, a crash mid-request), row
   * by row: a provider that does not answer (or is not configured here) is asked again next time; a
   * row whose answer cannot be applied (it throws) moves to needs_review, is reported to tracking,
   * and the rest go on.
   */
  async reconcile(olderThanMs: number, limit: number): Promise<{ settled: number; needsReview: number }> {
    let settled = 0
    let needsReview = 0
    for (const row of await this.#repo.stuck(olderThanMs, limit)) {
      try {
        if (await this.#reconcileOne(row)) settled++
      } catch (err) {
        this.reportError(err, 'reconciliation', row.id)
        if (await this.#toReview(row, err)) needsReview++
      }
    }
    if (settled + needsReview > 0) this.#events.flushSoon()
    return { settled, needsReview }
  }

  async #reconcileOne(row: PaymentRow): Promise<boolean> {
    let result: ChargeResult | null
    try {
      // a provider this replica does not have (a rolling deploy) is another replica's to ask
      result = await this.#providerOf(row).retrieve(row.id)
    } catch (err) {
      this.#log.warn({ err, paymentId: row.id }, 'reconciliation: the provider did not answer')
      return false
    }
    const changed = await this.#db.transaction().execute(async (trx) => {
      if (result) return this.applyOutcome(trx, row.id, result, SYSTEM)
      if (row.state !== 'processing' || Date.now() - new Date(row.updated_at).getTime() < this.#policy.abandonMs) return false
      const locked = await this.#repo.lock(row.id, trx)
      if (locked?.state !== 'processing' || locked.updated_at.getTime() !== new Date(row.updated_at).getTime()) return false
      const moved = await this.#repo.move(locked, { state: 'failed', failure_reason: 'provider_no_record' }, trx)
      await this.#publish(trx, PaymentEvents.failed, { ...base(moved), reason: 'provider_no_record', failedAt: iso(moved.updated_at) }, SYSTEM, moved)
      return true
    })
    if (changed) this.#log.info({ paymentId: row.id, status: result?.status ?? 'no_record' }, 'reconciliation settled a payment')
    return changed
  }

  /** A payment reconciliation cannot settle waits for an admin (unless it moved meanwhile). */
  async #toReview(row: PaymentRow, err: unknown): Promise<boolean> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const locked = await this.#repo.lock(row.id, trx)
        if (!locked || locked.state !== row.state || locked.updated_at.getTime() !== new Date(row.updated_at).getTime()) return false
        const moved = await this.#repo.move(locked, { state: 'needs_review', failure_reason: 'reconciliation_error' }, trx)
        const error = err instanceof Error ? err.message : String(err)
        await this.#publish(trx, PaymentEvents.needsReview, { ...base(moved), fromState: row.state, error: error.slice(0, 500), at: iso(moved.updated_at) }, SYSTEM, moved)
        return true
      })
    } catch (e) {
      this.#log.error({ err: e, paymentId: row.id }, 'reconciliation: could not move the payment to needs_review')
      return false
    }
  }

  /** Background work that failed: logged, and reported to tracking (`telemetry.error`) like a 5xx. */
  reportError(err: unknown, what: string, paymentId: string | null, extra: Record<string, string> = {}): void {
    const e = err instanceof Error ? err : new Error(String(err))
    this.#log.error({ err: e, paymentId, ...extra }, `${what} failed`)
    try {
      this.onError({
        service: 'payment',
        requestId: null,
        traceId: null,
        route: `worker:${what}`,
        method: null,
        status: 500,
        code: 'PAYMENT_WORKER_FAILED',
        message: `${what}${paymentId ? ` of payment ${paymentId}` : ''}: ${e.message}`.slice(0, 2000),
        stack: e.stack ?? null,
        fingerprint: fingerprint(e),
        occurredAt: new Date().toISOString(),
      })
    } catch (sinkErr) {
      this.#log.warn({ err: sinkErr }, 'could not report error')
    }
  }

  // — webhook windows (providers whose webhooks are verified by asking them) —

  openWebhookWindow(provider: string, claim: string, seconds: number): Promise<boolean> {
    return this.#repo.openWebhookWindow(provider, claim, seconds)
  }

  closeWebhookWindow(provider: string, claim: string): Promise<void> {
    return this.#repo.closeWebhookWindow(provider, claim)
  }

  purgeWebhookWindows(): Promise<number> {
    return this.#repo.purgeWebhookWindows()
  }

  async #publish<D>(trx: Transaction<DB>, e: { type: string; version: number }, data: D, actor: EventActor, row: PaymentRow): Promise<void> {
    await this.#events.publishInTx(trx, this.#events.create(e.type, e.version, data, actor, { type: 'payment', id: row.id }))
  }
}
