import type { ChatMirror } from '../mirror/mirror.ts'
import type { RoomsFirestore } from '../rooms/rooms.firestore.ts'

/**
 * catalog.user.deleted in chat: the messages the person wrote stay in their rooms (the other member's
 * history keeps its shape) with their text blanked — in Firestore, which members read directly, and in
 * the mirror, which keeps the text of hidden messages for moderators. Firestore first: both steps are
 * idempotent, so a failure anywhere retries the whole erasure. Room membership (a uid) stays.
 */
export class ChatErasure {
  readonly #mirror: ChatMirror
  readonly #rooms: RoomsFirestore
  constructor(mirror: ChatMirror, rooms: RoomsFirestore) {
    this.#mirror = mirror
    this.#rooms = rooms
  }

  async onUserDeleted(uid: string): Promise<{ firestore: number; mirror: number }> {
    const firestore = await this.#rooms.eraseAuthor(uid)
    const mirror = await this.#mirror.eraseAuthor(uid)
    return { firestore, mirror }
  }
}
