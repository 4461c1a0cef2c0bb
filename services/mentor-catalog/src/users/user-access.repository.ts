import { sql, type Kysely, type Transaction } from 'kysely'
import type { AccountStatus } from '@sunbae/contracts'
import type { DB } from '../db/types.ts'
import { escapeLike } from './users.repository.ts'
import type { UserRow } from './users.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** The SQL of the admin's account list and of disabling / enabling accounts. */
export class UserAccessRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  async search(
    query: { q?: string; role?: string; status?: AccountStatus; page: number; pageSize: number },
    trx: Executor = this.#db,
  ): Promise<{ rows: UserRow[]; total: number }> {
    let base = trx.selectFrom('users')
    if (query.role) base = base.where('role', '=', query.role)
    if (query.status === 'deleted') base = base.where('deleted_at', 'is not', null)
    if (query.status === 'disabled') base = base.where('disabled_at', 'is not', null).where('deleted_at', 'is', null)
    if (query.status === 'enabled') base = base.where('disabled_at', 'is', null).where('deleted_at', 'is', null)
    const q = query.q?.trim()
    if (q) {
      const pattern = `%${escapeLike(q)}%`
      base = base.where((eb) => eb.or([eb('email', 'ilike', pattern), eb('display_name', 'ilike', pattern)]))
    }
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('uid')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  findForUpdate(uid: string, trx: Executor): Promise<UserRow | undefined> {
    return trx.selectFrom('users').selectAll().where('uid', '=', uid).forUpdate().executeTakeFirst()
  }

  setDisabled(uid: string, disabled: { at: Date; reason: string } | null, trx: Executor): Promise<UserRow | undefined> {
    return trx
      .updateTable('users')
      .set({ disabled_at: disabled?.at ?? null, disabled_reason: disabled?.reason ?? null, updated_at: sql`now()` })
      .where('uid', '=', uid)
      .returningAll()
      .executeTakeFirst()
  }
}
