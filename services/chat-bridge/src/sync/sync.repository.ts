import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'

/** A held leadership: `check()` fails once the connection holding the lock is gone. */
export interface Lease {
  check(): Promise<void>
}

/** The sync's own SQL: its leader lock and the ledger of announced messages. */
export class SyncRepository {
  readonly #db: Kysely<DB>

  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /**
   * Runs `lead` while holding the session advisory lock `key` on one pooled connection (a session
   * lock lives exactly as long as that connection); false, without running it, when another process
   * holds the lock. The lock is released when `lead` ends, however it ends.
   */
  withLeadership(key: string, lead: (lease: Lease) => Promise<void>): Promise<boolean> {
    return this.#db.connection().execute(async (conn) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as locked`.execute(conn)
      if (!rows[0]?.locked) return false
      try {
        await lead({ check: async () => void (await sql`select 1`.execute(conn)) })
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn).catch(() => {})
      }
      return true
    })
  }

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work)
  }

  /** Records the messages as announced; returns the `roomId/messageId` keys that were not already. */
  async markPosted(trx: Transaction<DB>, messages: ReadonlyArray<{ roomId: string; id: string }>): Promise<Set<string>> {
    const fresh = await trx
      .insertInto('posted_messages')
      .columns(['room_id', 'message_id'])
      // two array parameters for any batch, not two per message
      .expression(sql`select * from unnest(${messages.map((m) => m.roomId)}::text[], ${messages.map((m) => m.id)}::text[])`)
      .onConflict((oc) => oc.columns(['room_id', 'message_id']).doNothing())
      .returning(['room_id', 'message_id'])
      .execute()
    return new Set(fresh.map((r) => `${r.room_id}/${r.message_id}`))
  }
}
