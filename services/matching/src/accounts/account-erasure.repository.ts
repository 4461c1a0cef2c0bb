import type { Transaction } from 'kysely'
import type { DB } from '../db/types.ts'

/** All SQL of erasing a deleted account (catalog.user.deleted) from matching's tables. */
export class AccountErasureRepository {
  /**
   * Requests the person sent keep their state (the mentor's history stays consistent) without the
   * name and the message; their preferences and hidden mentors go; a mentor's settings go (the
   * mentor read model is blanked by the catalog's catalog.mentor.suspended).
   */
  async erase(uid: string, trx: Transaction<DB>): Promise<{ requests: number }> {
    const r = await trx.updateTable('requests').set({ mentee_name: null, message: '' }).where('mentee_uid', '=', uid).executeTakeFirst()
    await trx.deleteFrom('preferences').where('mentee_uid', '=', uid).execute()
    await trx.deleteFrom('hidden_mentors').where('mentee_uid', '=', uid).execute()
    await trx.deleteFrom('mentor_settings').where('mentor_uid', '=', uid).execute()
    return { requests: Number(r.numUpdatedRows) }
  }
}
