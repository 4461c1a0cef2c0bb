import { FieldValue, type Firestore } from 'firebase-admin/firestore'

/**
 * The Firestore layout the web app, firestore.rules and the sync share:
 *   rooms/{roomId}                      { members, mentorUid, menteeUid, matchId, status, createdAt, updatedAt, closedAt }
 *   rooms/{roomId}/messages/{messageId} { authorUid, text, type, createdAt, updatedAt, hidden? }
 * updatedAt is always the server's commit time: the sync reads changes in updatedAt order.
 */
export const ROOMS = 'rooms'
export const MESSAGES = 'messages'

/** Ids of the system messages chat-bridge writes: fixed, so writing them twice is detectable. */
export const SYSTEM_MESSAGE_IDS = { opened: 'system-opened', closed: 'system-closed' } as const

export const SYSTEM_TEXT = {
  opened: '멘토가 요청을 수락했어요. 대화를 시작해 보세요! · The mentor accepted: say hello!',
  closed: '매칭이 종료되어 대화가 닫혔어요. · The match ended: this chat is now read-only.',
} as const

// gRPC status codes as firebase-admin reports them
const ALREADY_EXISTS = 6
const NOT_FOUND = 5
const grpcCode = (err: unknown) => (err as { code?: unknown } | null)?.code

export interface OpenRoomInput {
  matchId: string
  requestId: string
  mentorUid: string
  menteeUid: string
}

/** Opening and closing rooms, and hiding messages, with firebase-admin. */
export class RoomsFirestore {
  readonly #fs: Firestore

  constructor(firestore: Firestore) {
    this.#fs = firestore
  }

  /**
   * Creates the room (id = match id) and its first system message in one batch of `create`s,
   * which fails as a whole with ALREADY_EXISTS when the room is there: a redelivered event, or a
   * retry after a crash between this write and the consumer's commit, creates nothing twice.
   * Returns false when the room already existed.
   */
  async openRoom(input: OpenRoomInput): Promise<boolean> {
    const room = this.#fs.collection(ROOMS).doc(input.matchId)
    const batch = this.#fs.batch()
    batch.create(room, {
      members: [input.mentorUid, input.menteeUid],
      mentorUid: input.mentorUid,
      menteeUid: input.menteeUid,
      matchId: input.matchId,
      requestId: input.requestId,
      status: 'open',
      createdAt: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
      closedAt: null,
    })
    batch.create(room.collection(MESSAGES).doc(SYSTEM_MESSAGE_IDS.opened), {
      authorUid: null,
      type: 'system',
      text: SYSTEM_TEXT.opened,
      createdAt: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
    })
    try {
      await batch.commit()
      return true
    } catch (err) {
      if (grpcCode(err) === ALREADY_EXISTS) return false
      throw err
    }
  }

  /**
   * Makes the room read-only (the rules refuse posts unless status is 'open') with a closing
   * system message. 'missing' when no room exists for the match, 'already' when it was closed.
   */
  async closeRoom(matchId: string): Promise<'closed' | 'already' | 'missing'> {
    const room = this.#fs.collection(ROOMS).doc(matchId)
    const batch = this.#fs.batch()
    batch.update(room, { status: 'closed', closedAt: FieldValue.serverTimestamp(), updatedAt: FieldValue.serverTimestamp() })
    batch.create(room.collection(MESSAGES).doc(SYSTEM_MESSAGE_IDS.closed), {
      authorUid: null,
      type: 'system',
      text: SYSTEM_TEXT.closed,
      createdAt: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
    })
    try {
      await batch.commit()
      return 'closed'
    } catch (err) {
      if (grpcCode(err) === ALREADY_EXISTS) return 'already'
      if (grpcCode(err) === NOT_FOUND) return 'missing'
      throw err
    }
  }

  async isHidden(roomId: string, messageId: string): Promise<boolean> {
    const doc = await this.#fs.collection(ROOMS).doc(roomId).collection(MESSAGES).doc(messageId).get()
    return doc.get('hidden') === true
  }

  /**
   * Hides a message for members: its text is blanked in Firestore (members read Firestore
   * directly, so a flag alone would not hide anything); the mirror keeps it for moderators, and
   * who hid it and why go to the audit event, not to a document members can read.
   * false when the message does not exist.
   */
  /** Shows a hidden message again: its text (kept by the mirror) back in Firestore. false when it does not exist. */
  async unhideMessage(roomId: string, messageId: string, text: string): Promise<boolean> {
    try {
      await this.#fs.collection(ROOMS).doc(roomId).collection(MESSAGES).doc(messageId).update({
        hidden: false,
        text,
        hiddenAt: FieldValue.delete(),
        updatedAt: FieldValue.serverTimestamp(),
      })
      return true
    } catch (err) {
      if (grpcCode(err) === NOT_FOUND) return false
      throw err
    }
  }

  /**
   * A deleted account (catalog.user.deleted): the text of every message it wrote is blanked in every
   * room, for the other members as in the mirror (the sync carries the change). Idempotent.
   */
  async eraseAuthor(uid: string): Promise<number> {
    const written = await this.#fs.collectionGroup(MESSAGES).where('authorUid', '==', uid).get()
    const docs = written.docs.filter((d) => d.get('text') !== '' || d.get('erased') !== true)
    for (let i = 0; i < docs.length; i += 400) {
      const batch = this.#fs.batch()
      for (const d of docs.slice(i, i + 400)) batch.update(d.ref, { text: '', erased: true, updatedAt: FieldValue.serverTimestamp() })
      await batch.commit()
    }
    return docs.length
  }

  async hideMessage(roomId: string, messageId: string): Promise<boolean> {
    try {
      await this.#fs.collection(ROOMS).doc(roomId).collection(MESSAGES).doc(messageId).update({
        hidden: true,
        text: '',
        hiddenAt: FieldValue.serverTimestamp(),
        updatedAt: FieldValue.serverTimestamp(),
      })
      return true
    } catch (err) {
      if (grpcCode(err) === NOT_FOUND) return false
      throw err
    }
  }
}
