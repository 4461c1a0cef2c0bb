import { sql, type SelectQueryBuilder } from 'kysely'
import type { DB } from '../db/types.ts'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { Span } from '../availability/slots.ts'
import { ACTIVE, type AdminBookingFilter, type BookingClosing, type BookingRow, type BookingWithSuccessor, type DueReminder, type NewBookingRow, type ReminderKind } from './bookings.table.ts'

/** All Kysely code of bookings and their reminders. */
export class BookingsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  #select(trx: Executor) {
    return trx
      .selectFrom('bookings as b')
      .leftJoin('bookings as n', 'n.previous_id', 'b.id')
      .selectAll('b')
      .select('n.id as rescheduled_to_id')
      .select((eb) => [
        eb.selectFrom('room_attendance').select('first_joined_at').whereRef('booking_id', '=', 'b.id').where('party', '=', 'mentee').as('mentee_joined_at'),
        eb.selectFrom('room_attendance').select('first_joined_at').whereRef('booking_id', '=', 'b.id').where('party', '=', 'mentor').as('mentor_joined_at'),
      ])
  }

  async findById(id: string, trx: Executor = this.#db): Promise<BookingWithSuccessor | undefined> {
    return this.#select(trx).where('b.id', '=', id).executeTakeFirst()
  }

  /** The row locked for a state change (its successor, if any, read without a lock). */
  async lock(id: string, trx: Tx): Promise<BookingRow | undefined> {
    return trx.selectFrom('bookings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  }

  /**
   * The row under a share lock: presence in the room is recorded against a booking no state change
   * can pass meanwhile (a no-show marked at the same moment waits for the join, or the join for it).
   */
  async lockShared(id: string, trx: Tx): Promise<BookingRow | undefined> {
    return trx.selectFrom('bookings').selectAll().where('id', '=', id).forShare().executeTakeFirst()
  }

  /** A deleted account's sessions still to come (held or confirmed, either party), locked for cancelling. */
  async lockUpcomingOf(uid: string, trx: Tx): Promise<BookingRow[]> {
    return trx
      .selectFrom('bookings')
      .selectAll()
      .where((eb) => eb.or([eb('mentee_uid', '=', uid), eb('mentor_uid', '=', uid)]))
      .where('state', 'in', [...ACTIVE])
      .where('starts_at', '>', sql<Date>`now()`)
      .orderBy('id')
      .forUpdate()
      .execute()
  }

  /** Inserts a booking taking `block` of its mentor's calendar; a held one expires `holdSeconds` from now. */
  async insert(row: NewBookingRow, block: Span, holdSeconds: number | null, trx: Executor): Promise<BookingRow> {
    return trx
      .insertInto('bookings')
      .values({
        ...row,
        mentor_block: sql<string>`tstzrange(${new Date(block.start)}, ${new Date(block.end)})`,
        hold_expires_at: holdSeconds === null ? null : sql<Date>`now() + make_interval(secs => ${holdSeconds})`,
        confirmed_at: row.state === 'confirmed' ? sql<Date>`now()` : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /** held → confirmed by its payment. */
  async confirm(id: string, paymentId: string, trx: Tx): Promise<BookingRow> {
    return trx
      .updateTable('bookings')
      .set({ state: 'confirmed', payment_id: paymentId, confirmed_at: sql<Date>`now()`, hold_expires_at: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /** Ends a booking the caller has locked, closed at the database's now. */
  async close(id: string, closing: BookingClosing, trx: Tx): Promise<BookingRow> {
    return trx
      .updateTable('bookings')
      .set({
        state: closing.state,
        ...(closing.cancelledBy !== undefined ? { cancelled_by: closing.cancelledBy } : {}),
        ...(closing.reason !== undefined ? { reason: closing.reason } : {}),
        ...(closing.refund !== undefined ? { refund: closing.refund ? JSON.stringify(closing.refund) : null } : {}),
        ...(closing.closedByAdmin !== undefined ? { closed_by_admin: closing.closedByAdmin } : {}),
        closed_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
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
  async lockParties(mentorId: string, menteeUid: string, trx: Tx): Promise<void> {
    for (const key of [`meeting.mentor:${mentorId}`, `meeting.mentee:${menteeUid}`].sort()) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx)
    }
  }

  async countOnLocalDay(mentorId: string, dayStart: Date, dayEnd: Date, trx: Executor): Promise<number> {
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

  async addReminders(bookingId: string, startsAt: Date, now: Date, trx: Executor): Promise<void> {
    // a reminder whose time has already passed at confirmation would only be noise
    const rows = ([['24h', 24], ['1h', 1]] as const)
      .map(([kind, hours]) => ({ booking_id: bookingId, kind, due_at: new Date(startsAt.getTime() - hours * 3_600_000) }))
      .filter((r) => r.due_at > now)
    if (rows.length) await trx.insertInto('reminders').values(rows).execute()
  }

  async dropReminders(bookingId: string, trx: Executor): Promise<void> {
    await trx.deleteFrom('reminders').where('booking_id', '=', bookingId).execute()
  }

  async list(uid: string, when: 'upcoming' | 'past', limit: number): Promise<BookingWithSuccessor[]> {
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

  /** Every booking by the admin's filters (session start in [from, to)), the latest session first, a page of them and how many match. */
  async adminList(f: AdminBookingFilter, page: number, pageSize: number): Promise<{ rows: BookingWithSuccessor[]; total: number }> {
    const where = <Q extends SelectQueryBuilder<DB & { b: DB['bookings'] }, 'b', object>>(q: Q): Q => {
      let w = q
      if (f.state) w = w.where('b.state', '=', f.state) as Q
      if (f.mentorId) w = w.where('b.mentor_id', '=', f.mentorId) as Q
      if (f.mentorUid) w = w.where('b.mentor_uid', '=', f.mentorUid) as Q
      if (f.menteeUid) w = w.where('b.mentee_uid', '=', f.menteeUid) as Q
      if (f.from) w = w.where('b.starts_at', '>=', f.from) as Q
      if (f.to) w = w.where('b.starts_at', '<', f.to) as Q
      return w
    }
    const [rows, count] = await Promise.all([
      where(this.#select(this.#db)).orderBy('b.starts_at', 'desc').orderBy('b.id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
      where(this.#db.selectFrom('bookings as b')).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  /** The booking and the ones it was rescheduled from, oldest first. */
  async chainOf(id: string): Promise<BookingRow[]> {
    const r = await sql<BookingRow>`with recursive chain as (
        select b.*, 0 as depth from bookings b where b.id = ${id}
        union all
        select p.*, c.depth + 1 from bookings p join chain c on p.id = c.previous_id where c.depth < 100
      ) select * from chain order by depth desc`.execute(this.#db)
    return r.rows
  }

  /** Claims and releases up to `limit` expired holds (FOR UPDATE SKIP LOCKED: one replica each). */
  async releaseExpired(limit: number, trx: Tx): Promise<BookingRow[]> {
    return this.#closeDue('held', 'hold_expires_at', { state: 'released', reason: 'hold_expired' }, limit, trx)
  }

  /** Claims and completes up to `limit` confirmed sessions that have ended. */
  async completeEnded(limit: number, trx: Tx): Promise<BookingRow[]> {
    return this.#closeDue('confirmed', 'ends_at', { state: 'completed' }, limit, trx)
  }

  /**
   * Closes up to `limit` bookings in state `from` whose `due` time has passed, oldest first, each
   * claimed FOR UPDATE SKIP LOCKED (one replica each) and still in `from` when updated.
   */
  async #closeDue(
    from: 'held' | 'confirmed',
    due: 'hold_expires_at' | 'ends_at',
    closing: { state: 'released' | 'completed'; reason?: 'hold_expired' },
    limit: number,
    trx: Tx,
  ): Promise<BookingRow[]> {
    return trx
      .updateTable('bookings')
      .set({ ...closing, closed_at: sql<Date>`now()` })
      .where('id', 'in', (eb) =>
        eb.selectFrom('bookings').select('id').where('state', '=', from).where(due, '<=', sql<Date>`now()`).orderBy(due).limit(limit).forUpdate().skipLocked(),
      )
      .where('state', '=', from)
      .returningAll()
      .execute()
  }

  /** Claims (deletes) up to `limit` due reminders with the booking each belongs to. */
  async takeDueReminders(limit: number, trx: Tx): Promise<DueReminder[]> {
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
    return taken.map((t) => ({ kind: t.kind as ReminderKind, dueAt: new Date(t.due_at), booking: byId.get(t.booking_id)! }))
  }
}
