import { MeetingEvents } from '@sunbae/contracts'
import type { Transactions, Tx } from '../db/database.ts'
import type { BookingsRepository } from './bookings.repository.ts'
import { aboutBooking, iso, parties, SYSTEM, type BookingRules, type Events } from './booking-rules.ts'

/**
 * The sweep's steps (`jobs.ts` runs them): release expired holds, send due reminders, complete ended
 * sessions. Each claims up to `limit` rows — every row by exactly one replica (SKIP LOCKED) — and
 * writes their events in the same transaction; each answers how many rows it claimed.
 */
export class BookingSweeps {
  readonly #transactions: Transactions
  readonly #repo: BookingsRepository
  readonly #rules: BookingRules
  readonly #events: Events

  constructor(transactions: Transactions, repo: BookingsRepository, rules: BookingRules, events: Events) {
    this.#transactions = transactions
    this.#repo = repo
    this.#rules = rules
    this.#events = events
  }

  async releaseExpiredHolds(limit: number): Promise<number> {
    return this.#sweep(async (trx) => {
      const rows = await this.#repo.releaseExpired(limit, trx)
      for (const r of rows) {
        await this.#events.publish(trx, MeetingEvents.bookingReleased, { ...parties(r), reason: 'hold_expired', releasedAt: iso(r.closed_at!) }, aboutBooking(SYSTEM, r.id))
      }
      return rows.length
    })
  }

  async sendDueReminders(limit: number): Promise<number> {
    return this.#sweep(async (trx) => {
      const due = await this.#repo.takeDueReminders(limit, trx)
      for (const { kind, dueAt, booking } of due) {
        // claimed rows are deleted either way: a reminder for a session already begun is dropped
        if (booking.state !== 'confirmed' || new Date(booking.starts_at).getTime() <= Date.now()) continue
        await this.#events.publish(
          trx,
          MeetingEvents.reminderDue,
          { ...parties(booking), kind, videoUrl: this.#rules.roomUrl(booking.id), dueAt: iso(dueAt) },
          aboutBooking(SYSTEM, booking.id),
        )
      }
      // the claimed count drives the sweeper's "full batch: go again"
      return due.length
    })
  }

  async completeEnded(limit: number): Promise<number> {
    return this.#sweep(async (trx) => {
      const rows = await this.#repo.completeEnded(limit, trx)
      for (const r of rows) {
        await this.#repo.dropReminders(r.id, trx)
        await this.#events.publish(trx, MeetingEvents.bookingCompleted, { ...parties(r), completedAt: iso(r.closed_at!) }, aboutBooking(SYSTEM, r.id))
      }
      return rows.length
    })
  }

  async #sweep(step: (trx: Tx) => Promise<number>): Promise<number> {
    const n = await this.#transactions.run(step)
    if (n > 0) this.#events.flushSoon()
    return n
  }
}
