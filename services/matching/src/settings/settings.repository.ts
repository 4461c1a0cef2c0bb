import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { SettingsRow } from './settings.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** All SQL about a mentor's capacity, active-mentee count and time windows. */
export class SettingsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  find(mentorId: string, trx: Executor = this.#db): Promise<SettingsRow | undefined> {
    return trx.selectFrom('mentor_settings').selectAll().where('mentor_id', '=', mentorId).executeTakeFirst()
  }

  /**
   * The mentor's row, created if missing, locked until the transaction ends: everything that
   * starts or ends a match of this mentor goes through here first, so the capacity check and the
   * count it reads cannot interleave (always this row before any request or match row: no
   * deadlocks between accept and end).
   */
  async lock(mentorId: string, mentorUid: string, trx: Transaction<DB>): Promise<SettingsRow> {
    await trx.insertInto('mentor_settings').values({ mentor_id: mentorId, mentor_uid: mentorUid }).onConflict((oc) => oc.column('mentor_id').doNothing()).execute()
    return trx.selectFrom('mentor_settings').selectAll().where('mentor_id', '=', mentorId).forUpdate().executeTakeFirstOrThrow()
  }

  async addActive(mentorId: string, delta: 1 | -1, trx: Transaction<DB>): Promise<void> {
    await trx
      .updateTable('mentor_settings')
      .set({ active_mentees: sql`greatest(active_mentees + ${delta}, 0)` })
      .where('mentor_id', '=', mentorId)
      .execute()
  }

  save(
    row: { mentorId: string; mentorUid: string; capacity: number | null; timeWindows: unknown[]; timezone: string | null },
    trx: Executor = this.#db,
  ): Promise<SettingsRow> {
    const values = { capacity: row.capacity, time_windows: JSON.stringify(row.timeWindows), timezone: row.timezone, mentor_uid: row.mentorUid }
    return trx
      .insertInto('mentor_settings')
      .values({ mentor_id: row.mentorId, ...values, updated_at: sql`now()` })
      .onConflict((oc) => oc.column('mentor_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /** Time windows (and their zone) of the given mentors that set any. */
  windowsOf(mentorIds: string[], trx: Executor = this.#db): Promise<Pick<SettingsRow, 'mentor_id' | 'time_windows' | 'timezone'>[]> {
    if (mentorIds.length === 0) return Promise.resolve([])
    return trx
      .selectFrom('mentor_settings')
      .select(['mentor_id', 'time_windows', 'timezone'])
      .where('mentor_id', 'in', mentorIds)
      .where(sql<boolean>`jsonb_array_length(time_windows) > 0`)
      .execute()
  }
}
