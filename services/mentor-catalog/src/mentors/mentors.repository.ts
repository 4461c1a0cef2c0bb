import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { MentorRow, MentorUpdate, NewMentorRow } from './mentors.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about mentor profiles lives here. */
export class MentorsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  findById(id: string, trx: Executor = this.#db, opts: { forUpdate?: boolean } = {}): Promise<MentorRow | undefined> {
    const q = trx.selectFrom('mentors').selectAll().where('id', '=', id)
    return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst()
  }

  findActiveById(id: string, trx: Executor = this.#db): Promise<MentorRow | undefined> {
    return trx.selectFrom('mentors').selectAll().where('id', '=', id).where('status', '=', 'active').executeTakeFirst()
  }

  findByUid(uid: string, trx: Executor = this.#db, opts: { forUpdate?: boolean } = {}): Promise<MentorRow | undefined> {
    const q = trx.selectFrom('mentors').selectAll().where('uid', '=', uid)
    return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst()
  }

  insert(row: NewMentorRow, trx: Executor = this.#db): Promise<MentorRow> {
    return trx.insertInto('mentors').values(row).returningAll().executeTakeFirstOrThrow()
  }

  update(id: string, changes: MentorUpdate, trx: Executor = this.#db): Promise<MentorRow | undefined> {
    return trx
      .updateTable('mentors')
      .set({ ...changes, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
  }

  /**
   * Adds one rating to the aggregates in a single statement: every SET expression sees the row as
   * it was, so concurrent reviews serialise on the row lock and none is lost.
   */
  addRating(id: string, rating: number, trx: Executor = this.#db): Promise<MentorRow | undefined> {
    return trx
      .updateTable('mentors')
      .set({
        rating_total: sql`rating_total + ${rating}`,
        review_count: sql`review_count + 1`,
        rating: sql`round((rating_total + ${rating}) / (review_count + 1), 2)`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
  }
}
