import type { NotificationCategory, NotificationChannel } from '@sunbae/contracts'

/** What a notification is about, and how it reaches people: the API's lists (@sunbae/contracts, shared with the web). */
export { NOTIFICATION_CATEGORIES as CATEGORIES, NOTIFICATION_CHANNELS as CHANNELS } from '@sunbae/contracts'
export type Category = NotificationCategory
export type Channel = NotificationChannel

/** Receipts and refunds are records people must get: they cannot be switched off. */
export const TRANSACTIONAL: ReadonlySet<Category> = new Set<Category>(['receipts'])

export const LOCALES = ['ko', 'en'] as const
export type Locale = (typeof LOCALES)[number]

/** Email of these categories waits out the recipient's quiet hours; the rest (bookings, reminders, receipts) is time-bound. */
export const NON_URGENT: ReadonlySet<Category> = new Set<Category>(['requests', 'reviews', 'applications', 'chat', 'payouts'])
