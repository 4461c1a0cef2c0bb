import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { ApplicationRow, ApplicationWithApplicant, NewApplicationRow } from './applications.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about mentor applications lives here. */
export class ApplicationsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  #withApplicant(trx: Executor) {
    return trx
      .selectFrom('mentor_applications as a')
      .leftJoin('users as u', 'u.uid', 'a.uid')
      .selectAll('a')
      .select(['u.email as applicant_email', 'u.display_name as applicant_name'])
  }

  insert(row: NewApplicationRow, trx: Executor = this.#db): Promise<ApplicationRow> {
    return trx.insertInto('mentor_applications').values(row).returningAll().executeTakeFirstOrThrow()
  }

  findById(id: string, trx: Executor = this.#db): Promise<ApplicationWithApplicant | undefined> {
    return this.#withApplicant(trx).where('a.id', '=', id).executeTakeFirst()
  }

  lockById(id: string, trx: Transaction<DB>): Promise<ApplicationRow | undefined> {
    return trx.selectFrom('mentor_applications').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  }

  findPendingByUid(uid: string, trx: Executor = this.#db): Promise<ApplicationRow | undefined> {
    return trx.selectFrom('mentor_applications').selectAll().where('uid', '=', uid).where('status', '=', 'pending').executeTakeFirst()
  }

  listByUid(uid: string, trx: Executor = this.#db): Promise<ApplicationWithApplicant[]> {
    return this.#withApplicant(trx).where('a.uid', '=', uid).orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').execute()
  }

  async list(query: { status?: string; page: number; pageSize: number }, trx: Executor = this.#db): Promise<{ rows: ApplicationWithApplicant[]; total: number }> {
    let rowsQ = this.#withApplicant(trx)
    let countQ = trx.selectFrom('mentor_applications').select((eb) => eb.fn.countAll<string>().as('n'))
    if (query.status) {
      rowsQ = rowsQ.where('a.status', '=', query.status)
      countQ = countQ.where('status', '=', query.status)
    }
    const [rows, count] = await Promise.all([
      rowsQ
        // pending ones are a queue: oldest first; decided ones: most recent first
        .orderBy('a.created_at', query.status === 'pending' ? 'asc' : 'desc')
        .orderBy('a.id')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute(),
      countQ.executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  decide(
    id: string,
    decision: { status: 'approved' | 'rejected'; reason: string | null; decidedBy: string },
    trx: Executor = this.#db,
  ): Promise<ApplicationRow | undefined> {
    return trx
      .updateTable('mentor_applications')
      .set({ status: decision.status, reason: decision.reason, decided_by: decision.decidedBy, decided_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
  }
}
