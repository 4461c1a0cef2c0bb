import { sql } from 'kysely'
import type { Database, Executor } from '../db/database.ts'

export interface Switch {
  category: string
  channel: string
  enabled: boolean
}

/** All SQL about preferences: only switches a user changed are stored; absent means on. */
export class PreferencesRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async of(uid: string, trx: Executor = this.#db): Promise<Switch[]> {
    return trx.selectFrom('preferences').select(['category', 'channel', 'enabled']).where('uid', '=', uid).execute()
  }

  async forCategory(uid: string, category: string, trx: Executor = this.#db): Promise<Switch[]> {
    return trx.selectFrom('preferences').select(['category', 'channel', 'enabled']).where('uid', '=', uid).where('category', '=', category).execute()
  }

  async save(uid: string, switches: readonly Switch[], trx: Executor = this.#db): Promise<void> {
    if (switches.length === 0) return
    await trx
      .insertInto('preferences')
      .values(switches.map((s) => ({ uid, category: s.category, channel: s.channel, enabled: s.enabled })))
      .onConflict((oc) => oc.columns(['uid', 'category', 'channel']).doUpdateSet((eb) => ({ enabled: eb.ref('excluded.enabled'), updated_at: sql`now()` })))
      .execute()
  }

  async quietHours(uid: string, trx: Executor = this.#db): Promise<{ starts: string; ends: string } | undefined> {
    return trx.selectFrom('quiet_hours').select(['starts', 'ends']).where('uid', '=', uid).executeTakeFirst()
  }

  /** Sets them, or (null) removes them. */
  async saveQuietHours(uid: string, q: { starts: string; ends: string } | null, trx: Executor = this.#db): Promise<void> {
    if (q === null) {
      await trx.deleteFrom('quiet_hours').where('uid', '=', uid).execute()
      return
    }
    await trx
      .insertInto('quiet_hours')
      .values({ uid, starts: q.starts, ends: q.ends })
      .onConflict((oc) => oc.column('uid').doUpdateSet({ starts: q.starts, ends: q.ends, updated_at: sql`now()` }))
      .execute()
  }
}
