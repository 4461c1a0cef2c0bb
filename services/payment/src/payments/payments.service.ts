import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { PaymentEvents, takesCurrency, type EventActor, type Payment, type PaymentState } from '@sunbae/contracts'
import { AppError, notFound } from '@sunbae/service-kit'
import type { Transactions, Tx } from '../db/database.ts'
import type { ChargeResult, PaymentProvider } from '../providers/provider.ts'
import type { BookingRow } from './bookings.table.ts'
import type { BookingsRepository } from './bookings.repository.ts'
import { chargeEntries } from './ledger.ts'
import type { LedgerRepository } from './ledger.repository.ts'
import type { PaymentsRepository } from './payments.repository.ts'
import type { PaymentRow } from './payments.table.ts'
import type { RefundsRepository } from './refunds.repository.ts'
import type { RefundRow } from './refunds.table.ts'
import type { WebhooksRepository } from './webhooks.repository.ts'
import { assertMove, GAVE_UP, WAITING } from './state.ts'

export type Events = FastifyInstance['events']

export interface PaymentPolicy {
  feePercent: number
  /** a payment processing this long without a record at the provider never reached it */
  abandonMs: number
  /** PAYMENT_PROVIDER_TIMEOUT_MS: the longest a payer waits for a provider call, whatever its client does */
  providerTimeoutMs: number
}

/** payment's repositories, built once by the plugin and shared by its services. */
export interface Repositories {
  transactions: Transactions
  payments: PaymentsRepository
  refunds: RefundsRepository
  bookings: BookingsRepository
  ledger: LedgerRepository
  webhooks: WebhooksRepository
}

/**
 * What the payer's commands and the worker's jobs are built with (once, by the plugin): the
 * repositories, the shared rules, the outbox, the worker's wake-up and a logger.
 */
export interface PaymentDeps {
  repos: Repositories
  payments: PaymentsService
  events: Events
  /** a refund or a provider cancel was queued and committed: the worker runs soon */
  wakeWorker: () => void
  log: FastifyBaseLogger
}

/**
 * What a change made in a transaction left to do once it commits. `queued`: a refund or a provider
 * cancel waits for the worker, which the transaction's owner wakes after the commit (woken before,
 * the worker would not see the row yet and would leave it to its next interval).
 */
export interface Applied {
  changed: boolean
  queued: boolean
}

export const iso = (d: Date | string) => new Date(d).toISOString()
export const SYSTEM: EventActor = { type: 'system', id: null }
/** the fields every payment.* event carries */
export const base = (p: PaymentRow) => ({ paymentId: p.id, bookingId: p.booking_id, amount: p.amount, currency: p.currency })
/** what a payment.* event is about */
export const about = (p: PaymentRow) => ({ type: 'payment', id: p.id })

/**
 * The rules every entry point of payment shares (commands, meeting's events, the worker): a strict
 * state machine (state.ts) where every move is a conditional UPDATE of a locked row with its event
 * in the outbox, in the caller's transaction. Provider calls happen between transactions, never
 * inside one: whatever the provider answered is applied once (`applyOutcome`), whoever brings the
 * answer (the request, a webhook, or reconciliation after a crash).
 */
export class PaymentsService {
  readonly #repos: Repositories
  readonly #events: Events
  readonly #providers: ReadonlyMap<string, PaymentProvider>
  readonly #enabled: readonly string[]
  readonly #feePercent: number

  /**
   * `providers` by name (every one this replica can talk to); `enabled`: the ones a payer may choose, a
   * new payment starting with the first that takes its currency. Existing payments keep going through
   * the one they started with.
   */
  constructor(repos: Repositories, events: Events, providers: ReadonlyMap<string, PaymentProvider>, enabled: readonly string[], policy: Pick<PaymentPolicy, 'feePercent'>) {
    this.#repos = repos
    this.#events = events
    this.#providers = providers
    for (const name of enabled) if (!providers.has(name)) throw new Error(`payment provider ${name} is not configured`)
    if (enabled.length === 0) throw new Error('no payment provider is enabled')
    this.#enabled = enabled
    this.#feePercent = policy.feePercent
  }

  /** The providers a payer may choose, the first taking a payment's currency being its default. */
  get enabled(): readonly string[] {
    return this.#enabled
  }

