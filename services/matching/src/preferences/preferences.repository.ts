import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { HiddenMentorRow, NewPreferencesRow, PreferencesRow } from './preferences.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about a mentee's preferences and hidden mentors. */
export class PreferencesRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  find(uid: string, trx: Executor = this.#db): Promise<PreferencesRow | undefined> {
    return trx.selectFrom('preferences').selectAll().where('mentee_uid', '=', uid).executeTakeFirst()
  }

  upsert(row: NewPreferencesRow, trx: Executor = this.#db): Promise<PreferencesRow> {
    const { mentee_uid: _, ...set } = row
    return trx
      .insertInto('preferences')
      .values(row)
      .onConflict((oc) => oc.column('mentee_uid').doUpdateSet({ ...set, updated_at: sql`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  hide(uid: string, mentorId: string, trx: Executor = this.#db): Promise<HiddenMentorRow> {
    return trx
      .insertInto('hidden_mentors')
      .values({ mentee_uid: uid, mentor_id: mentorId })
      // hiding twice keeps the first time
      .onConflict((oc) => oc.columns(['mentee_uid', 'mentor_id']).doUpdateSet({ mentor_id: mentorId }))
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  async unhide(uid: string, mentorId: string, trx: Executor = this.#db): Promise<boolean> {
    const r = await trx.deleteFrom('hidden_mentors').where('mentee_uid', '=', uid).where('mentor_id', '=', mentorId).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  listHidden(uid: string, trx: Executor = this.#db): Promise<HiddenMentorRow[]> {
    return trx.selectFrom('hidden_mentors').selectAll().where('mentee_uid', '=', uid).orderBy('created_at', 'desc').limit(1000).execute()
  }
}
