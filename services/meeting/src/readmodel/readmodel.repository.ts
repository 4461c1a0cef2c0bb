import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { MatchParties, MentorRow, NewMentorRow } from './readmodel.table.ts'

/**
 * Meeting's copies of other services' facts, written by durable consumers in the same transaction
 * as their processed-event mark: mentors (uid ↔ public id, status) and matches (who may book whom).
 */
export class ReadModelRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /** The newest version wins, so redelivered or reordered events change nothing. */
  async upsertMentor(row: NewMentorRow, trx: Tx): Promise<void> {
    await trx
      .insertInto('mentors')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ uid: row.uid, status: row.status, timezone: row.timezone, version_at: row.version_at, version_id: row.version_id })
          .where(sql<boolean>`(mentors.version_at, mentors.version_id) < (excluded.version_at, excluded.version_id)`),
      )
      .execute()
  }

  /** Records that the match was accepted; it may already be there, ended, if the end arrived first. */
  async matchAccepted(match: MatchParties, acceptedAt: string, trx: Tx): Promise<void> {
    await trx
      .insertInto('matches')
      .values({ ...match, accepted_at: acceptedAt })
      .onConflict((oc) => oc.column('match_id').doUpdateSet({ accepted_at: acceptedAt }))
      .execute()
  }

  async matchEnded(match: MatchParties, endedAt: string, trx: Tx): Promise<void> {
    await trx
      .insertInto('matches')
      .values({ ...match, ended_at: endedAt })
      .onConflict((oc) => oc.column('match_id').doUpdateSet({ ended_at: endedAt }))
      .execute()
  }

  async mentorByUid(uid: string, trx: Executor = this.#db): Promise<MentorRow | undefined> {
    return trx.selectFrom('mentors').selectAll().where('uid', '=', uid).orderBy('version_at', 'desc').executeTakeFirst()
  }

  async mentorById(id: string, trx: Executor = this.#db): Promise<MentorRow | undefined> {
    return trx.selectFrom('mentors').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async hasActiveMatch(menteeUid: string, mentorId: string, trx: Executor = this.#db): Promise<boolean> {
    const row = await trx
      .selectFrom('matches')
      .select('match_id')
      .where('mentee_uid', '=', menteeUid)
      .where('mentor_id', '=', mentorId)
      .where('accepted_at', 'is not', null)
      .where('ended_at', 'is', null)
      .executeTakeFirst()
    return row !== undefined
  }
}
