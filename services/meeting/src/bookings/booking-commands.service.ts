import { v7 as uuidv7 } from 'uuid'
import { DateTime } from 'luxon'
import { createEvent as createIcs } from 'ics'
import {
  initialRefundTerms,
  MeetingEvents,
  sessionPrice,
  termsAfterReschedule,
  type Booking,
  type BookingState,
  type CancelledBy,
  type CreateBookingBody,
  type EventActor,
  type Identity,
  type Refund,
  type RefundTerms,
} from '@sunbae/contracts'
import { actorOf, AppError, conflict, forbidden, notFound } from '@sunbae/service-kit'
import { pgErrorCode, PgErrorCode, violatedConstraint } from '@sunbae/db'
import type { Transactions, Tx } from '../db/database.ts'
import type { AvailabilityService } from '../availability/availability.service.ts'
import type { AvailabilityRow } from '../availability/availability.table.ts'
import type { ReadModelRepository } from '../readmodel/readmodel.repository.ts'
import type { BookingsRepository } from './bookings.repository.ts'
import type { RoomAttendanceRepository } from '../rooms/room-attendance.repository.ts'
import type { BookingRow, BookingWithSuccessor } from './bookings.table.ts'
import { aboutBooking, HOUR, iso, parties, refundIfCancelled, termsOf, type BookingRules, type Events } from './booking-rules.ts'

/** The exclusion constraints are the last word on overlaps; this says which side clashed. */
function overlapConflict(err: unknown): AppError | undefined {
  if (pgErrorCode(err) !== PgErrorCode.exclusionViolation) return undefined
  return violatedConstraint(err) === 'bookings_mentee_no_overlap'
    ? conflict('You already have a session at that time', 'MENTEE_BUSY')
    : conflict('That time was just booked by someone else; pick another slot', 'SLOT_TAKEN')
}

const termsColumns = (t: RefundTerms) => ({
  refund_full_hours: t.fullRefundHours,
  refund_partial_hours: t.partialRefundHours,
  refund_partial_percent: t.partialRefundPercent,
  refund_cap_percent: t.capPercent,
  moved_by_mentor: t.movedByMentor,
})

/**
 * What a booking's parties do (the routes' calls): book, read, cancel, reschedule, mark a no-show,
 * list, export to a calendar. Every transition is one UPDATE of a locked row with its event written
 * to the outbox in the same transaction, so it happens — and is published — once, whatever races it.
 */
export class BookingCommands {
  readonly #transactions: Transactions
  readonly #repo: BookingsRepository
  readonly #rules: BookingRules
  readonly #availability: AvailabilityService
  readonly #readModel: ReadModelRepository
  readonly #events: Events
  readonly #attendance: RoomAttendanceRepository

  constructor(
    transactions: Transactions,
    repo: BookingsRepository,
    rules: BookingRules,
    events: Events,
    availability: AvailabilityService,
    readModel: ReadModelRepository,
    attendance: RoomAttendanceRepository,
  ) {
    this.#transactions = transactions
    this.#repo = repo
    this.#rules = rules
    this.#events = events
    this.#availability = availability
    this.#readModel = readModel
    this.#attendance = attendance
  }

  /** The rows behind the answers (tests wait on them). */
  get repository(): BookingsRepository {
    return this.#repo
  }

