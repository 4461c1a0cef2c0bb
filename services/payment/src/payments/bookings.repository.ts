import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { BookingRow, NewBookingRow } from './bookings.table.ts'

/** All Kysely code of the read model of meeting's bookings. */
export class BookingsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async find(bookingId: string, tx: Executor = this.#db): Promise<BookingRow | undefined> {
    return tx.selectFrom('bookings').selectAll().where('booking_id', '=', bookingId).executeTakeFirst()
  }

  async findMany(ids: string[]): Promise<Map<string, BookingRow>> {
    if (ids.length === 0) return new Map()
    const rows = await this.#db.selectFrom('bookings').selectAll().where('booking_id', 'in', ids).execute()
    return new Map(rows.map((r) => [r.booking_id, r]))
  }

  /** The booking as first known; undefined when it is known already (a later state is not overwritten). */
  async insert(row: NewBookingRow, tx: Tx): Promise<BookingRow | undefined> {
    return tx.insertInto('bookings').values(row).onConflict((oc) => oc.column('booking_id').doNothing()).returningAll().executeTakeFirst()
  }

  /** Moves the booking to `state` (only from `from`, when given). */
  async setState(bookingId: string, state: string, tx: Tx, from?: string): Promise<void> {
    let q = tx.updateTable('bookings').set({ state, updated_at: sql<Date>`now()` }).where('booking_id', '=', bookingId)
    if (from !== undefined) q = q.where('state', '=', from)
    await q.execute()
  }
}