  providerOf(row: Pick<PaymentRow, 'provider' | 'id'>): PaymentProvider {
    const p = this.#providers.get(row.provider)
    if (!p) throw new Error(`payment ${row.id} went through ${row.provider}, which is not configured`)
    return p
  }

  /** The currencies an enabled provider takes (null: any). */
  currenciesOf(name: string): readonly string[] | null {
    return this.#providers.get(name)?.currencies ?? null
  }

  /** The enabled providers that take `currency`, in their order (the first is a new payment's default). */
  takingCurrency(currency: string): string[] {
    return this.#enabled.filter((name) => takesCurrency(this.#providers.get(name)!, currency))
  }

  /**
   * `provider` (an enabled one; default the first that takes the currency) for a payment in
   * `currency`; 400 CURRENCY_NOT_SUPPORTED when it does not take it (or none does), before anything
   * is written — Toss would be sent a USD payment it cannot settle.
   */
  providerFor(currency: string, provider?: string): string {
    const taking = this.takingCurrency(currency)
    const chosen = provider ?? taking[0]
    if (chosen !== undefined && taking.includes(chosen)) return chosen
    throw new AppError(
      400,
      'CURRENCY_NOT_SUPPORTED',
      taking.length === 0
        ? `No payment provider offered here takes payments in ${currency}`
        : `${provider} does not take payments in ${currency}; pay with ${taking.join(' or ')}`,
    )
  }

