import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { CompletedSessionRow, NewCompletedSessionRow, NewReviewRow, ReviewRow } from './reviews.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about reviews and the completed-session projection lives here. */
export class ReviewsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /** Idempotent: the same booking completed twice (a re-published event) is one row. */
  async recordCompletedSession(row: NewCompletedSessionRow, trx: Executor = this.#db): Promise<void> {
    await trx.insertInto('completed_sessions').values(row).onConflict((oc) => oc.column('booking_id').doNothing()).execute()
  }

  findCompletedSession(bookingId: string, trx: Executor = this.#db): Promise<CompletedSessionRow | undefined> {
    return trx.selectFrom('completed_sessions').selectAll().where('booking_id', '=', bookingId).executeTakeFirst()
  }

  /** undefined when the booking already has a review. */
  insert(row: NewReviewRow, trx: Executor = this.#db): Promise<ReviewRow | undefined> {
    return trx
      .insertInto('reviews')
      .values(row)
      .onConflict((oc) => oc.column('booking_id').doNothing())
      .returningAll()
      .executeTakeFirst()
  }

  /** the public lists: hidden reviews are left out */
  recent(mentorId: string, limit: number, trx: Executor = this.#db): Promise<ReviewRow[]> {
    return this.page(mentorId, { page: 1, pageSize: limit }, trx)
  }

  page(mentorId: string, q: { page: number; pageSize: number }, trx: Executor = this.#db): Promise<ReviewRow[]> {
    return trx
      .selectFrom('reviews')
      .selectAll()
      .where('mentor_id', '=', mentorId)
      .where('hidden_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute()
  }

  async count(mentorId: string, trx: Executor = this.#db): Promise<number> {
    const r = await trx
      .selectFrom('reviews')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('mentor_id', '=', mentorId)
      .where('hidden_at', 'is', null)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }
}
