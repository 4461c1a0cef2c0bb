import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { MentorRow } from '../mentors/mentors.table.ts'
import type { UserRow } from './users.table.ts'

type Executor = Kysely<DB> | Transaction<DB>

/** What a mentor profile shows once its owner deleted their account (unlisted, nothing personal left). */
export const DELETED_MENTOR_NAME = 'Deleted user'

/** All SQL of an account's deletion (PIPA / GDPR): the erasure of what the catalog holds about one uid. */
export class AccountDeletionRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  findForUpdate(uid: string, trx: Executor): Promise<UserRow | undefined> {
    return trx.selectFrom('users').selectAll().where('uid', '=', uid).forUpdate().executeTakeFirst()
  }

  /** The tombstone: the uid, its role and when it was deleted; no email, name or photo. Inserted when the account never called PUT /api/me. */
  async tombstone(uid: string, at: Date, trx: Executor): Promise<UserRow> {
    return trx
      .insertInto('users')
      .values({ uid, email: null, display_name: null, photo_url: null, deleted_at: at })
      .onConflict((oc) =>
        oc.column('uid').doUpdateSet({ email: null, display_name: null, photo_url: null, deleted_at: at, updated_at: sql`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /** The user's mentor profile, unlisted (suspended) and blanked, its photo deleted; undefined when they had none. */
  async eraseMentor(uid: string, at: Date, trx: Executor): Promise<MentorRow | undefined> {
    await trx
      .deleteFrom('mentor_photos')
      .where('mentor_id', 'in', (eb) => eb.selectFrom('mentors').select('id').where('uid', '=', uid))
      .execute()
    return trx
      .updateTable('mentors')
      .set({
        status: 'suspended',
        status_changed_at: at,
        status_reason: 'account deleted',
        display_name: DELETED_MENTOR_NAME,
        headline: '',
        bio: '',
        company: null,
        skills: [],
        links: JSON.stringify([]),
        photo_hash: null,
        updated_at: sql`now()`,
      })
      .where('uid', '=', uid)
      .returningAll()
      .executeTakeFirst()
  }

  /** Applications hold a profile draft (headline, bio, company, links): removed, decided or not. */
  async deleteApplications(uid: string, trx: Executor): Promise<number> {
    const r = await trx.deleteFrom('mentor_applications').where('uid', '=', uid).executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  /** Reviews the user wrote stay (their rating is part of the mentor's average) without the author's name. */
  async anonymiseReviews(uid: string, trx: Executor): Promise<number> {
    const r = await trx.updateTable('reviews').set({ author_name: null }).where('mentee_uid', '=', uid).executeTakeFirst()
    return Number(r.numUpdatedRows)
  }
}
