import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { RecipientRow } from './recipients.table.ts'

/** The event a change came from: (at, id) orders versions, so an older or repeated event changes nothing. */
export interface Version {
  at: string
  id: string
}

export interface ProfileChange {
  uid: string
  email: string | null
  displayName: string | null
  role: string
  /** absent: not known to the producer, the stored value stays */
  locale?: string | undefined
  timeZone?: string | undefined
}

/**
 * Notification's read model of accounts (catalog.user.*) and mentors' time zones (catalog.mentor.*),
 * written by the consumer in the same transaction as its processed-event mark. Each group of
 * columns is versioned by its own events: a role change and a profile change may arrive in any order.
 */
export class RecipientsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async upsertProfile(p: ProfileChange, v: Version, trx: Tx): Promise<void> {
    const profile = {
      email: p.email,
      display_name: p.displayName,
      ...(p.locale !== undefined ? { locale: p.locale } : {}),
      ...(p.timeZone !== undefined ? { time_zone: p.timeZone } : {}),
      profile_version_at: v.at,
      profile_version_id: v.id,
    }
    await trx
      .insertInto('recipients')
      .values({ uid: p.uid, ...profile, role: p.role, role_version_at: v.at, role_version_id: v.id })
      .onConflict((oc) =>
        oc.column('uid').doUpdateSet({
          ...profile,
          updated_at: sql`now()`,
        }).where(newer('profile', v)),
      )
      .execute()
    // the role travels with the profile too; it only wins over an older role change
    await trx
      .updateTable('recipients')
      .set({ role: p.role, role_version_at: v.at, role_version_id: v.id })
      .where('uid', '=', p.uid)
      .where(newer('role', v))
      .execute()
  }

  async upsertRole(uid: string, role: string, v: Version, trx: Tx): Promise<void> {
    await trx
      .insertInto('recipients')
      .values({ uid, role, role_version_at: v.at, role_version_id: v.id })
      .onConflict((oc) =>
        oc.column('uid').doUpdateSet({ role, role_version_at: v.at, role_version_id: v.id, updated_at: sql`now()` }).where(newer('role', v)),
      )
      .execute()
  }

  async upsertMentor(uid: string, mentorId: string, timeZone: string, v: Version, trx: Tx): Promise<void> {
    const mentor = { mentor_id: mentorId, mentor_time_zone: timeZone, mentor_version_at: v.at, mentor_version_id: v.id }
    await trx
      .insertInto('recipients')
      .values({ uid, ...mentor })
      .onConflict((oc) => oc.column('uid').doUpdateSet({ ...mentor, updated_at: sql`now()` }).where(newer('mentor', v)))
      .execute()
  }

  /** The account behind a mentor's public id, if it has one. */
  async uidOfMentor(mentorId: string, trx: Executor = this.#db): Promise<string | undefined> {
    return (await trx.selectFrom('recipients').select('uid').where('mentor_id', '=', mentorId.toLowerCase()).executeTakeFirst())?.uid
  }

  async find(uids: readonly string[], trx: Executor = this.#db): Promise<Map<string, RecipientRow>> {
    if (uids.length === 0) return new Map()
    const rows = await trx.selectFrom('recipients').selectAll().where('uid', 'in', [...uids]).execute()
    return new Map(rows.map((r) => [r.uid, r]))
  }
}

/** The stored group is older than `v` (or was never set). */
function newer(group: 'profile' | 'role' | 'mentor', v: Version) {
  const at = sql.ref(`recipients.${group}_version_at`)
  const id = sql.ref(`recipients.${group}_version_id`)
  return sql<boolean>`(${at} is null or (${at}, ${id}) < (${v.at}::timestamptz, ${v.id}::uuid))`
}
