import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type NotificationRow = Selectable<DB['notifications']>
export type NewNotificationRow = Insertable<DB['notifications']>
export type NewEmailRow = Insertable<DB['email_outbox']>
/** A notification with its email's delivery state (admin view). */
export type NotificationWithEmail = NotificationRow & {
  email_status: string | null
  email_attempts: number | null
  email_last_error: string | null
  email_sent_at: Date | null
  email_to: string | null
}