  /** whether this replica has the provider (in a rolling deploy another one may be the only one) */
  hasProvider(name: string): boolean {
    return this.#providers.has(name)
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

  async hydrate(rows: PaymentRow[]): Promise<Payment[]> {
    const [bookings, refunds] = await Promise.all([this.#repos.bookings.findMany(rows.map((r) => r.booking_id)), this.#repos.refunds.ofPayments(rows.map((r) => r.id))])
    return rows.map((r) => this.toPayment(r, bookings.get(r.booking_id), refunds.get(r.id) ?? []))
  }

  async view(id: string): Promise<Payment> {
    const row = await this.#repos.payments.findById(id)
    if (!row) throw notFound('No such payment', 'PAYMENT_NOT_FOUND')
    return (await this.hydrate([row]))[0]!
  }

  // — moves —

  /**
   * The booking's payment for its price snapshot (from meeting.booking.held), never the client's, through
   * `provider` (an enabled one taking the booking's currency; default the first that does: 400
   * CURRENCY_NOT_SUPPORTED when none does); undefined if it has one.
   */
  async createPayment(booking: BookingRow, actor: EventActor, tx: Tx, provider?: string): Promise<PaymentRow | undefined> {
    provider = this.providerFor(booking.currency, provider)
    const row = await this.#repos.payments.insert(
      {
        id: randomUUID(),
        booking_id: booking.booking_id,
        mentee_uid: booking.mentee_uid,
        mentor_id: booking.mentor_id,
        mentor_uid: booking.mentor_uid,
        amount: booking.price,
        currency: booking.currency,
        state: 'requires_payment',
        provider,
      },
      tx,
    )
    if (row) {
      await this.#events.publish(
        tx,
        PaymentEvents.created,
        { ...base(row), menteeUid: row.mentee_uid, mentorUid: row.mentor_uid, provider: row.provider, createdAt: iso(row.created_at) },
        { actor, subject: about(row) },
      )
    }
    return row
  }

  /**
   * A payment waiting on the payer's authentication is known to the provider, and the payer may still
   * complete it there: the provider is told to cancel it after this commits (`provider_cancel`, run
   * by the worker), and a success that beats the cancel is booked and refunded (applyOutcome).
   * Returns whether the worker has a provider cancel to run.
   */
  async cancel(row: PaymentRow, reason: string, actor: EventActor, tx: Tx): Promise<boolean> {
    assertMove(row.state as PaymentState, 'cancelled')
    const atProvider = row.state === 'requires_action'
    const moved = await this.#repos.payments.move(row, { state: 'cancelled', failure_reason: reason, ...(atProvider ? { provider_cancel: 'pending' } : {}) }, tx)
    await this.#events.publish(tx, PaymentEvents.cancelled, { ...base(moved), reason, cancelledAt: iso(moved.updated_at) }, { actor, subject: about(moved) })
    return atProvider
  }

  /** A refund for the worker to run; `cause` makes the same reason refund once. Capped at what is left to refund. Returns whether one was queued. */
  async queueRefund(row: PaymentRow, amount: number, cause: string, reason: string, tx: Tx): Promise<boolean> {
    const left = row.amount - row.refunded_amount - (await this.#repos.refunds.pendingTotal(row.id, tx))
    const take = Math.min(amount, left)
    if (take <= 0) return false
    await this.#repos.refunds.queue({ id: randomUUID(), payment_id: row.id, amount: take, reason, cause }, tx)
    return true
  }

  /**
   * What the provider says about a charge, applied to a payment waiting on it — once: a payment
   * that already left processing / requires_action / needs_review is not touched again (a late
   * webhook, a reconciliation racing the request). The one exception is a success for a payment we
   * gave up on (cancelled, failed): the money moved, so it is booked and refunded in full — a
   * payment success is never ignored.
   */
  async applyOutcome(tx: Tx, paymentId: string, result: ChargeResult, actor: EventActor): Promise<Applied> {
    const unchanged = { changed: false, queued: false }
    const row = await this.#repos.payments.lock(paymentId, tx)
    if (!row) return unchanged
    const from = row.state as PaymentState
    if (GAVE_UP.includes(from)) return result.status === 'succeeded' ? this.#succeed(tx, row, result, actor) : unchanged
    if (!WAITING.includes(from)) return unchanged
    switch (result.status) {
      case 'processing':
        return unchanged
      case 'requires_action': {
        if (row.state !== 'processing') return unchanged
        const moved = await this.#repos.payments.move(row, { state: 'requires_action', provider_ref: result.providerRef }, tx)
        await this.#events.publish(tx, PaymentEvents.actionRequired, { ...base(moved), action: 'authenticate', at: iso(moved.updated_at) }, { actor, subject: about(moved) })
        return { changed: true, queued: false }
      }
      case 'failed': {
        const reason = result.failureCode ?? 'failed'
        const moved = await this.#repos.payments.move(row, { state: 'failed', failure_reason: reason, provider_ref: result.providerRef }, tx)
        await this.#events.publish(tx, PaymentEvents.failed, { ...base(moved), reason, failedAt: iso(moved.updated_at) }, { actor, subject: about(moved) })
        return { changed: true, queued: false }
      }
      case 'succeeded':
        return this.#succeed(tx, row, result, actor)
    }
  }

  /** The charge booked (ledger, payment.succeeded); refunded in full when nobody wants it any more. */
  async #succeed(tx: Tx, row: PaymentRow, result: ChargeResult, actor: EventActor): Promise<Applied> {
    if (result.amount !== row.amount || result.currency !== row.currency) {
      // never book money we did not ask for; the error surfaces (webhook 500, reconciliation: needs_review)
      throw new Error(`provider charged ${result.amount} ${result.currency} for payment ${row.id} of ${row.amount} ${row.currency}`)
    }
    const gaveUp = GAVE_UP.includes(row.state as PaymentState)
    assertMove(row.state as PaymentState, 'succeeded')
    const fee = Math.round((row.amount * this.#feePercent) / 100)
    const moved = await this.#repos.payments.move(
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
      tx,
    )
    await this.#repos.ledger.append(chargeEntries(moved), tx)
    await this.#events.publish(tx, PaymentEvents.succeeded, { ...base(moved), succeededAt: iso(moved.succeeded_at!) }, { actor, subject: about(moved) })
    if (gaveUp) {
      // paid after we cancelled it or declared it failed: meeting released the booking, give it all back
      return { changed: true, queued: await this.queueRefund(moved, moved.amount, `late:${moved.id}`, `paid_after_${row.state}`, tx) }
    }
    // paid after the hold was released or the booking cancelled: meeting will not confirm it, give it back
    const booking = await this.#repos.bookings.find(moved.booking_id, tx)
    if (booking && (booking.state === 'released' || booking.state === 'cancelled')) {
      return { changed: true, queued: await this.queueRefund(moved, moved.amount, `late:${moved.id}`, `booking_${booking.state}`, tx) }
    }
    return { changed: true, queued: false }
  }
}
