import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { RoomParty } from './room-attendance.table.ts'

/** All Kysely code of who joined a session's room: the first join and the last leave of each party. */
export class RoomAttendanceRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /** A party's media is live in the room: the first time counts (a rejoin keeps it). */
  async joined(bookingId: string, party: RoomParty, uid: string, trx: Tx): Promise<void> {
    await trx
      .insertInto('room_attendance')
      .values({ booking_id: bookingId, party, uid, first_joined_at: sql<Date>`now()` })
      .onConflict((oc) => oc.columns(['booking_id', 'party']).doNothing())
      .execute()
  }

  /** A party left (a leave without a join records nothing). */
  async left(bookingId: string, party: RoomParty, trx: Tx): Promise<void> {
    await trx.updateTable('room_attendance').set({ last_left_at: sql<Date>`now()` }).where('booking_id', '=', bookingId).where('party', '=', party).execute()
  }

  async firstJoinedAt(bookingId: string, party: RoomParty, trx: Executor = this.#db): Promise<Date | null> {
    const r = await trx.selectFrom('room_attendance').select('first_joined_at').where('booking_id', '=', bookingId).where('party', '=', party).executeTakeFirst()
    return r ? new Date(r.first_joined_at) : null
  }
}
