import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import { escapeLike } from '../users/users.repository.ts'
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

  /** The active mentors' ids and last changes, most recently changed first (the sitemap). */
  listActiveForSitemap(limit: number, trx: Executor = this.#db): Promise<Pick<MentorRow, 'id' | 'updated_at'>[]> {
    return trx.selectFrom('mentors').select(['id', 'updated_at']).where('status', '=', 'active').orderBy('updated_at', 'desc').orderBy('id').limit(limit).execute()
  }

  findByUid(uid: string, trx: Executor = this.#db, opts: { forUpdate?: boolean } = {}): Promise<MentorRow | undefined> {
    const q = trx.selectFrom('mentors').selectAll().where('uid', '=', uid)
    return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst()
  }

  /** Active mentors that have a Firebase account, by id after `afterId` (keyset pages). */
  activeWithAccount(afterId: string | null, limit: number, trx: Executor = this.#db): Promise<Array<{ id: string; uid: string }>> {
    let q = trx.selectFrom('mentors').select(['id', 'uid']).where('status', '=', 'active').where('uid', 'is not', null)
    if (afterId) q = q.where('id', '>', afterId)
    return q.orderBy('id').limit(limit).execute() as Promise<Array<{ id: string; uid: string }>>
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

  /**
   * Every mentor for the admin list, whatever their status or how long ago it changed: search over
   * name, headline and the account's email (substring, case-insensitive), a status, the latest
   * status change first. With the account's email (users is the catalog's own table).
   */
  async listForAdmin(
    query: { q?: string; status?: string; page: number; pageSize: number },
    trx: Executor = this.#db,
  ): Promise<{ rows: Array<MentorRow & { email: string | null }>; total: number }> {
    let base = trx.selectFrom('mentors').leftJoin('users', 'users.uid', 'mentors.uid')
    if (query.status) base = base.where('mentors.status', '=', query.status)
    const q = query.q?.trim()
    if (q) {
      const pattern = `%${escapeLike(q)}%`
      base = base.where((eb) =>
        eb.or([eb('mentors.display_name', 'ilike', pattern), eb('mentors.headline', 'ilike', pattern), eb('users.email', 'ilike', pattern)]),
      )
    }
    const [rows, count] = await Promise.all([
      base
        .selectAll('mentors')
        .select('users.email')
        .orderBy('mentors.status_changed_at', 'desc')
        .orderBy('mentors.id')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  /**
   * The rating aggregates recomputed from the reviews that count (not hidden) — after a review was
   * hidden or restored. One statement under the mentor's row lock, so a concurrent new review
   * (addRating) is not lost.
   */
  recomputeRating(id: string, trx: Executor = this.#db): Promise<MentorRow | undefined> {
    return trx
      .updateTable('mentors')
      .set({
        rating_total: sql`coalesce((select sum(r.rating) from reviews r where r.mentor_id = mentors.id and r.hidden_at is null), 0)`,
        review_count: sql`(select count(*) from reviews r where r.mentor_id = mentors.id and r.hidden_at is null)`,
        rating: sql`coalesce((select round(avg(r.rating)::numeric, 2) from reviews r where r.mentor_id = mentors.id and r.hidden_at is null), 0)`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
  }
}
