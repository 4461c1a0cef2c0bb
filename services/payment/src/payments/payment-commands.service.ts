import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { PaymentEvents, type EventActor, type Identity, type Payment, type PaymentState } from '@sunbae/contracts'
import { actorOf, AppError, conflict, forbidden, notFound } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import { ProviderTimeoutError, type ChargeResult, type WebhookEvent } from '../providers/provider.ts'
import { about, base, iso, SYSTEM, type Events, type PaymentDeps, type PaymentPolicy, type PaymentsService, type Repositories } from './payments.service.ts'
import type { PaymentRow } from './payments.table.ts'
import { assertMove, PAID } from './state.ts'

/**
 * The payer's own answer to a charge that waits on them: the secret their browser's SDK completes the
 * challenge with (Stripe.js handleNextAction). Never stored with the payment, nor shown to anyone else
 * (GET answers the payment without it).
 */
function withClientSecret(payment: Payment, result: ChargeResult | null): Payment {
  if (payment.state !== 'requires_action' || !payment.nextAction || !result?.clientSecret) return payment
  return { ...payment, nextAction: { ...payment.nextAction, clientSecret: result.clientSecret } }
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

/**
 * What the routes ask of payment: the payer's commands (create, confirm, authenticate, cancel) and
 * the providers' webhooks. Each owns its transactions: it wakes the relay after a commit, and the
 * worker when the commit queued a refund or a provider cancel.
 */
export class PaymentCommands {
  readonly #repos: Repositories
  readonly #payments: PaymentsService
  readonly #events: Events
  readonly #providerTimeoutMs: number
  readonly #wakeWorker: () => void
  readonly #log: FastifyBaseLogger

  constructor(deps: PaymentDeps, policy: Pick<PaymentPolicy, 'providerTimeoutMs'>) {
    ;({ repos: this.#repos, payments: this.#payments, events: this.#events, wakeWorker: this.#wakeWorker, log: this.#log } = deps)
    this.#providerTimeoutMs = policy.providerTimeoutMs
  }

  /**
   * The payment of my held booking: the existing one, or a new one for the booking's price, through
   * `provider` (one the payer may choose; default the first that takes the booking's currency). A
   * payment nothing was sent for yet (`requires_payment`) moves to the provider named; one already
   * started keeps its own (409). A provider that does not take the booking's currency is refused
   * (400 CURRENCY_NOT_SUPPORTED) before anything changes.
   */
  async createForBooking(identity: Identity, bookingId: string, provider?: string): Promise<{ created: boolean; payment: Payment }> {
    if (provider !== undefined && !this.#payments.enabled.includes(provider)) {
      throw new AppError(400, 'PROVIDER_NOT_ENABLED', `Pay with one of: ${this.#payments.enabled.join(', ')}`)
    }
    const { id, created } = await this.#repos.transactions.run(async (tx) => {
      const booking = await this.#repos.bookings.find(bookingId, tx)
      if (!booking) throw notFound('No held booking with this id (yet): book first, then pay', 'BOOKING_NOT_FOUND')
      if (booking.mentee_uid !== identity.uid) throw forbidden('This booking is not yours', 'NOT_YOUR_BOOKING')
      // a provider named must take the booking's currency, whatever comes next (a new payment, a switch, a 409)
      if (provider !== undefined) this.#payments.providerFor(booking.currency, provider)
      const existing = await this.#repos.payments.lockByBooking(bookingId, tx)
      if (existing) {
        if (provider !== undefined && existing.provider !== provider) await this.#switchProvider(existing, provider, tx)
        return { id: existing.id, created: false }
      }
      if (booking.state !== 'held' || !booking.hold_expires_at || new Date(booking.hold_expires_at).getTime() <= Date.now()) {
        throw conflict('This booking is not waiting for payment', 'BOOKING_NOT_HELD')
      }
      const row = await this.#payments.createPayment(booking, actorOf(identity), tx, provider)
      if (row) return { id: row.id, created: true }
      const raced = (await this.#repos.payments.lockByBooking(bookingId, tx))!
      if (provider !== undefined && raced.provider !== provider) await this.#switchProvider(raced, provider, tx)
      return { id: raced.id, created: false }
    })
    this.#events.flushSoon()
    return { created, payment: await this.#payments.view(id) }
  }

  /** Only before anything went to a provider: afterwards the charge lives there (and is settled there). */
  async #switchProvider(row: PaymentRow, provider: string, tx: Tx): Promise<void> {
    if (row.state !== 'requires_payment') {
      throw conflict(`This payment already went to ${row.provider} (${row.state}); only a payment not started yet changes provider`, 'ILLEGAL_TRANSITION')
    }
    await this.#repos.payments.move(row, { state: row.state, provider }, tx)
  }

  async #payersLocked(identity: Identity, id: string, tx: Tx): Promise<PaymentRow> {
    const row = await this.#repos.payments.lock(id, tx)
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
    const row = await this.#repos.transactions.run(async (tx) => {
      const row = await this.#payersLocked(identity, id, tx)
      if (resumed && row.state !== 'requires_payment') return null
      this.#payments.providerOf(row).checkToken(cardToken)
      if (row.state === 'requires_action') throw conflict('The payer must authenticate this payment first', 'AUTHENTICATION_REQUIRED')
      assertMove(row.state as PaymentState, 'processing')
      const booking = await this.#repos.bookings.find(row.booking_id, tx)
      if (booking?.state !== 'held' || !booking.hold_expires_at || new Date(booking.hold_expires_at).getTime() <= Date.now()) {
        throw conflict('The booking is no longer held for this payment', 'HOLD_EXPIRED')
      }
      return this.#processing(row, identity, tx)
    })
    if (!row) return this.#current(identity, id)
    this.#events.flushSoon()
    const result = await this.#ask(row, () => this.#payments.providerOf(row).charge({ reference: row.id, amount: row.amount, currency: row.currency, cardToken }))
    if (result) await this.#apply(row.id, result, actorOf(identity))
    return withClientSecret(await this.#payments.view(id), result)
  }

  /** The answer to the provider's challenge (sandbox: approve or deny). `resumed` as in `confirm`. */
  async authenticate(identity: Identity, id: string, outcome: 'approve' | 'deny', { resumed = false } = {}): Promise<Payment> {
    const row = await this.#repos.transactions.run(async (tx) => {
      const row = await this.#payersLocked(identity, id, tx)
      if (resumed && row.state !== 'requires_action') return null
      if (row.state !== 'requires_action') throw conflict(`A ${row.state} payment needs no authentication`, 'ILLEGAL_TRANSITION')
      return this.#processing(row, identity, tx)
    })
    if (!row) return this.#current(identity, id)
    this.#events.flushSoon()
    const result = await this.#ask(row, () => this.#payments.providerOf(row).authenticate(row.id, outcome))
    if (result) await this.#apply(row.id, result, actorOf(identity))
    return withClientSecret(await this.#payments.view(id), result)
  }

  /** The payment is waiting on the provider, committed before the provider is asked. */
  async #processing(row: PaymentRow, identity: Identity, tx: Tx): Promise<PaymentRow> {
    const moved = await this.#repos.payments.move(row, { state: 'processing' }, tx)
    await this.#events.publish(
      tx,
      PaymentEvents.processing,
      { ...base(moved), provider: moved.provider, processingAt: iso(moved.updated_at) },
      { actor: actorOf(identity), subject: about(moved) },
    )
    return moved
  }

  /** The payer gives up before paying; meeting releases the booking on payment.cancelled. `resumed` as in `confirm`. */
  async cancel(identity: Identity, id: string, { resumed = false } = {}): Promise<Payment> {
    const queued = await this.#repos.transactions.run(async (tx) => {
      const row = await this.#payersLocked(identity, id, tx)
      if (resumed && row.state !== 'requires_payment' && row.state !== 'requires_action') return false
      return this.#payments.cancel(row, 'cancelled_by_payer', actorOf(identity), tx)
    })
    this.#committed(queued)
    return this.#payments.view(id)
  }

  /**
   * An admin gives money back: `amount` (all that is left when omitted), with why. The refund is
   * queued in the locked payment's transaction, with `payment.refund.requested` (the audit trail's
   * record of who and why), and runs through the provider like every other: the worker moves the
   * payment to partially_refunded or refunded and books the ledger. Never more than is left: what
   * was refunded and what is still queued count. `key` (the request's Idempotency-Key) is the
   * refund's cause, so the same request refunds once even after its idempotency record expired.
   */
  async adminRefund(admin: Identity, id: string, body: { amount?: number | undefined; reason: string }, key: string): Promise<Payment> {
    const reason = body.reason.trim()
    const queued = await this.#repos.transactions.run(async (tx) => {
      const row = await this.#repos.payments.lock(id, tx)
      if (!row) throw notFound('No such payment', 'PAYMENT_NOT_FOUND')
      const cause = `admin:${admin.uid}:${key}`
      if (await this.#repos.refunds.byCause(cause, tx)) return false
      if (!PAID.includes(row.state as PaymentState)) throw conflict(`A ${row.state} payment holds no money to refund`, 'NOT_REFUNDABLE')
      const left = row.amount - row.refunded_amount - (await this.#repos.refunds.pendingTotal(row.id, tx))
      if (left <= 0) throw conflict('Everything paid is refunded or being refunded', 'NOTHING_TO_REFUND')
      const amount = body.amount ?? left
      if (amount > left) throw conflict(`At most ${left} ${row.currency} is left to refund`, 'REFUND_EXCEEDS_BALANCE')
      const refundId = randomUUID()
      await this.#repos.refunds.queue({ id: refundId, payment_id: row.id, amount, reason, cause }, tx)
      await this.#events.publish(
        tx,
        PaymentEvents.refundRequested,
        { ...base(row), refundId, refundAmount: amount, reason, requestedBy: admin.uid, requestedAt: new Date().toISOString() },
        { actor: actorOf(admin), subject: about(row) },
      )
      return true
    })
    this.#committed(queued)
    return this.#payments.view(id)
  }

  /**
   * The payment as it is now, for a retry of a request that died mid-way; one still processing is
   * asked about at its provider first (the dead request may have had the answer and not committed it).
   */
  async #current(identity: Identity, id: string): Promise<Payment> {
    const row = await this.#repos.payments.findById(id)
    if (row?.state === 'processing') {
      try {
        const result = await this.#bounded(row.provider, () => this.#payments.providerOf(row).retrieve(row.id))
        if (result) await this.#apply(row.id, result, actorOf(identity))
      } catch (err) {
        // it stays processing (a timeout too); reconciliation settles it
        this.#log.warn({ err, paymentId: id }, 'a resumed request could not ask the provider')
      }
    }
    return this.#payments.view(id)
  }

  /**
   * A provider call a payer waits for, bounded by PAYMENT_PROVIDER_TIMEOUT_MS whatever the provider's
   * client does (its own timeout is the same, but a client may retry a dropped connection): past it
   * the call is left to finish on its own and a ProviderTimeoutError is thrown.
   */
  async #bounded<T>(provider: string, call: () => Promise<T>): Promise<T> {
    const ms = this.#providerTimeoutMs
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
    const applied = await this.#repos.transactions.run((tx) => this.#payments.applyOutcome(tx, paymentId, result, actor))
    this.#committed(applied.queued)
  }

  /** A verified provider event: recorded once by id (replays are acknowledged and ignored). */
  async webhook(providerName: string, event: WebhookEvent): Promise<{ received: boolean; duplicate?: boolean; ignored?: boolean }> {
    const { out, queued } = await this.#repos.transactions.run(async (tx) => {
      if (!(await this.#repos.webhooks.record(providerName, event.id, event.type, tx))) return { out: { received: true, duplicate: true }, queued: false }
      const payment = event.charge && event.reference && isUuid(event.reference) ? await this.#repos.payments.findById(event.reference, tx) : undefined
      // a payment of another provider is not this provider's to settle
      if (!event.charge || !event.reference || payment?.provider !== providerName) {
        this.#log.info({ provider: providerName, eventId: event.id, type: event.type }, 'webhook event acknowledged and ignored')
        return { out: { received: true, ignored: true }, queued: false }
      }
      const applied = await this.#payments.applyOutcome(tx, event.reference, event.charge, SYSTEM)
      return { out: applied.changed ? { received: true } : { received: true, ignored: true }, queued: applied.queued }
    })
    this.#committed(queued)
    return out
  }

  // — webhook windows (providers whose webhooks are verified by asking them) —

  openWebhookWindow(provider: string, claim: string, seconds: number): Promise<boolean> {
    return this.#repos.webhooks.openWindow(provider, claim, seconds)
  }

  closeWebhookWindow(provider: string, claim: string): Promise<void> {
    return this.#repos.webhooks.closeWindow(provider, claim)
  }

  /** After a commit: its events leave now, and the worker runs what it queued. */
  #committed(queued: boolean): void {
    this.#events.flushSoon()
    if (queued) this.#wakeWorker()
  }
}