  toBooking(row: BookingWithSuccessor): Booking {
    const live = row.state === 'confirmed' || row.state === 'completed'
    return {
      id: row.id,
      state: row.state as BookingState,
      mentorId: row.mentor_id,
      mentorUid: row.mentor_uid,
      menteeUid: row.mentee_uid,
      start: iso(row.starts_at),
      end: iso(row.ends_at),
      duration: Math.round((new Date(row.ends_at).getTime() - new Date(row.starts_at).getTime()) / 60_000),
      price: row.price,
      currency: row.currency,
      holdExpiresAt: row.state === 'held' && row.hold_expires_at ? iso(row.hold_expires_at) : null,
      videoUrl: live ? this.#rules.roomUrl(row.id) : null,
      roomUrl: this.#rules.roomUrl(row.id),
      attendance: {
        mentee: { joinedAt: row.mentee_joined_at ? iso(row.mentee_joined_at) : null },
        mentor: { joinedAt: row.mentor_joined_at ? iso(row.mentor_joined_at) : null },
      },
      previousBookingId: row.previous_id,
      rescheduledToId: row.rescheduled_to_id,
      cancelledBy: (row.cancelled_by as CancelledBy | null) ?? null,
      reason: row.reason,
      refund: (row.refund as Refund | null) ?? null,
      refundTerms: termsOf(row),
      noShowUntil: live ? iso(this.#rules.noShowUntil(row.ends_at)) : null,
      createdAt: iso(row.created_at),
    }
  }

  /**
   * Books a slot for a mentee with an active match: a free session confirms at once, a paid one is
   * held until payment.succeeded (or released when it fails or the hold expires).
   */
  async create(identity: Identity, body: CreateBookingBody): Promise<Booking> {
    const mentorId = body.mentorId.toLowerCase()
    const start = Date.parse(body.start)
    const id = await this.#transactions
      .run(async (trx) => {
        const now = Date.now()
        const mentor = await this.#readModel.mentorById(mentorId, trx)
        if (!mentor || mentor.status !== 'active' || !mentor.uid) throw notFound('This mentor takes no bookings', 'NO_AVAILABILITY')
        if (mentor.uid === identity.uid) throw conflict('You cannot book yourself', 'OWN_PROFILE')
        if (!(await this.#readModel.hasActiveMatch(identity.uid, mentorId, trx))) {
          throw forbidden('You can book a mentor once they have accepted your request (an active match)', 'NO_ACTIVE_MATCH')
        }
        const schedule = await this.#availability.find(mentorId, trx)
        if (!schedule) throw notFound('This mentor takes no bookings', 'NO_AVAILABILITY')
        this.#checkSlot(schedule, start, body.duration, now)
        await this.#repo.lockParties(mentorId, identity.uid, trx)
        await this.#checkDayLimit(schedule, start, trx)
        const price = sessionPrice(schedule.price_per_hour, body.duration)
        const free = price === 0
        const inserted = await this.#repo.insert(
          {
            id: uuidv7(),
            state: free ? 'confirmed' : 'held',
            mentor_id: mentorId,
            mentor_uid: mentor.uid,
            mentee_uid: identity.uid,
            starts_at: new Date(start),
            ends_at: new Date(start + body.duration * 60_000),
            price,
            currency: this.#rules.policy.currency,
            // the policy in force when the session is first booked decides its refund from now on
            ...termsColumns(
              initialRefundTerms({ fullRefundHours: schedule.full_refund_hours, partialRefundHours: schedule.partial_refund_hours, partialRefundPercent: schedule.partial_refund_percent }),
            ),
          },
          this.#availability.block(schedule, start, body.duration),
          free ? null : this.#rules.policy.holdSeconds,
          trx,
        )
        if (free) await this.#rules.confirmed(inserted, null, actorOf(identity), trx)
        else {
          await this.#events.publish(
            trx,
            MeetingEvents.bookingHeld,
            { ...parties(inserted), price, currency: inserted.currency, holdExpiresAt: iso(inserted.hold_expires_at!) },
            aboutBooking(actorOf(identity), inserted.id),
          )
        }
        return inserted.id
      })
      .catch((err: unknown) => {
        throw overlapConflict(err) ?? err
      })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  /** The start must be one of the schedule's slots (notice, horizon, offered length); overlaps are the constraints' business. */
  #checkSlot(row: AvailabilityRow, start: number, duration: number, now: number, offered = true): void {
    if (offered && !row.durations.includes(duration)) throw new AppError(400, 'DURATION_NOT_OFFERED', `This mentor offers ${row.durations.join(' / ')} minute sessions`)
    if (!this.#availability.isSlot(row, start, duration, now)) {
      throw conflict("That time is not one of the mentor's slots (outside their hours, too soon or too far ahead)", 'SLOT_UNAVAILABLE')
    }
  }

