import { MeetingEvents, type PaymentFailedV1, type PaymentSucceededV1 } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import type { BookingsRepository } from './bookings.repository.ts'
import { aboutBooking, iso, parties, SYSTEM, type BookingRules, type Events } from './booking-rules.ts'

/**
 * What the payment subscription does to held bookings, in the consumer's transaction. A redelivered
 * event finds the booking no longer held and changes nothing.
 */
export class PaymentEventHandlers {
  readonly #repo: BookingsRepository
  readonly #rules: BookingRules
  readonly #events: Events

  constructor(repo: BookingsRepository, rules: BookingRules, events: Events) {
    this.#repo = repo
    this.#rules = rules
    this.#events = events
  }

  /** payment.succeeded: confirms the held booking it pays for. */
  async onPaymentSucceeded(d: PaymentSucceededV1, trx: Tx): Promise<void> {
    const row = await this.#repo.lock(d.bookingId, trx)
    if (!row || row.state !== 'held') return
    if (row.price !== d.amount || row.currency !== d.currency) {
      throw new Error(`payment ${d.paymentId} pays ${d.amount} ${d.currency} for booking ${row.id} of ${row.price} ${row.currency}`)
    }
    const updated = await this.#repo.confirm(row.id, d.paymentId, trx)
    await this.#rules.confirmed(updated, d.paymentId, SYSTEM, trx)
  }

  /** payment.failed / payment.cancelled: releases the hold. */
  async onPaymentFailed(d: Pick<PaymentFailedV1, 'bookingId'>, trx: Tx): Promise<void> {
    const row = await this.#repo.lock(d.bookingId, trx)
    if (!row || row.state !== 'held') return
    const updated = await this.#repo.close(row.id, { state: 'released', reason: 'payment_failed' }, trx)
    await this.#events.publish(trx, MeetingEvents.bookingReleased, { ...parties(updated), reason: 'payment_failed', releasedAt: iso(updated.closed_at!) }, aboutBooking(SYSTEM, row.id))
  }
}
