import { Type, type Static } from 'typebox'

/** Bounds shared by the API, the Firestore rules (deploy/firebase/firestore.rules) and the mirror. */
export const CHAT_LIMITS = {
  /** characters of one message; the rules refuse longer ones */
  text: 2000,
  pageDefault: 30,
  pageMax: 100,
  searchMax: 100,
  query: 200,
  reason: 500,
} as const
const L = CHAT_LIMITS

const id = (description: string) => Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description })

export const ChatMessage = Type.Object({
  id: Type.String({ description: 'Firestore document id' }),
  roomId: Type.String(),
  authorUid: Type.Union([Type.String(), Type.Null()], { description: 'null for system messages' }),
  type: Type.Union([Type.Literal('user'), Type.Literal('system')]),
  text: Type.Union([Type.String(), Type.Null()], { description: 'null when hidden by a moderator' }),
  hidden: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type ChatMessage = Static<typeof ChatMessage>

export const ChatRoom = Type.Object({
  id: Type.String({ description: 'Firestore room id (the match id)' }),
  matchId: Type.String(),
  members: Type.Array(Type.String(), { description: 'Firebase uids' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  createdAt: Type.String({ format: 'date-time' }),
  lastMessage: Type.Union([ChatMessage, Type.Null()]),
  unread: Type.Integer({ minimum: 0, description: "the caller's unread messages" }),
})
export type ChatRoom = Static<typeof ChatRoom>

export const ChatRoomList = Type.Object({ items: Type.Array(ChatRoom) })
export type ChatRoomList = Static<typeof ChatRoomList>

export const RoomParams = Type.Object({ id: id('room id') }, { additionalProperties: false })
export type RoomParams = Static<typeof RoomParams>

export const MessagesQuery = Type.Object(
  {
    before: Type.Optional(id('id of the oldest message already shown; newer ones are not returned')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: L.pageMax, default: L.pageDefault })),
  },
  { additionalProperties: false },
)
export type MessagesQuery = Static<typeof MessagesQuery>

/** Newest first; pass `nextBefore` as `before` for the page before it (null: no older messages). */
export const MessagePage = Type.Object({
  items: Type.Array(ChatMessage),
  nextBefore: Type.Union([Type.String(), Type.Null()]),
})
export type MessagePage = Static<typeof MessagePage>

export const ReadReceipt = Type.Object({ roomId: Type.String(), unread: Type.Integer({ minimum: 0 }) })
export type ReadReceipt = Static<typeof ReadReceipt>

export const MessageSearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: L.query, pattern: '\\S', description: 'words; a message matches when it contains them' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: L.searchMax, default: 50 })),
  },
  { additionalProperties: false },
)
export type MessageSearchQuery = Static<typeof MessageSearchQuery>

/** Admin view: hidden messages keep their text. */
export const AdminChatMessage = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  authorUid: Type.Union([Type.String(), Type.Null()]),
  type: Type.Union([Type.Literal('user'), Type.Literal('system')]),
  text: Type.String(),
  hidden: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type AdminChatMessage = Static<typeof AdminChatMessage>

export const AdminMessageSearchResult = Type.Object({ items: Type.Array(AdminChatMessage) })
export type AdminMessageSearchResult = Static<typeof AdminMessageSearchResult>

export const HideMessageParams = Type.Object({ roomId: id('room id'), messageId: id('message id') }, { additionalProperties: false })
export type HideMessageParams = Static<typeof HideMessageParams>

export const HideMessageBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: L.reason, pattern: '\\S' }) },
  { additionalProperties: false },
)
export type HideMessageBody = Static<typeof HideMessageBody>
