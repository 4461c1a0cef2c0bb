import { sql } from 'kysely'
import type { Database, Executor } from '../db/database.ts'
import type { AvailabilityRow, AvailabilityValues, BusyBlock } from './availability.table.ts'
import { ACTIVE } from '../bookings/bookings.table.ts'

/** All Kysely code of mentors' schedules, and the calendar blocks their active bookings take. */
export class AvailabilityRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async find(mentorId: string, trx: Executor = this.#db): Promise<AvailabilityRow | undefined> {
    return trx.selectFrom('availability').selectAll().where('mentor_id', '=', mentorId).executeTakeFirst()
  }

  /** Inserts or replaces the mentor's schedule, stamped with the database's now. */
  async save(values: AvailabilityValues, trx: Executor = this.#db): Promise<AvailabilityRow> {
    const row = { ...values, weekly: JSON.stringify(values.weekly), overrides: JSON.stringify(values.overrides), updated_at: sql<Date>`now()` }
    const { mentor_id: _id, ...update } = row
    return trx
      .insertInto('availability')
      .values(row)
      .onConflict((oc) => oc.column('mentor_id').doUpdateSet(update))
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /** The mentor's active bookings whose block meets [from, to). */
  async busyBlocks(mentorId: string, from: number, to: number, trx: Executor = this.#db): Promise<BusyBlock[]> {
    const rows = await trx
      .selectFrom('bookings')
      .select([sql<string>`lower(mentor_block)`.as('block_start'), sql<string>`upper(mentor_block)`.as('block_end'), 'starts_at'])
      .where('mentor_id', '=', mentorId)
      .where('state', 'in', [...ACTIVE])
      .where(sql<boolean>`mentor_block && tstzrange(${new Date(from)}, ${new Date(to)})`)
      .execute()
    return rows.map((r) => ({ start: new Date(r.block_start).getTime(), end: new Date(r.block_end).getTime(), startsAt: new Date(r.starts_at).getTime() }))
  }
}
