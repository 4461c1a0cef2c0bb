import { Type, type Static } from 'typebox'

// notification's API (services/notification): the in-app feed, read marks, preferences, one-click
// unsubscribe and the admin view. The web's bell, feed, settings and unsubscribe page use them.

/** What a notification is about; preferences are per category and channel. */
export const NOTIFICATION_CATEGORIES = ['requests', 'bookings', 'reminders', 'reviews', 'applications', 'chat', 'receipts', 'payouts'] as const
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number]

export const NOTIFICATION_CHANNELS = ['in_app', 'email'] as const
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number]

const Uuid = Type.String({ format: 'uuid' })
const Category = Type.Enum([...NOTIFICATION_CATEGORIES])
const Channel = Type.Enum([...NOTIFICATION_CHANNELS])

export const NotificationItem = Type.Object({
  id: Uuid,
  type: Type.String({ description: 'the event it tells of, e.g. matching.request.created' }),
  category: Category,
  title: Type.String(),
  body: Type.String(),
  link: Type.String({ description: "a path of the web app, e.g. /chat" }),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type NotificationItem = Static<typeof NotificationItem>

export const NotificationFeedQuery = Type.Object(
  {
    before: Type.Optional(Type.String({ format: 'uuid', description: 'the nextBefore of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)
export type NotificationFeedQuery = Static<typeof NotificationFeedQuery>

export const NotificationFeedPage = Type.Object({
  items: Type.Array(NotificationItem),
  unreadCount: Type.Integer({ minimum: 0 }),
  nextBefore: Type.Union([Uuid, Type.Null()], { description: 'null on the last page' }),
})
export type NotificationFeedPage = Static<typeof NotificationFeedPage>

export const MarkNotificationsReadBody = Type.Union(
  [
    Type.Object({ ids: Type.Array(Uuid, { minItems: 1, maxItems: 100, uniqueItems: true }) }, { additionalProperties: false }),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
  ],
  { description: 'these notifications, or all of mine' },
)
export type MarkNotificationsReadBody = Static<typeof MarkNotificationsReadBody>

export const MarkNotificationsReadResult = Type.Object({
  updated: Type.Integer({ minimum: 0, description: 'how many were unread and are read now' }),
  unreadCount: Type.Integer({ minimum: 0 }),
})
export type MarkNotificationsReadResult = Static<typeof MarkNotificationsReadResult>

export const NotificationPreferenceSwitch = Type.Object(
  { category: Category, channel: Channel, enabled: Type.Boolean() },
  { additionalProperties: false },
)
export type NotificationPreferenceSwitch = Static<typeof NotificationPreferenceSwitch>

const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: "HH:MM in the user's own time zone" })
export const QuietHours = Type.Union(
  [Type.Object({ start: LocalTime, end: LocalTime }, { additionalProperties: false }), Type.Null()],
  { description: 'non-urgent email (requests, reviews, applications, chat) waits until the end; start > end spans midnight; null: none' },
)
export type QuietHours = Static<typeof QuietHours>

export const NotificationPreferences = Type.Object({
  quietHours: QuietHours,
  items: Type.Array(
    Type.Object({
      category: Category,
      transactional: Type.Boolean({ description: 'receipts and refunds: always sent, cannot be switched off' }),
      inApp: Type.Boolean(),
      email: Type.Boolean(),
    }),
  ),
})
export type NotificationPreferences = Static<typeof NotificationPreferences>

export const PutNotificationPreferencesBody = Type.Object(
  {
    items: Type.Optional(Type.Array(NotificationPreferenceSwitch, { minItems: 1, maxItems: NOTIFICATION_CATEGORIES.length * NOTIFICATION_CHANNELS.length })),
    quietHours: Type.Optional(QuietHours),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PutNotificationPreferencesBody = Static<typeof PutNotificationPreferencesBody>

export const AdminNotificationQuery = Type.Object(
  {
    uid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    channel: Type.Optional(Channel),
    emailStatus: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')])),
    before: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)
export type AdminNotificationQuery = Static<typeof AdminNotificationQuery>

export const AdminNotification = Type.Object({
  id: Uuid,
  eventId: Uuid,
  type: Type.String(),
  recipientUid: Type.String(),
  channel: Channel,
  category: Category,
  locale: Type.String(),
  title: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  email: Type.Union([
    Type.Object({
      status: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')]),
      attempts: Type.Integer(),
      to: Type.Union([Type.String(), Type.Null()]),
      lastError: Type.Union([Type.String(), Type.Null()]),
      sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
})
export type AdminNotification = Static<typeof AdminNotification>

export const AdminNotificationPage = Type.Object({
  items: Type.Array(AdminNotification),
  nextBefore: Type.Union([Uuid, Type.Null()]),
  emailCounts: Type.Record(Type.String(), Type.Integer(), { description: 'emails per status' }),
})
export type AdminNotificationPage = Static<typeof AdminNotificationPage>

export const UnsubscribeQuery = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 2048, description: 'the signed token of the link' }) },
  { additionalProperties: false },
)
export type UnsubscribeQuery = Static<typeof UnsubscribeQuery>

export const UnsubscribeResult = Type.Object({
  category: Category,
  unsubscribed: Type.Boolean({ description: "whether this category's email is off for the link's owner" }),
})
export type UnsubscribeResult = Static<typeof UnsubscribeResult>
