/** What a notification is about; preferences are per category and channel. */
export const CATEGORIES = ['requests', 'bookings', 'reminders', 'reviews', 'applications', 'chat', 'receipts', 'payouts'] as const
export type Category = (typeof CATEGORIES)[number]

/** Receipts and refunds are records people must get: they cannot be switched off. */
export const TRANSACTIONAL: ReadonlySet<Category> = new Set<Category>(['receipts'])

export const CHANNELS = ['in_app', 'email'] as const
export type Channel = (typeof CHANNELS)[number]

export const LOCALES = ['ko', 'en'] as const
export type Locale = (typeof LOCALES)[number]

/** Email of these categories waits out the recipient's quiet hours; the rest (bookings, reminders, receipts) is time-bound. */
export const NON_URGENT: ReadonlySet<Category> = new Set<Category>(['requests', 'reviews', 'applications', 'chat', 'payouts'])
