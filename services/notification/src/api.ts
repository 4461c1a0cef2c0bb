import { Type, type Static } from 'typebox'
import { CATEGORIES, CHANNELS } from './messages/categories.ts'

// The notification API's schemas. They move to @sunbae/contracts when the web app uses them.

const Uuid = Type.String({ format: 'uuid' })
const Category = Type.Enum([...CATEGORIES])
const Channel = Type.Enum([...CHANNELS])

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

export const FeedQuery = Type.Object(
  {
    before: Type.Optional(Type.String({ format: 'uuid', description: 'the nextBefore of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)
export type FeedQuery = Static<typeof FeedQuery>

export const FeedPage = Type.Object({
  items: Type.Array(NotificationItem),
  unreadCount: Type.Integer({ minimum: 0 }),
  nextBefore: Type.Union([Uuid, Type.Null()], { description: 'null on the last page' }),
})
export type FeedPage = Static<typeof FeedPage>

export const MarkReadBody = Type.Union(
  [
    Type.Object({ ids: Type.Array(Uuid, { minItems: 1, maxItems: 100, uniqueItems: true }) }, { additionalProperties: false }),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
  ],
  { description: 'these notifications, or all of mine' },
)
export type MarkReadBody = Static<typeof MarkReadBody>

export const MarkReadResult = Type.Object({
  updated: Type.Integer({ minimum: 0, description: 'how many were unread and are read now' }),
  unreadCount: Type.Integer({ minimum: 0 }),
})

export const PreferenceSwitch = Type.Object(
  { category: Category, channel: Channel, enabled: Type.Boolean() },
  { additionalProperties: false },
)
export type PreferenceSwitch = Static<typeof PreferenceSwitch>

const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: "HH:MM in the user's own time zone" })
export const QuietHours = Type.Union(
  [Type.Object({ start: LocalTime, end: LocalTime }, { additionalProperties: false }), Type.Null()],
  { description: 'non-urgent email (requests, reviews, applications, chat) waits until the end; start > end spans midnight; null: none' },
)

export const Preferences = Type.Object({
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
export type Preferences = Static<typeof Preferences>

export const PutPreferencesBody = Type.Object(
  {
    items: Type.Optional(Type.Array(PreferenceSwitch, { minItems: 1, maxItems: CATEGORIES.length * CHANNELS.length })),
    quietHours: Type.Optional(QuietHours),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PutPreferencesBody = Static<typeof PutPreferencesBody>

export const AdminQuery = Type.Object(
  {
    uid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    channel: Type.Optional(Channel),
    emailStatus: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')])),
    before: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)
export type AdminQuery = Static<typeof AdminQuery>

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

export const AdminPage = Type.Object({
  items: Type.Array(AdminNotification),
  nextBefore: Type.Union([Uuid, Type.Null()]),
  emailCounts: Type.Record(Type.String(), Type.Integer(), { description: 'emails per status' }),
})
export type AdminPage = Static<typeof AdminPage>

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
