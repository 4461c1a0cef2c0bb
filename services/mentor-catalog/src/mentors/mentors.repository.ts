import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { MentorRow, MentorUpdate, NewMentorRow } from './mentors.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

const PROFILE_COLUMNS = ['display_name', 'headline', 'bio', 'skills', 'company', 'years_experience', 'hourly_rate', 'languages'] as const

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

  /**
   * The import's multi-row upsert: new mentors are inserted; a known id whose profile fields differ
   * gets those fields (status, rating and reviews stay); an unchanged one is not touched and not
   * returned. `inserted` tells the two returned kinds apart.
   */
  async upsertProfiles(rows: NewMentorRow[], trx: Executor = this.#db): Promise<Array<MentorRow & { inserted: boolean }>> {
    return (await trx
      .insertInto('mentors')
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(PROFILE_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
            updated_at: sql`now()`,
          }))
          .where(
            sql<boolean>`(${sql.join(PROFILE_COLUMNS.map((c) => sql.ref(`mentors.${c}`)))}) is distinct from (${sql.join(
              PROFILE_COLUMNS.map((c) => sql.ref(`excluded.${c}`)),
            )})`,
          ),
      )
      .returningAll()
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute()) as Array<MentorRow & { inserted: boolean }>
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
