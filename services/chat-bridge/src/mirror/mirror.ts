/**
 * The chat mirror: what the platform reads instead of Firestore (history, rooms with unread
 * counts, search, moderation). Firestore stays the source of truth; the sync writes here with
 * upserts keyed by Firestore ids, so replaying any stretch of changes is harmless.
 *
 * Two implementations pass one contract suite (test/mirror-contract.test.ts): MongoDB when
 * MONGO_URL is set, Postgres (the service's own schema) otherwise.
 */

export type RoomStatus = 'open' | 'closed'
export type MessageType = 'user' | 'system'

export interface MirrorRoom {
  id: string
  matchId: string
  members: string[]
  status: RoomStatus
  createdAt: Date
  closedAt: Date | null
}

export interface MirrorMessage {
  id: string
  roomId: string
  authorUid: string | null
  type: MessageType
  text: string
  hidden: boolean
  createdAt: Date
  /** Firestore's updatedAt of this version (the sync's ordering field) */
  updatedAt: Date
}

export interface RoomSummary extends MirrorRoom {
  lastMessage: MirrorMessage | null
  /** the asking member's unread user messages */
  unread: number
}

export interface Checkpoint {
  /** every change with updatedAt before this was mirrored */
  position: Date
}

export interface ChatMirror {
  readonly kind: 'postgres' | 'mongo'
  /** Inserts or replaces the room's own fields; last message and unread counts are kept. */
  upsertRoom(room: MirrorRoom): Promise<void>
  /**
   * Inserts or updates by (roomId, id). Once hidden, a message stays hidden and keeps the text
   * it had (Firestore blanks it on hide). Only a first insert moves the room's last message and
   * raises the other members' unread counts (user messages that are not hidden).
   */
  upsertMessage(message: MirrorMessage): Promise<{ inserted: boolean }>
  /** upsertMessage for each, in order, in one transaction where the store has them; the ids first inserted. */
  upsertMessages(messages: readonly MirrorMessage[]): Promise<{ inserted: string[] }>
  getRoom(roomId: string): Promise<MirrorRoom | null>
  /** The member's rooms, most recent activity first. */
  listRooms(uid: string, limit: number): Promise<RoomSummary[]>
  /**
   * Newest first; `before` is a message id of the room: only older messages (by createdAt, then
   * id) are returned. null when `before` is not a message of the room.
   */
  listMessages(roomId: string, opts: { before?: string | undefined; limit: number }): Promise<MirrorMessage[] | null>
  getMessage(roomId: string, messageId: string): Promise<MirrorMessage | null>
  /** Sets the member's unread count to 0; false when uid is not a member of the room. */
  markRead(roomId: string, uid: string, at: Date): Promise<boolean>
  /** Messages containing every word of `query` (whole words, case-insensitive), newest first. */
  searchMessages(query: string, limit: number): Promise<MirrorMessage[]>
  /** Marks the message hidden; null when it is not mirrored. */
  hideMessage(roomId: string, messageId: string, at: Date): Promise<MirrorMessage | null>
  /** Marks the message visible again (its text was kept); null when it is not mirrored. */
  unhideMessage(roomId: string, messageId: string, at: Date): Promise<MirrorMessage | null>
  /**
   * Blanks the text of every message `uid` wrote, hidden ones too (their kept text as well): the
   * author deleted their account (catalog.user.deleted). The messages stay (the room's history keeps
   * its shape); returns how many were blanked now. Idempotent.
   */
  eraseAuthor(uid: string): Promise<number>
  getCheckpoint(name: string): Promise<Checkpoint | null>
  /** Moves the checkpoint forward (never back: a late writer cannot undo progress). */
  setCheckpoint(name: string, checkpoint: Checkpoint): Promise<void>
  close(): Promise<void>
}

/** Whitespace-separated words of a search, without empties. */
export const searchWords = (query: string): string[] => query.split(/\s+/u).filter(Boolean)
