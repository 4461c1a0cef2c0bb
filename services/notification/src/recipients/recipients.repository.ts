import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { RecipientRow } from './recipients.table.ts'

/** The event a change came from: (at, id) orders versions, so an older or repeated event changes nothing. */
export interface Version {
  at: string
  id: string
}

/**
 * What notifying one person needs, read together: how to address them (none of it when the read
 * model does not know them yet), the channel switches they turned off or on, and their quiet hours.
 */
export interface Audience {
  uid: string
  known: boolean
  email: string | null
  display_name: string | null
  locale: string | null
  time_zone: string | null
  mentor_time_zone: string | null
  switches: { category: string; channel: string; enabled: boolean }[]
  quiet: { starts: string; ends: string } | null
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

  /**
   * The audience of a notification, one query for any number of people (a notification's recipients
   * and the names it mentions): a person the read model does not know yet still gets their stored
   * preferences (they may have set them before the catalog's event arrived).
   */
  async audience(uids: readonly string[], trx: Executor = this.#db): Promise<Map<string, Audience>> {
    if (uids.length === 0) return new Map()
    const { rows } = await sql<Omit<Audience, 'quiet'> & { quiet_starts: string | null; quiet_ends: string | null }>`
      select u.uid, r.uid is not null as known, r.email, r.display_name, r.locale, r.time_zone, r.mentor_time_zone,
             coalesce((select jsonb_agg(jsonb_build_object('category', p.category, 'channel', p.channel, 'enabled', p.enabled))
                         from preferences p where p.uid = u.uid), '[]'::jsonb) as switches,
             q.starts as quiet_starts, q.ends as quiet_ends
        from unnest(${[...new Set(uids)]}::text[]) as u(uid)
        left join recipients r on r.uid = u.uid
        left join quiet_hours q on q.uid = u.uid`.execute(trx)
    return new Map(
      rows.map(({ quiet_starts, quiet_ends, ...a }) => [a.uid, { ...a, quiet: quiet_starts !== null && quiet_ends !== null ? { starts: quiet_starts, ends: quiet_ends } : null }]),
    )
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
