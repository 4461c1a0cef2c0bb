import type { Insertable, Selectable } from 'kysely'
import type { Bookings } from '../db/types.ts'

/** payment's read model of a meeting booking: its price snapshot, parties and hold */
export type BookingRow = Selectable<Bookings>
export type NewBookingRow = Insertable<Bookings>
