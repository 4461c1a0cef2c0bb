import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import { escapeLike } from '../users/users.repository.ts'
import type { ReviewRow } from './reviews.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

export type AdminReviewRow = ReviewRow & { mentor_name: string }

/** The SQL of the admin's review list and of hiding / restoring reviews. */
export class ReviewModerationRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  async list(
    query: { mentorId?: string; visibility?: 'visible' | 'hidden'; q?: string; from?: string; to?: string; page: number; pageSize: number },
    trx: Executor = this.#db,
  ): Promise<{ rows: AdminReviewRow[]; total: number }> {
    let base = trx.selectFrom('reviews').innerJoin('mentors', 'mentors.id', 'reviews.mentor_id')
    if (query.mentorId) base = base.where('reviews.mentor_id', '=', query.mentorId)
    if (query.visibility === 'hidden') base = base.where('reviews.hidden_at', 'is not', null)
    if (query.visibility === 'visible') base = base.where('reviews.hidden_at', 'is', null)
    if (query.from) base = base.where('reviews.created_at', '>=', new Date(query.from))
    if (query.to) base = base.where('reviews.created_at', '<', new Date(query.to))
    const q = query.q?.trim()
    if (q) {
      const pattern = `%${escapeLike(q)}%`
      base = base.where((eb) => eb.or([eb('reviews.comment', 'ilike', pattern), eb('reviews.author_name', 'ilike', pattern)]))
    }
    const [rows, count] = await Promise.all([
      base
        .selectAll('reviews')
        .select('mentors.display_name as mentor_name')
        .orderBy('reviews.created_at', 'desc')
        .orderBy('reviews.id', 'desc')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  findForUpdate(id: string, trx: Executor): Promise<ReviewRow | undefined> {
    return trx.selectFrom('reviews').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  }

  setHidden(id: string, hidden: { reason: string } | null, trx: Executor): Promise<ReviewRow | undefined> {
    return trx
      .updateTable('reviews')
      .set(hidden ? { hidden_at: sql`now()`, hidden_reason: hidden.reason } : { hidden_at: null, hidden_reason: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
  }

  mentorName(id: string, trx: Executor): Promise<string | undefined> {
    return trx.selectFrom('mentors').select('display_name').where('id', '=', id).executeTakeFirst().then((r) => r?.display_name)
  }
}
