import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely'
import { readPage } from '../db/page.ts'
import type { DB } from '../db/types.ts'
import { adminConditions, type AdminFilter } from '../requests/requests.repository.ts'
import type { MatchRow, MatchWithParties } from '../requests/requests.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about matches (an accepted request between a mentor and a mentee). */
export class MatchesRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  #withParties(trx: Executor) {
    return trx
      .selectFrom('matches as x')
      .innerJoin('requests as q', 'q.id', 'x.request_id')
      .leftJoin('mentors as m', 'm.mentor_id', 'x.mentor_id')
      .leftJoin('account_names as n', 'n.uid', 'x.mentee_uid')
      .selectAll('x')
      // the mentee's name as their account now has it, else the one the request was sent with
      .select((eb) => ['m.display_name as mentor_name', 'm.headline as mentor_headline', eb.fn.coalesce('n.display_name', 'q.mentee_name').as('mentee_name')])
  }

  insert(row: { id: string; requestId: string; mentorId: string; mentorUid: string; menteeUid: string }, trx: Transaction<DB>): Promise<MatchRow> {
    return trx
      .insertInto('matches')
      .values({ id: row.id, request_id: row.requestId, mentor_id: row.mentorId, mentor_uid: row.mentorUid, mentee_uid: row.menteeUid })
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  findById(id: string, trx: Executor = this.#db): Promise<MatchWithParties | undefined> {
    return this.#withParties(trx).where('x.id', '=', id).executeTakeFirst()
  }

  findActive(mentorId: string, menteeUid: string, trx: Executor = this.#db): Promise<MatchRow | undefined> {
    return trx.selectFrom('matches').selectAll().where('mentor_id', '=', mentorId).where('mentee_uid', '=', menteeUid).where('state', '=', 'active').executeTakeFirst()
  }

  /** active → ended, only if still active: of two concurrent ends exactly one gets the row. */
  end(id: string, by: 'mentee' | 'mentor' | 'admin', reason: string | null, trx: Transaction<DB>): Promise<MatchRow | undefined> {
    return trx
      .updateTable('matches')
      .set({ state: 'ended', ended_at: sql`now()`, ended_by: by, end_reason: reason })
      .where('id', '=', id)
      .where('state', '=', 'active')
      .returningAll()
      .executeTakeFirst()
  }

  /** Every match by the admin's filters (created in [from, to)), newest first. */
  adminList(f: AdminFilter, p: { page: number; pageSize: number }, trx: Executor = this.#db): Promise<{ rows: MatchWithParties[]; total: number }> {
    const where = (eb: ExpressionBuilder<DB & { x: DB['matches'] }, 'x'>) => eb.and(adminConditions(f).map(([column, op, value]) => eb(`x.${column}`, op, value)))
    const rows = this.#withParties(trx).where(where).orderBy('x.created_at', 'desc').orderBy('x.id', 'desc')
    const count = trx.selectFrom('matches as x').select((eb) => eb.fn.countAll<string>().as('n')).where(where)
    return readPage(rows, count, p)
  }

  list(q: { as: 'mentee' | 'mentor'; uid: string; state?: string; page: number; pageSize: number }, trx: Executor = this.#db): Promise<{ rows: MatchWithParties[]; total: number }> {
    const column = q.as === 'mentor' ? 'mentor_uid' : 'mentee_uid'
    const rows = this.#withParties(trx).where(`x.${column}`, '=', q.uid).$if(!!q.state, (b) => b.where('x.state', '=', q.state!))
    const count = trx.selectFrom('matches').select((eb) => eb.fn.countAll<string>().as('n')).where(column, '=', q.uid).$if(!!q.state, (b) => b.where('state', '=', q.state!))
    return readPage(rows.orderBy('x.created_at', 'desc').orderBy('x.id', 'desc'), count, q)
  }
}
