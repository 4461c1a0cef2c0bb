import type { FastifyInstance } from 'fastify'
import { MeetingEvents, refundFor, type CancelledBy, type EventActor, type Refund, type RefundTerms } from '@sunbae/contracts'
import type { EventMeta } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import type { BookingsRepository } from './bookings.repository.ts'
import type { BookingRow } from './bookings.table.ts'

export type Events = FastifyInstance['events']

export interface BookingPolicy {
  holdSeconds: number
  /** the web app's origin: a session's room is its /sessions/<id>/room */
  webBaseUrl: string
  currency: string
  noShowWindowHours: number
}

export const HOUR = 3_600_000
export const iso = (d: Date | string) => new Date(d).toISOString()
export const SYSTEM: EventActor = { type: 'system', id: null }
/** Who caused a booking's event, and that the booking is what it is about. */
export const aboutBooking = (actor: EventActor, bookingId: string): EventMeta => ({ actor, subject: { type: 'booking', id: bookingId } })

/** Who and when, as every meeting.booking.* event and reminder carries it. */
export const parties = (r: BookingRow) => ({
  bookingId: r.id,
  menteeUid: r.mentee_uid,
  mentorId: r.mentor_id,
  mentorUid: r.mentor_uid,
  startsAt: iso(r.starts_at),
  endsAt: iso(r.ends_at),
})

/** A booking's refund terms (the policy of the session as first booked, carried through reschedules). */
export const termsOf = (r: BookingRow): RefundTerms => ({
  fullRefundHours: r.refund_full_hours,
  partialRefundHours: r.refund_partial_hours,
  partialRefundPercent: r.refund_partial_percent,
  capPercent: r.refund_cap_percent,
  movedByMentor: r.moved_by_mentor,
})

/**
 * What cancelling `row` at `now` on `by`'s behalf refunds: nothing was paid for a hold; a confirmed
 * booking's refund follows the terms it carries (the policy of the session as first booked, capped
 * by the mentee's own earlier moves).
 */
export const refundIfCancelled = (row: BookingRow, by: CancelledBy, now: number): Refund | null =>
  row.state === 'confirmed'
    ? refundFor({ price: row.price, currency: row.currency, paymentId: row.payment_id, start: new Date(row.starts_at).getTime(), refundTerms: termsOf(row) }, by, now)
    : null

/**
 * What the commands, the payment handlers and the sweeps share about bookings: the policy from the
 * config, the room's URL, the no-show window and what a booking's confirmation writes.
 */
export class BookingRules {
  readonly #repo: BookingsRepository
  readonly #events: Events
  readonly policy: BookingPolicy

  constructor(repo: BookingsRepository, events: Events, policy: BookingPolicy) {
    this.#repo = repo
    this.#events = events
    this.policy = policy
  }

  /** The session's video room, a page of the web app (the room itself opens around the session's time). */
  roomUrl(bookingId: string): string {
    return `${this.policy.webBaseUrl.replace(/\/+$/, '')}/sessions/${bookingId}/room`
  }

  /** Until when the mentor may mark that the mentee did not come. */
  noShowUntil(endsAt: Date | string): Date {
    return new Date(new Date(endsAt).getTime() + this.policy.noShowWindowHours * HOUR)
  }

  /** A booking has just become confirmed (free at once, or paid): its reminders and its event, in `trx`. */
  async confirmed(row: BookingRow, paymentId: string | null, actor: EventActor, trx: Tx): Promise<void> {
    await this.#repo.addReminders(row.id, new Date(row.starts_at), new Date(), trx)
    await this.#events.publish(
      trx,
      MeetingEvents.bookingConfirmed,
      { ...parties(row), price: row.price, currency: row.currency, paymentId, videoUrl: this.roomUrl(row.id), confirmedAt: iso(row.confirmed_at!) },
      aboutBooking(actor, row.id),
    )
  }
}
