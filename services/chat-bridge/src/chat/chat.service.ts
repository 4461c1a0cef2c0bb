import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import { ChatEvents, type AdminChatMessage, type ChatMessage, type ChatRoom, type Identity, type MessagePage } from '@sunbae/contracts'
import { actorOf, badRequest, forbidden, notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import type { ChatMirror, MirrorMessage, MirrorRoom } from '../mirror/mirror.ts'
import type { RoomsFirestore } from '../rooms/rooms.firestore.ts'

/** Member view: a hidden message shows that it was hidden, not what it said. */
export const toChatMessage = (m: MirrorMessage): ChatMessage => ({
  id: m.id,
  roomId: m.roomId,
  authorUid: m.authorUid,
  type: m.type,
  text: m.hidden ? null : m.text,
  hidden: m.hidden,
  createdAt: m.createdAt.toISOString(),
})

const toAdminMessage = (m: MirrorMessage): AdminChatMessage => ({
  id: m.id,
  roomId: m.roomId,
  authorUid: m.authorUid,
  type: m.type,
  text: m.text,
  hidden: m.hidden,
  createdAt: m.createdAt.toISOString(),
})

const ROOMS_PER_PAGE = 200

/** What the chat API does, over the mirror (reads) and Firestore (moderation). */
export class ChatService {
  readonly #mirror: ChatMirror
  readonly #rooms: RoomsFirestore
  readonly #db: Database<DB>
  readonly #events: FastifyInstance['events']

  constructor(mirror: ChatMirror, rooms: RoomsFirestore, db: Database<DB>, events: FastifyInstance['events']) {
    this.#mirror = mirror
    this.#rooms = rooms
    this.#db = db
    this.#events = events
  }

  async listRooms(uid: string): Promise<ChatRoom[]> {
    const rooms = await this.#mirror.listRooms(uid, ROOMS_PER_PAGE)
    return rooms.map((r) => ({
      id: r.id,
      matchId: r.matchId,
      members: r.members,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      lastMessage: r.lastMessage ? toChatMessage(r.lastMessage) : null,
      unread: r.unread,
    }))
  }

  async listMessages(caller: Identity, roomId: string, opts: { before?: string | undefined; limit: number }): Promise<MessagePage> {
    await this.#memberRoom(caller, roomId)
    const items = await this.#mirror.listMessages(roomId, opts)
    if (!items) throw badRequest('`before` is not a message of this room', [{ field: 'querystring/before', message: 'unknown message id' }])
    return { items: items.map(toChatMessage), nextBefore: items.length === opts.limit ? items.at(-1)!.id : null }
  }

  /**
   * Marks the room read for the caller in the mirror, then tells the platform (`chat.room.read`:
   * notification closes the caller's unread-chat digest window with it).
   */
  async markRead(caller: Identity, roomId: string): Promise<{ roomId: string; unread: number }> {
    await this.#memberRoom(caller, roomId)
    const readAt = new Date()
    await this.#mirror.markRead(roomId, caller.uid, readAt)
    const meta = { actor: { type: 'user' as const, id: caller.uid, role: caller.role }, subject: { type: 'chat.room', id: roomId } }
    await this.#db.transaction().execute((trx) => this.#events.publish(trx, ChatEvents.roomRead, { roomId, uid: caller.uid, readAt: readAt.toISOString() }, meta))
    this.#events.flushSoon()
    return { roomId, unread: 0 }
  }

  async search(query: string, limit: number): Promise<AdminChatMessage[]> {
    return (await this.#mirror.searchMessages(query, limit)).map(toAdminMessage)
  }

  /** Hides a message from the members (the mirror keeps its text for moderators). */
  hide(admin: Identity, roomId: string, messageId: string, reason: string): Promise<AdminChatMessage> {
    return this.#moderate(admin, roomId, messageId, reason, true)
  }

  /** Shows a hidden message to the members again (its text back from the mirror). */
  unhide(admin: Identity, roomId: string, messageId: string, reason: string): Promise<AdminChatMessage> {
    return this.#moderate(admin, roomId, messageId, reason, false)
  }

  /**
   * Hides or shows a message: in the mirror first (which keeps the text), then the audit event, then
   * in Firestore (text blanked for members, or back). A message already so in both changes nothing
   * and publishes nothing; after a failure in between, doing it again completes it (the audit trail
   * may then hold the attempt twice, but never misses one).
   */
  async #moderate(admin: Identity, roomId: string, messageId: string, reason: string, hide: boolean): Promise<AdminChatMessage> {
    const current = await this.#mirror.getMessage(roomId, messageId)
    if (!current) throw notFound('No such message (or it is not mirrored yet)', 'MESSAGE_NOT_FOUND')
    if (current.hidden === hide && (await this.#rooms.isHidden(roomId, messageId)) === hide) return toAdminMessage(current)
    const at = new Date()
    const changed = (await (hide ? this.#mirror.hideMessage(roomId, messageId, at) : this.#mirror.unhideMessage(roomId, messageId, at)))!
    const about = { roomId, messageId, authorUid: current.authorUid, reason }
    const meta = { actor: actorOf(admin), subject: { type: 'chat.message', id: `${roomId}/${messageId}` } }
    await this.#db.transaction().execute((trx) =>
      hide
        ? this.#events.publish(trx, ChatEvents.messageHidden, { ...about, hiddenBy: admin.uid, hiddenAt: at.toISOString() }, meta)
        : this.#events.publish(trx, ChatEvents.messageUnhidden, { ...about, unhiddenBy: admin.uid, unhiddenAt: at.toISOString() }, meta),
    )
    this.#events.flushSoon()
    const inFirestore = hide ? await this.#rooms.hideMessage(roomId, messageId) : await this.#rooms.unhideMessage(roomId, messageId, current.text)
    if (!inFirestore) throw notFound('The message no longer exists in Firestore', 'MESSAGE_NOT_FOUND')
    return toAdminMessage(changed)
  }

  async #memberRoom(caller: Identity, roomId: string): Promise<MirrorRoom> {
    const room = await this.#mirror.getRoom(roomId)
    if (!room) throw notFound('No such chat room', 'ROOM_NOT_FOUND')
    if (!room.members.includes(caller.uid)) throw forbidden('Only the members of this chat room can do this', 'NOT_A_MEMBER')
    return room
  }
}
