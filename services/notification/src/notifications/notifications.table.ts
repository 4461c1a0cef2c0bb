import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type NotificationRow = Selectable<DB['notifications']>
/** A new notification as `insertAll` takes it (created_at and the Firestore mark are the table's). */
export type NewNotification = Pick<Insertable<DB['notifications']>, 'id' | 'event_id' | 'event_type' | 'recipient_uid' | 'channel' | 'category' | 'locale' | 'title' | 'body' | 'link'>
/** The email of a new notification: calendar parts as JSON values, `next_attempt_at` absent for now. */
export interface NewEmail {
  notification_id: string
  recipient_uid: string
  subject: string
  html: string
  text: string
  /** the invite (a CalendarPart) and further .ics files, stored as jsonb */
  calendar: object | null
  attachments: object[]
  unsubscribe_url: string | null
  next_attempt_at?: Date
}
/** A notification with its email's delivery state (admin view). */
export type NotificationWithEmail = NotificationRow & {
  email_status: string | null
  email_attempts: number | null
  email_last_error: string | null
  email_sent_at: Date | null
  email_to: string | null
}
