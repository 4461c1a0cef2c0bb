import type { BookingCancelledV1, BookingConfirmedV1, BookingHeldV1, BookingReleasedV1, PaymentState } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import { SYSTEM, type PaymentsService, type Repositories } from './payments.service.ts'
import { PAID } from './state.ts'

/**
 * meeting's booking events, each applied in the consumer's transaction (its processed-event mark
 * commits with it) by the system actor. The release and the cancellation answer whether they queued
 * work for the worker (a refund, a provider cancel), which `subscriptions.ts` wakes.
 */
export class BookingHandlers {
  readonly #repos: Repositories
  readonly #payments: PaymentsService

  constructor(repos: Repositories, payments: PaymentsService) {
    this.#repos = repos
    this.#payments = payments
  }

  /**
   * A held booking gets its payment at once (a booking at no price needs none), through the first
   * enabled provider that takes its currency. When none does it gets none: the payer's POST
   * /api/payments answers 400 CURRENCY_NOT_SUPPORTED, and the hold runs out.
   */
  async onBookingHeld(d: BookingHeldV1, tx: Tx): Promise<void> {
    // a later state (released, cancelled) that arrived first is not overwritten
    const booking = await this.#repos.bookings.insert(
      {
        booking_id: d.bookingId,
        mentee_uid: d.menteeUid,
        mentor_id: d.mentorId,
        mentor_uid: d.mentorUid,
        price: d.price,
        currency: d.currency,
        hold_expires_at: new Date(d.holdExpiresAt),
        state: 'held',
      },
      tx,
    )
    if (!booking || d.price <= 0 || Date.parse(d.holdExpiresAt) <= Date.now()) return
    if (this.#payments.takingCurrency(booking.currency).length > 0) await this.#payments.createPayment(booking, SYSTEM, tx)
  }

  async onBookingConfirmed(d: BookingConfirmedV1, tx: Tx): Promise<void> {
    await this.#repos.bookings.setState(d.bookingId, 'confirmed', tx, 'held')
  }

  /** The hold ended unpaid: a payment still waiting is cancelled; one that got paid meanwhile is refunded. */
  async onBookingReleased(d: BookingReleasedV1, tx: Tx): Promise<boolean> {
    await this.#repos.bookings.setState(d.bookingId, 'released', tx)
    const row = await this.#repos.payments.lockByBooking(d.bookingId, tx)
    if (!row) return false
    if (row.state === 'requires_payment' || row.state === 'requires_action') return this.#payments.cancel(row, d.reason, SYSTEM, tx)
    if (PAID.includes(row.state as PaymentState)) return this.#payments.queueRefund(row, row.amount, `late:${row.id}`, 'booking_released', tx)
    // processing: the outcome decides (a success then finds the booking released and refunds)
    return false
  }

  /** meeting decided the refund (full / partial / none) by the mentor's policy; we carry it out. */
  async onBookingCancelled(d: BookingCancelledV1, tx: Tx): Promise<boolean> {
    await this.#repos.bookings.setState(d.bookingId, 'cancelled', tx)
    const row = d.refund?.paymentId ? await this.#repos.payments.lock(d.refund.paymentId, tx) : await this.#repos.payments.lockByBooking(d.bookingId, tx)
    if (!row) return false
    if (row.state === 'requires_payment' || row.state === 'requires_action') return this.#payments.cancel(row, 'booking_cancelled', SYSTEM, tx)
    const refund = d.refund
    if (!refund || refund.outcome === 'none' || refund.amount <= 0 || !PAID.includes(row.state as PaymentState)) return false
    if (refund.currency !== row.currency) throw new Error(`refund in ${refund.currency} for payment ${row.id} in ${row.currency}`)
    return this.#payments.queueRefund(row, refund.amount, `cancel:${d.bookingId}`, `booking_cancelled_${refund.outcome}`, tx)
  }
}
