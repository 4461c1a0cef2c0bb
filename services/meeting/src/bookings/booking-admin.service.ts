import type { AdminBooking, AdminBookingDetail, AdminBookingList, AdminBookingListQuery, BookingHistoryEntry, BookingState, CancelledBy, Identity, Refund } from '@sunbae/contracts'
import { notFound } from '@sunbae/service-kit'
import type { BookingCommands } from './booking-commands.service.ts'
import { iso, refundIfCancelled } from './booking-rules.ts'
import type { BookingsRepository } from './bookings.repository.ts'
import type { BookingRow, BookingWithSuccessor } from './bookings.table.ts'

/**
 * What an admin sees of bookings and does to them: the list by state, party and session time, one
 * booking with its history and what cancelling it now would refund, and a cancellation on a party's
 * behalf (BookingCommands does it, with the event whose actor is the admin).
 */
export class BookingAdmin {
  readonly #repo: BookingsRepository
  readonly #commands: BookingCommands

  constructor(repo: BookingsRepository, commands: BookingCommands) {
    this.#repo = repo
    this.#commands = commands
  }

  #view(row: BookingWithSuccessor): AdminBooking {
    return { ...this.#commands.toBooking(row), closedByAdmin: row.closed_by_admin }
  }

  async list(q: AdminBookingListQuery): Promise<AdminBookingList> {
    const page = q.page ?? 1
    const pageSize = q.pageSize ?? 50
    const { rows, total } = await this.#repo.adminList(
      {
        state: q.state,
        mentorId: q.mentorId?.toLowerCase(),
        mentorUid: q.mentorUid,
        menteeUid: q.menteeUid,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      },
      page,
      pageSize,
    )
    return { items: rows.map((r) => this.#view(r)), page, pageSize, total }
  }

  async detail(id: string): Promise<AdminBookingDetail> {
    const row = await this.#repo.findById(id.toLowerCase())
    if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
    const chain = await this.#repo.chainOf(row.id)
    const now = Date.now()
    const cancellable = (row.state === 'held' || row.state === 'confirmed') && new Date(row.starts_at).getTime() > now
    return {
      booking: this.#view(row),
      history: chain.flatMap(historyOf),
      refundIfCancelled: cancellable ? { mentee: refundIfCancelled(row, 'mentee', now), mentor: refundIfCancelled(row, 'mentor', now) } : null,
    }
  }

  async cancel(admin: Identity, id: string, onBehalfOf: CancelledBy, reason: string): Promise<AdminBookingDetail> {
    await this.#commands.cancelOnBehalf(admin, id.toLowerCase(), onBehalfOf, reason)
    return this.detail(id)
  }
}

/**
 * A booking's steps, read from its own columns: booked (held, or confirmed at once when free, or as
 * the successor of a reschedule), confirmed by its payment, and how it ended — by whom and why.
 */
export function historyOf(b: BookingRow): BookingHistoryEntry[] {
  const out: BookingHistoryEntry[] = []
  const step = (at: Date | string, state: BookingState, by: BookingHistoryEntry['by'], actorUid: string | null, reason: string | null = null, refund: Refund | null = null) =>
    out.push({ bookingId: b.id, at: iso(at), state, by, actorUid, reason, refund })
  // a free session confirms as it is booked; a paid one is held until its payment succeeds
  const createdConfirmed = b.price === 0
  if (b.previous_id) step(b.created_at, 'confirmed', 'system', null, `rescheduled from ${b.previous_id}`)
  else step(b.created_at, createdConfirmed ? 'confirmed' : 'held', 'mentee', b.mentee_uid)
  if (b.confirmed_at && !createdConfirmed) step(b.confirmed_at, 'confirmed', 'system', null, b.payment_id ? 'payment_succeeded' : null)
  if (b.closed_at && b.state !== 'held' && b.state !== 'confirmed') {
    const state = b.state as BookingState
    const party = (b.cancelled_by as CancelledBy | null) ?? null
    const by: BookingHistoryEntry['by'] = b.closed_by_admin ? 'admin' : party ?? (state === 'no_show' ? 'mentor' : 'system')
    const actor = b.closed_by_admin ?? (party === 'mentee' ? b.mentee_uid : party === 'mentor' || state === 'no_show' ? b.mentor_uid : null)
    const why = b.closed_by_admin && party ? `${b.reason ?? ''} (on the ${party}'s behalf)`.trim() : b.reason
    step(b.closed_at, state, by, actor, why, (b.refund as Refund | null) ?? null)
  }
  return out
}
