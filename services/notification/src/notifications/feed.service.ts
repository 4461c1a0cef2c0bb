import type { AdminNotificationPage, AdminNotificationQuery, Identity, MarkNotificationsReadBody, NotificationFeedPage, NotificationItem } from '@sunbae/contracts'
import { notFound } from '@sunbae/service-kit'
import type { EmailOutboxRepository } from '../email/email-outbox.repository.ts'
import type { Category } from '../messages/categories.ts'
import type { NotificationsRepository } from './notifications.repository.ts'
import type { NotificationRow } from './notifications.table.ts'

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString())

function toItem(n: NotificationRow): NotificationItem {
  return {
    id: n.id,
    type: n.event_type,
    category: n.category as Category,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: iso(n.created_at)!,
    readAt: iso(n.read_at),
  }
}

/** The in-app feed for its owner, and the admin view of everything sent. */
export class NotificationFeed {
  readonly #repo: NotificationsRepository
  readonly #outbox: EmailOutboxRepository
  readonly #wakeSync: () => void
  constructor(repo: NotificationsRepository, outbox: EmailOutboxRepository, wakeSync: () => void) {
    this.#repo = repo
    this.#outbox = outbox
    this.#wakeSync = wakeSync
  }

  async page(identity: Identity, before: string | undefined, limit: number): Promise<NotificationFeedPage> {
    const [rows, unreadCount] = await Promise.all([this.#repo.feed(identity.uid, before, limit), this.#repo.unreadCount(identity.uid)])
    return { items: rows.map(toItem), unreadCount, nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null }
  }

  /** Marks mine read; an id that is not one of my notifications is 404 (read ones are fine: it is idempotent). */
  async markRead(identity: Identity, body: MarkNotificationsReadBody): Promise<{ updated: number; unreadCount: number }> {
    let updated: number
    if ('all' in body) {
      updated = await this.#repo.markRead(identity.uid, 'all')
    } else {
      for (const id of body.ids) {
        if (!(await this.#repo.belongsTo(identity.uid, id))) throw notFound(`No notification ${id} of yours`, 'NOTIFICATION_NOT_FOUND')
      }
      updated = await this.#repo.markRead(identity.uid, body.ids)
    }
    if (updated > 0) this.#wakeSync()
    return { updated, unreadCount: await this.#repo.unreadCount(identity.uid) }
  }

  async adminList(q: AdminNotificationQuery): Promise<AdminNotificationPage> {
    const limit = q.limit ?? 50
    const [rows, emailCounts] = await Promise.all([this.#repo.adminList({ ...q, limit }), this.#outbox.counts()])
    return {
      items: rows.map((n) => ({
        id: n.id,
        eventId: n.event_id,
        type: n.event_type,
        recipientUid: n.recipient_uid,
        channel: n.channel as 'in_app' | 'email',
        category: n.category as Category,
        locale: n.locale,
        title: n.title,
        createdAt: iso(n.created_at)!,
        readAt: iso(n.read_at),
        email:
          n.email_status === null
            ? null
            : {
                status: n.email_status as 'pending' | 'sent' | 'failed',
                attempts: n.email_attempts ?? 0,
                to: n.email_to,
                lastError: n.email_last_error,
                sentAt: iso(n.email_sent_at),
              },
      })),
      nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
      emailCounts,
    }
  }
}
