import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** The event a name comes from: its time and id order the versions of one account's name. */
export interface NameVersion {
  at: string
  id: string
}

/**
 * All SQL about `account_names`: each account's name as the catalog's newest event says it. Requests
 * and matches read it before the name their request was sent with (requests/matches repositories).
 */
export class AccountNamesRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /** Only a newer (occurredAt, id) replaces the stored name: redelivered or reordered events change nothing. */
  async upsert(uid: string, displayName: string | null, version: NameVersion, trx: Executor = this.#db): Promise<void> {
    await trx
      .insertInto('account_names')
      .values({ uid, display_name: displayName, version_at: version.at, version_id: version.id })
      .onConflict((oc) =>
        oc
          .column('uid')
          .doUpdateSet({ display_name: displayName, version_at: version.at, version_id: version.id })
          .where(sql<boolean>`(account_names.version_at, account_names.version_id) < (excluded.version_at, excluded.version_id)`),
      )
      .execute()
  }
}
