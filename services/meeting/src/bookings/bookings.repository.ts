import type { InsertObject, Kysely, Selectable, Transaction } from 'kysely'
import { sql } from 'kysely'
import type { Bookings, DB } from '../db/types.ts'

export type BookingRow = Selectable<Bookings> & { rescheduled_to_id: string | null }
type Db = Kysely<DB> | Transaction<DB>

export const ACTIVE = ['held', 'confirmed'] as const

/** All Kysely code of bookings and their reminders. */
export class BookingsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  #select(trx: Db) {
    return trx
      .selectFrom('bookings as b')
      .leftJoin('bookings as n', 'n.previous_id', 'b.id')
      .selectAll('b')
      .select('n.id as rescheduled_to_id')
  }

  async findById(id: string, trx: Db = this.#db): Promise<BookingRow | undefined> {
    return this.#select(trx).where('b.id', '=', id).executeTakeFirst()
  }

  /** The row locked for a state change (its successor, if any, read without a lock). */
  async lock(id: string, trx: Transaction<DB>): Promise<Selectable<Bookings> | undefined> {
    return trx.selectFrom('bookings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  }

  async insert(row: Omit<InsertObject<DB, 'bookings'>, 'mentor_block'>, block: { start: number; end: number }, trx: Db): Promise<Selectable<Bookings>> {
    return trx
      .insertInto('bookings')
      .values({ ...row, mentor_block: sql<string>`tstzrange(${new Date(block.start)}, ${new Date(block.end)})` })
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /**
   * Transaction-scoped advisory locks on the mentor and the mentee, taken in one global order so
   * two bookers cannot deadlock on them. Bookings that could clash then insert one at a time: the
   * exclusion constraint refuses the loser at once (23P01) instead of making concurrent inserts wait
   * on each other's index entries — which, under contention, Postgres resolves by aborting one of
   * them as a deadlock after deadlock_timeout, with the connections held all that time.
   */
  async lockParties(mentorId: string, menteeUid: string, trx: Transaction<DB>): Promise<void> {
    for (const key of [`meeting.mentor:${mentorId}`, `meeting.mentee:${menteeUid}`].sort()) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx)
    }
  }

  async countOnLocalDay(mentorId: string, dayStart: Date, dayEnd: Date, trx: Db): Promise<number> {
    const r = await trx
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('mentor_id', '=', mentorId)
      .where('state', 'in', [...ACTIVE])
      .where('starts_at', '>=', dayStart)
      .where('starts_at', '<', dayEnd)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async addReminders(bookingId: string, startsAt: Date, now: Date, trx: Db): Promise<void> {
    // a reminder whose time has already passed at confirmation would only be noise
    const rows = ([['24h', 24], ['1h', 1]] as const)
      .map(([kind, hours]) => ({ booking_id: bookingId, kind, due_at: new Date(startsAt.getTime() - hours * 3_600_000) }))
      .filter((r) => r.due_at > now)
    if (rows.length) await trx.insertInto('reminders').values(rows).execute()
  }

  async dropReminders(bookingId: string, trx: Db): Promise<void> {
    await trx.deleteFrom('reminders').where('booking_id', '=', bookingId).execute()
  }

  async list(uid: string, when: 'upcoming' | 'past', limit: number): Promise<BookingRow[]> {
    let q = this.#select(this.#db).where((eb) => eb.or([eb('b.mentee_uid', '=', uid), eb('b.mentor_uid', '=', uid)]))
    if (when === 'upcoming') {
      q = q.where('b.state', 'in', [...ACTIVE]).where('b.ends_at', '>', sql<Date>`now()`).orderBy('b.starts_at', 'asc')
    } else {
      q = q
        .where((eb) => eb.or([eb('b.state', 'not in', [...ACTIVE]), eb('b.ends_at', '<=', sql<Date>`now()`)]))
        .orderBy('b.starts_at', 'desc')
    }
    return q.orderBy('b.id').limit(limit).execute()
  }

  /** Claims and releases up to `limit` expired holds (FOR UPDATE SKIP LOCKED: one replica each). */
  async releaseExpired(limit: number, trx: Transaction<DB>): Promise<Selectable<Bookings>[]> {
    return trx
      .updateTable('bookings')
      .set({ state: 'released', reason: 'hold_expired', closed_at: sql<Date>`now()` })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('bookings')
          .select('id')
          .where('state', '=', 'held')
          .where('hold_expires_at', '<=', sql<Date>`now()`)
          .orderBy('hold_expires_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .where('state', '=', 'held')
      .returningAll()
      .execute()
  }

  /** Claims and completes up to `limit` confirmed sessions that have ended. */
  async completeEnded(limit: number, trx: Transaction<DB>): Promise<Selectable<Bookings>[]> {
    return trx
      .updateTable('bookings')
      .set({ state: 'completed', closed_at: sql<Date>`now()` })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('bookings')
          .select('id')
          .where('state', '=', 'confirmed')
          .where('ends_at', '<=', sql<Date>`now()`)
          .orderBy('ends_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .where('state', '=', 'confirmed')
      .returningAll()
      .execute()
  }

  /** Claims (deletes) up to `limit` due reminders with the booking each belongs to. */
  async takeDueReminders(limit: number, trx: Transaction<DB>) {
    const taken = await trx
      .deleteFrom('reminders')
      .where(
        sql<boolean>`(booking_id, kind) in (select booking_id, kind from reminders where due_at <= now() order by due_at limit ${limit} for update skip locked)`,
      )
      .returning(['booking_id', 'kind', 'due_at'])
      .execute()
    if (taken.length === 0) return []
    const bookings = await trx
      .selectFrom('bookings')
      .selectAll()
      .where('id', 'in', taken.map((t) => t.booking_id))
      .execute()
    const byId = new Map(bookings.map((b) => [b.id, b]))
    return taken.map((t) => ({ kind: t.kind as '24h' | '1h', dueAt: new Date(t.due_at), booking: byId.get(t.booking_id)! }))
  }
}
