import { Type, type Static } from 'typebox'
import { defineEvent } from './define.ts'

/**
 * A member's message reached the mirror (published once per Firestore message id, whichever
 * replica mirrored it). Tracking and audit consume it; the text is not carried, only its size.
 */
export const MessagePostedV1 = Type.Object({
  roomId: Type.String(),
  matchId: Type.String(),
  messageId: Type.String({ description: 'the Firestore document id' }),
  authorUid: Type.String(),
  recipientUids: Type.Array(Type.String()),
  length: Type.Integer({ minimum: 0, description: 'characters of text' }),
  postedAt: Type.String({ format: 'date-time' }),
})
export type MessagePostedV1 = Static<typeof MessagePostedV1>
const messagePosted = defineEvent('chat.message.posted', MessagePostedV1)

/** An admin hid a message (moderation audit trail); it stays hidden in Firestore and the mirror. */
export const MessageHiddenV1 = Type.Object({
  roomId: Type.String(),
  messageId: Type.String(),
  authorUid: Type.Union([Type.String(), Type.Null()]),
  hiddenBy: Type.String({ description: "the admin's uid" }),
  reason: Type.String(),
  hiddenAt: Type.String({ format: 'date-time' }),
})
export type MessageHiddenV1 = Static<typeof MessageHiddenV1>
const messageHidden = defineEvent('chat.message.hidden', MessageHiddenV1)

/** An admin made a hidden message visible again (its text back in Firestore), with why. */
export const MessageUnhiddenV1 = Type.Object({
  roomId: Type.String(),
  messageId: Type.String(),
  authorUid: Type.Union([Type.String(), Type.Null()]),
  unhiddenBy: Type.String({ description: "the admin's uid" }),
  reason: Type.String(),
  unhiddenAt: Type.String({ format: 'date-time' }),
})
export type MessageUnhiddenV1 = Static<typeof MessageUnhiddenV1>
const messageUnhidden = defineEvent('chat.message.unhidden', MessageUnhiddenV1)

/**
 * A member read a room up to now (chat-bridge's POST /api/chat/rooms/:id/read). Notification's unread
 * digest: whoever read a room is not mailed about its messages.
 */
export const RoomReadV1 = Type.Object({
  roomId: Type.String(),
  uid: Type.String(),
  readAt: Type.String({ format: 'date-time' }),
})
export type RoomReadV1 = Static<typeof RoomReadV1>
const roomRead = defineEvent('chat.room.read', RoomReadV1)

/** The chat events, each defined beside its schema above. */
export const ChatEvents = {
  messagePosted, messageHidden, messageUnhidden, roomRead,
}