  /** Counted under the mentor's advisory lock (lockParties), so concurrent bookings count one at a time. */
  async #checkDayLimit(row: AvailabilityRow, start: number, trx: Tx): Promise<void> {
    if (row.max_per_day === null) return
    const day = DateTime.fromMillis(start, { zone: row.timezone }).startOf('day')
    const n = await this.#repo.countOnLocalDay(row.mentor_id, day.toJSDate(), day.plus({ days: 1 }).toJSDate(), trx)
    if (n >= row.max_per_day) throw conflict(`This mentor takes at most ${row.max_per_day} sessions that day`, 'DAY_FULL')
  }

  /** Either party (or an admin) may read a booking. */
  async get(identity: Identity, id: string): Promise<Booking> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
    this.#partyOf(identity, row)
    return this.toBooking(row)
  }

  #partyOf(identity: Identity, row: Pick<BookingRow, 'mentee_uid' | 'mentor_uid'>): CancelledBy {
    if (row.mentee_uid === identity.uid) return 'mentee'
    if (row.mentor_uid === identity.uid) return 'mentor'
    throw forbidden('This booking is not yours', 'NOT_YOUR_BOOKING')
  }

  async #locked(identity: Identity, id: string, trx: Tx): Promise<{ row: BookingRow; by: CancelledBy }> {
    const row = await this.#repo.lock(id, trx)
    if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
    return { row, by: this.#partyOf(identity, row) }
  }

  async cancel(identity: Identity, id: string, reason: string): Promise<Booking> {
    await this.#transactions.run(async (trx) => {
      const { row, by } = await this.#locked(identity, id, trx)
      await this.#cancelLocked(row, by, reason, actorOf(identity), null, trx)
    })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  /**
   * An admin cancels on a party's behalf: that party's refund rule applies (the mentee's follows the
   * booking's terms, the mentor's refunds in full), the event's actor is the admin and the row names
   * them. Answers the booking as the admin sees it (AdminBookings.detail reads it).
   */
  async cancelOnBehalf(admin: Identity, id: string, by: CancelledBy, reason: string): Promise<void> {
    await this.#transactions.run(async (trx) => {
      const row = await this.#repo.lock(id, trx)
      if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
      await this.#cancelLocked(row, by, reason, actorOf(admin), admin.uid, trx)
    })
    this.#events.flushSoon()
  }

  /**
   * catalog.user.deleted: the account's sessions still to come are cancelled in the consumer's
   * transaction, on behalf of the deleted party (so the other party is told, as for any cancellation),
   * with the refund of a mentor's cancellation — in full: an erasure is not the mentee choosing to skip
   * a session, and a mentor who leaves cannot keep the fee. Already cancelled ones are not found again
   * (idempotent on redelivery). Returns how many were cancelled.
   */
  async onAccountDeleted(uid: string, trx: Tx): Promise<number> {
    const rows = await this.#repo.lockUpcomingOf(uid, trx)
    for (const row of rows) {
      const by: CancelledBy = row.mentor_uid === uid ? 'mentor' : 'mentee'
      await this.#cancelLocked(row, by, 'account deleted', { type: 'system', id: null }, null, trx, 'mentor')
    }
    return rows.length
  }

  async #cancelLocked(row: BookingRow, by: CancelledBy, reason: string, actor: EventActor, admin: string | null, trx: Tx, refundAs: CancelledBy = by): Promise<void> {
    if (row.state !== 'held' && row.state !== 'confirmed') throw conflict(`The booking is already ${row.state}`, 'BOOKING_NOT_ACTIVE')
    const now = Date.now()
    if (new Date(row.starts_at).getTime() <= now) throw conflict('The session has already started', 'BOOKING_STARTED')
    const refund = refundIfCancelled(row, refundAs, now)
    // reminders first: a sweeper holding one makes us wait rather than deadlock on the booking row
    await this.#repo.dropReminders(row.id, trx)
    const updated = await this.#repo.close(row.id, { state: 'cancelled', cancelledBy: by, reason: reason.trim(), refund, ...(admin ? { closedByAdmin: admin } : {}) }, trx)
    await this.#events.publish(
      trx,
      MeetingEvents.bookingCancelled,
      { ...parties(updated), cancelledBy: by, reason: updated.reason!, refund, cancelledAt: iso(updated.closed_at!) },
      aboutBooking(actor, row.id),
    )
  }

  /**
   * Moves a confirmed session: the old booking ends as `rescheduled` and a new confirmed one (same
   * price and payment, a room of its own) points back to it — one transaction, so a clash with the
   * new time (409) leaves the old booking untouched. A mentee must respect the notice window.
   */
  async reschedule(identity: Identity, id: string, body: { start: string; reason: string }): Promise<Booking> {
    const start = Date.parse(body.start)
    const newId = await this.#transactions
      .run(async (trx) => {
        const { row, by } = await this.#locked(identity, id, trx)
        if (row.state !== 'confirmed') throw conflict(`Only a confirmed booking can be rescheduled (this one is ${row.state})`, 'BOOKING_NOT_CONFIRMED')
        const now = Date.now()
        const oldStart = new Date(row.starts_at).getTime()
        if (oldStart <= now) throw conflict('The session has already started', 'BOOKING_STARTED')
        const availability = await this.#availability.find(row.mentor_id, trx)
        if (!availability) throw conflict('The mentor no longer takes bookings', 'NO_AVAILABILITY')
        if (by === 'mentee' && oldStart - now < availability.reschedule_notice_hours * HOUR) {
          throw conflict(`Sessions can be rescheduled until ${availability.reschedule_notice_hours} hours before they start`, 'RESCHEDULE_TOO_LATE')
        }
        const duration = Math.round((new Date(row.ends_at).getTime() - oldStart) / 60_000)
        await this.#repo.dropReminders(row.id, trx)
        // the old booking leaves the active states first, so the new one may overlap its time
        const old = await this.#repo.close(row.id, { state: 'rescheduled', cancelledBy: by, reason: body.reason.trim() }, trx)
        // the session keeps its length, even one the mentor no longer offers
        await this.#repo.lockParties(row.mentor_id, row.mentee_uid, trx)
        this.#checkSlot(availability, start, duration, now, false)
        await this.#checkDayLimit(availability, start, trx)
        const inserted = await this.#repo.insert(
          {
            id: uuidv7(),
            state: 'confirmed',
            mentor_id: row.mentor_id,
            mentor_uid: row.mentor_uid,
            mentee_uid: row.mentee_uid,
            starts_at: new Date(start),
            ends_at: new Date(start + duration * 60_000),
            price: row.price,
            currency: row.currency,
            payment_id: row.payment_id,
            previous_id: row.id,
            // a mentee's move cannot buy a refund back: it keeps what cancelling now would have earned
            ...termsColumns(termsAfterReschedule(termsOf(row), oldStart, by, now)),
          },
          this.#availability.block(availability, start, duration),
          null,
          trx,
        )
        await this.#repo.addReminders(inserted.id, new Date(inserted.starts_at), new Date(), trx)
        await this.#events.publish(
          trx,
          MeetingEvents.bookingRescheduled,
          {
            ...parties(inserted),
            previousBookingId: old.id,
            previousStartsAt: iso(old.starts_at),
            previousEndsAt: iso(old.ends_at),
            rescheduledBy: by,
            reason: old.reason!,
            rescheduledAt: iso(old.closed_at!),
          },
          aboutBooking(actorOf(identity), inserted.id),
        )
        return inserted.id
      })
      .catch((err: unknown) => {
        throw overlapConflict(err) ?? err
      })
    this.#events.flushSoon()
    return this.get(identity, newId)
  }

  /**
   * The mentor marks that the mentee did not come: from the start until the window after the end
   * closes, unless the mentee joined the session's room (presence takes a share lock on the booking,
   * so a join and a no-show cannot pass each other).
   */
  async markNoShow(identity: Identity, id: string): Promise<Booking> {
    await this.#transactions.run(async (trx) => {
      const { row, by } = await this.#locked(identity, id, trx)
      if (by !== 'mentor') throw forbidden('Only the mentor can mark a no-show', 'NOT_THE_MENTOR')
      if (row.state !== 'confirmed' && row.state !== 'completed') throw conflict(`The booking is ${row.state}`, 'BOOKING_NOT_HELD')
      const now = Date.now()
      if (new Date(row.starts_at).getTime() > now) throw conflict('The session has not started yet', 'BOOKING_NOT_STARTED')
      if (now > this.#rules.noShowUntil(row.ends_at).getTime()) {
        throw conflict(`No-shows can be marked until ${this.#rules.policy.noShowWindowHours} hours after the end`, 'NO_SHOW_WINDOW_CLOSED')
      }
      if (await this.#attendance.firstJoinedAt(row.id, 'mentee', trx)) throw conflict("The mentee joined the session's room", 'MENTEE_ATTENDED')
      await this.#repo.dropReminders(row.id, trx)
      const updated = await this.#repo.close(row.id, { state: 'no_show' }, trx)
      await this.#events.publish(trx, MeetingEvents.bookingNoShow, { ...parties(updated), markedAt: iso(updated.closed_at!) }, aboutBooking(actorOf(identity), row.id))
    })
    this.#events.flushSoon()
    return this.get(identity, id)
  }

  async list(identity: Identity, when: 'upcoming' | 'past', limit: number): Promise<{ items: Booking[] }> {
    const rows = await this.#repo.list(identity.uid, when, limit)
    return { items: rows.map((r) => this.toBooking(r)) }
  }

  /** RFC 5545 calendar entry of a confirmed session (written by the `ics` library), for its two parties. */
  async ics(identity: Identity, id: string): Promise<string> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
    this.#partyOf(identity, row)
    if (row.state !== 'confirmed' && row.state !== 'completed') throw conflict('Only confirmed sessions have a calendar entry', 'BOOKING_NOT_CONFIRMED')
    const url = this.#rules.roomUrl(row.id)
    const { error, value } = createIcs({
      uid: `${row.id}@sunbae`,
      productId: 'sunbae/meeting',
      method: 'PUBLISH',
      start: new Date(row.starts_at).getTime(),
      startInputType: 'utc',
      startOutputType: 'utc',
      end: new Date(row.ends_at).getTime(),
      endInputType: 'utc',
      endOutputType: 'utc',
      title: 'Sunbae 1:1 mentoring session',
      description: `Video room: ${url}`,
      url,
      location: url,
      status: 'CONFIRMED',
      busyStatus: 'BUSY',
    })
    if (error || !value) throw error ?? new Error('ics produced nothing')
    return value
  }
}
