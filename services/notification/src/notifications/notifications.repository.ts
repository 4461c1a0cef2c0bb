import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { NewEmailRow, NewNotificationRow, NotificationRow, NotificationWithEmail } from './notifications.table.ts'

/** All SQL about notifications and their Firestore mirror. */
export class NotificationsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /**
   * Inserts the notification unless this (event, recipient, channel) has one: returns whether it is
   * new. The unique key, not the processed-event mark alone, is what keeps a redelivery or a second
   * replica from notifying twice.
   */
  async insert(row: NewNotificationRow, trx: Tx): Promise<boolean> {
    const r = await trx
      .insertInto('notifications')
      .values(row)
      .onConflict((oc) => oc.columns(['event_id', 'recipient_uid', 'channel']).doNothing())
      .returning('id')
      .executeTakeFirst()
    return r !== undefined
  }

  async insertEmail(row: NewEmailRow, trx: Tx): Promise<void> {
    await trx.insertInto('email_outbox').values(row).onConflict((oc) => oc.column('notification_id').doNothing()).execute()
  }

  /** The recipient's in-app feed, newest first, before a cursor (ids are UUIDv7: id order is time order). */
  async feed(uid: string, before: string | undefined, limit: number, trx: Executor = this.#db): Promise<NotificationRow[]> {
    let q = trx.selectFrom('notifications').selectAll().where('recipient_uid', '=', uid).where('channel', '=', 'in_app')
    if (before) q = q.where('id', '<', before)
    return q.orderBy('id', 'desc').limit(limit).execute()
  }

  async unreadCount(uid: string, trx: Executor = this.#db): Promise<number> {
    const r = await trx
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('recipient_uid', '=', uid)
      .where('channel', '=', 'in_app')
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async belongsTo(uid: string, id: string, trx: Executor = this.#db): Promise<boolean> {
    const r = await trx.selectFrom('notifications').select('id').where('id', '=', id).where('recipient_uid', '=', uid).where('channel', '=', 'in_app').executeTakeFirst()
    return r !== undefined
  }

  /** Marks unread in-app notifications of `uid` read (these ids, or all); Firestore is rewritten after. */
  async markRead(uid: string, ids: readonly string[] | 'all', trx: Executor = this.#db): Promise<number> {
    let q = trx
      .updateTable('notifications')
      .set({ read_at: sql`now()`, firestore_synced_at: null })
      .where('recipient_uid', '=', uid)
      .where('channel', '=', 'in_app')
      .where('read_at', 'is', null)
    if (ids !== 'all') q = q.where('id', 'in', [...ids])
    const r = await q.executeTakeFirst()
    return Number(r.numUpdatedRows)
  }

  /**
   * In-app rows Firestore has not confirmed, locked for this transaction (other replicas skip
   * them): the caller writes them and marks them in the same transaction.
   */
  async claimUnsynced(limit: number, trx: Tx): Promise<NotificationRow[]> {
    return trx
      .selectFrom('notifications')
      .selectAll()
      .where('channel', '=', 'in_app')
      .where('firestore_synced_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute()
  }

  async markSynced(ids: readonly string[], trx: Tx): Promise<void> {
    if (ids.length === 0) return
    await trx.updateTable('notifications').set({ firestore_synced_at: sql`now()` }).where('id', 'in', [...ids]).execute()
  }

  /** Admin view: notifications of every channel, newest first, with their email's delivery state. */
  async adminList(
    filter: { uid?: string | undefined; channel?: string | undefined; emailStatus?: string | undefined; before?: string | undefined; limit: number },
    trx: Executor = this.#db,
  ): Promise<NotificationWithEmail[]> {
    let q = trx
      .selectFrom('notifications as n')
      .leftJoin('email_outbox as e', 'e.notification_id', 'n.id')
      .selectAll('n')
      .select([
        'e.status as email_status',
        'e.attempts as email_attempts',
        'e.last_error as email_last_error',
        'e.sent_at as email_sent_at',
        'e.to_address as email_to',
      ])
    if (filter.uid) q = q.where('n.recipient_uid', '=', filter.uid)
    if (filter.channel) q = q.where('n.channel', '=', filter.channel)
    if (filter.emailStatus) q = q.where('e.status', '=', filter.emailStatus)
    if (filter.before) q = q.where('n.id', '<', filter.before)
    return q.orderBy('n.id', 'desc').limit(filter.limit).execute()
  }
}
