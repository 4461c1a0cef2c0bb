import { sql, type Kysely, type Transaction } from 'kysely'
import type { Role } from '@sunbae/contracts'
import type { DB } from '../db/types.ts'
import type { NewUserRow, UserRow } from './users.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about accounts lives here. */
export class UsersRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  findByUid(uid: string, trx: Executor = this.#db): Promise<UserRow | undefined> {
    return trx.selectFrom('users').selectAll().where('uid', '=', uid).executeTakeFirst()
  }

  findByEmail(email: string, trx: Executor = this.#db): Promise<UserRow | undefined> {
    return trx.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst()
  }

  /**
   * Inserts the account or refreshes its profile fields (locale and time zone only when given). The role is taken from the token only on
   * first insert: afterwards it changes through `setRole`, so a stale token cannot undo a role change.
   * `inserted` tells whether the row is new (xmax = 0 only for a freshly inserted tuple).
   */
  async upsert(user: NewUserRow, trx: Executor = this.#db): Promise<{ row: UserRow; inserted: boolean }> {
    if (user.email) {
      // Firebase Auth is the source of truth and keeps emails unique: if another uid still holds
      // this email in the mirror, that account was deleted (or its email changed) in Firebase.
      await trx
        .updateTable('users')
        .set({ email: null, updated_at: sql`now()` })
        .where(sql<string>`lower(email)`, '=', user.email.toLowerCase())
        .where('uid', '<>', user.uid)
        .execute()
    }
    const result = await trx
      .insertInto('users')
      .values(user)
      .onConflict((oc) =>
        oc.column('uid').doUpdateSet((eb) => ({
          email: eb.ref('excluded.email'),
          display_name: eb.ref('excluded.display_name'),
          photo_url: eb.ref('excluded.photo_url'),
          // only when given: a caller that leaves them out must not reset them to the defaults
          ...(user.locale !== undefined ? { locale: eb.ref('excluded.locale') } : {}),
          ...(user.time_zone !== undefined ? { time_zone: eb.ref('excluded.time_zone') } : {}),
          updated_at: sql`now()`,
        })),
      )
      .returningAll()
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .executeTakeFirstOrThrow()
    const { inserted, ...row } = result
    return { row, inserted }
  }

  setRole(uid: string, role: Role, trx: Executor = this.#db): Promise<UserRow | undefined> {
    return trx
      .updateTable('users')
      .set({ role, role_changed_at: sql`now()`, updated_at: sql`now()` })
      .where('uid', '=', uid)
      .returningAll()
      .executeTakeFirst()
  }
}

/** `%`, `_` and `\` in user input are matched literally (backslash is Postgres' default LIKE escape). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}
