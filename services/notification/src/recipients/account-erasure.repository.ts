import { sql } from 'kysely'
import type { Tx } from '../db/database.ts'

/** Replaces a deleted person's name in other people's notifications. */
export const DELETED_NAME = 'Deleted user'

/** All SQL of erasing a deleted account (catalog.user.deleted) from notification's tables. */
export class AccountErasureRepository {
  /** The name other people's notifications may show, read before it is erased. */
  async nameOf(uid: string, trx: Tx): Promise<string | null> {
    const row = await trx.selectFrom('recipients').select('display_name').where('uid', '=', uid).executeTakeFirst()
    return row?.display_name ?? null
  }

  /**
   * The recipient stays as a row without address or name (so a later profile event older than the
   * deletion cannot put them back: the deletion's version wins), everything addressed to them goes:
   * their notifications (and their emails, by cascade), switches, quiet hours and unread counts.
   */
  async erase(uid: string, v: { at: string; id: string }, trx: Tx): Promise<{ notifications: number }> {
    await trx
      .insertInto('recipients')
      .values({ uid, email: null, display_name: null, profile_version_at: v.at, profile_version_id: v.id })
      .onConflict((oc) => oc.column('uid').doUpdateSet({ email: null, display_name: null, profile_version_at: v.at, profile_version_id: v.id, updated_at: sql`now()` }))
      .execute()
    await trx.deleteFrom('email_outbox').where('recipient_uid', '=', uid).execute()
    const gone = await trx.deleteFrom('notifications').where('recipient_uid', '=', uid).executeTakeFirst()
    await trx.deleteFrom('preferences').where('uid', '=', uid).execute()
    await trx.deleteFrom('quiet_hours').where('uid', '=', uid).execute()
    await trx.deleteFrom('chat_unread').where('uid', '=', uid).execute()
    return { notifications: Number(gone.numDeletedRows) }
  }

  /**
   * Other people's notifications that name the deleted person say DELETED_NAME instead; their
   * Firestore documents are written again by the feed sync (firestore_synced_at cleared). Unsent
   * emails to others are rewritten the same way.
   */
  async renameInOthers(uid: string, name: string, trx: Tx): Promise<number> {
    const like = `%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const r = await trx
      .updateTable('notifications')
      .set({
        title: sql<string>`replace(title, ${name}, ${DELETED_NAME})`,
        body: sql<string>`replace(body, ${name}, ${DELETED_NAME})`,
        firestore_synced_at: null,
      })
      .where('recipient_uid', '<>', uid)
      .where((eb) => eb.or([eb('title', 'like', like), eb('body', 'like', like)]))
      .executeTakeFirst()
    await trx
      .updateTable('email_outbox')
      .set({
        subject: sql<string>`replace(subject, ${name}, ${DELETED_NAME})`,
        text: sql<string>`replace(text, ${name}, ${DELETED_NAME})`,
        html: sql<string>`replace(html, ${name}, ${DELETED_NAME})`,
      })
      .where('sent_at', 'is', null)
      .where('recipient_uid', '<>', uid)
      .where((eb) => eb.or([eb('subject', 'like', like), eb('text', 'like', like), eb('html', 'like', like)]))
      .execute()
    return Number(r.numUpdatedRows)
  }
}
