import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { NewEmail, NewNotification, NotificationRow, NotificationWithEmail } from './notifications.table.ts'

/** All SQL about notifications and their Firestore mirror. */
export class NotificationsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /**
   * Inserts an event's notifications and the emails of those among them that are new, in one
   * statement; returns the ids inserted. A notification whose (event, recipient, channel) exists
   * already is skipped with its email: the unique key, not the processed-event mark alone, is what
   * keeps a redelivery or a second replica from notifying twice.
   */
  async insertAll(rows: readonly NewNotification[], emails: readonly NewEmail[], trx: Tx): Promise<Set<string>> {
    if (rows.length === 0) return new Set()
    const { rows: inserted } = await sql<{ id: string }>`
      with n as (
        insert into notifications (id, event_id, event_type, recipient_uid, channel, category, locale, title, body, link)
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(id uuid, event_id uuid, event_type text, recipient_uid text, channel text, category text, locale text, title text, body text, link text)
        on conflict (event_id, recipient_uid, channel) do nothing
        returning id
      ), e as (
        insert into email_outbox (notification_id, recipient_uid, subject, html, text, calendar, attachments, unsubscribe_url, next_attempt_at)
        select x.notification_id, x.recipient_uid, x.subject, x.html, x.text, x.calendar, coalesce(x.attachments, '[]'::jsonb), x.unsubscribe_url, coalesce(x.next_attempt_at, now())
          from jsonb_to_recordset(${JSON.stringify(emails)}::jsonb)
            as x(notification_id uuid, recipient_uid text, subject text, html text, text text, calendar jsonb, attachments jsonb, unsubscribe_url text, next_attempt_at timestamptz)
         where x.notification_id in (select id from n)
        on conflict (notification_id) do nothing
      )
      select id from n`.execute(trx)
    return new Set(inserted.map((r) => r.id))
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
   * Takes up to `limit` in-app rows Firestore lacks, oldest first, and marks them synced in one
   * statement; the rows stay locked by the caller's transaction (other writers and replicas skip
   * them), which writes them to Firestore before it commits. A failed write rolls the marks back.
   */
  async claimUnsynced(limit: number, trx: Tx): Promise<NotificationRow[]> {
    return trx
      .updateTable('notifications')
      .set({ firestore_synced_at: sql`now()` })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('notifications')
          .select('id')
          .where('channel', '=', 'in_app')
          .where('firestore_synced_at', 'is', null)
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute()
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
