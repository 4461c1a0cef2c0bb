import type { Insertable, Selectable } from 'kysely'
import type { CancelledBy, Refund } from '@sunbae/contracts'
import type { DB } from '../db/types.ts'

export type BookingRow = Selectable<DB['bookings']>
/** A booking with the id of the booking it was rescheduled to, if any, and when each party first joined its room (what readers are shown). */
export type BookingWithSuccessor = BookingRow & { rescheduled_to_id: string | null; mentee_joined_at: Date | null; mentor_joined_at: Date | null }

/**
 * A new booking. The repository derives the rest: the mentor's block as a range, the hold's expiry
 * from `holdSeconds` and `confirmed_at` from the state, both on the database's clock.
 */
export type NewBookingRow = Omit<Insertable<DB['bookings']>, 'mentor_block' | 'hold_expires_at' | 'confirmed_at'>

/** The states a booking ends in (closed_at is then set); `completed` is the sweep's own. */
export type ClosedState = 'released' | 'cancelled' | 'rescheduled' | 'no_show'

export interface BookingClosing {
  state: ClosedState
  cancelledBy?: CancelledBy
  reason?: string
  refund?: Refund | null
  /** the admin who closed it on a party's behalf */
  closedByAdmin?: string
}

export type ReminderKind = '24h' | '1h'

/** A reminder claimed by a sweep, with the booking it belongs to. */
export interface DueReminder {
  kind: ReminderKind
  dueAt: Date
  booking: BookingRow
}

/** The states that hold a slot; the exclusion constraints cover exactly these. */
export const ACTIVE = ['held', 'confirmed'] as const

/** The admin list's filters (session start in [from, to)). */
export interface AdminBookingFilter {
  state?: string | undefined
  mentorId?: string | undefined
  mentorUid?: string | undefined
  menteeUid?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
}
