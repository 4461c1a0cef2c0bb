import type { Firestore } from 'firebase-admin/firestore'

/** `videoRooms/{bookingId}`: who may signal in the room and when (firestore.rules reads it). */
export interface VideoRoomDoc {
  bookingId: string
  menteeUid: string
  mentorUid: string
  opensAt: Date
  closesAt: Date
}

/** gRPC NOT_FOUND, as firebase-admin reports an update of a missing document */
const NOT_FOUND = 5

/**
 * The rooms' signalling documents in Firestore (the only code writing them; the Admin SDK bypasses the
 * rules). Browsers write their peers and signals under the room; the rules let them only while it is
 * open and inside its window.
 */
export class VideoRoomsFirestore {
  readonly #db: () => Firestore
  /** `db` is called at the first write: the service loads firebase-admin only then (service-kit/firestore) */
  constructor(db: () => Firestore) {
    this.#db = db
  }

  #doc(bookingId: string) {
    return this.#db().collection('videoRooms').doc(bookingId)
  }

  /** Creates or refreshes the room, open. */
  async open(r: VideoRoomDoc): Promise<void> {
    await this.#doc(r.bookingId).set({
      members: [r.menteeUid, r.mentorUid],
      menteeUid: r.menteeUid,
      mentorUid: r.mentorUid,
      // the Admin SDK stores a Date as a Firestore timestamp (what firestore.rules compares with request.time)
      opensAt: r.opensAt,
      closesAt: r.closesAt,
      status: 'open',
    })
  }

  /** Closes the room if there is one (a booking nobody entered has none). Idempotent. */
  async close(bookingId: string): Promise<void> {
    try {
      await this.#doc(bookingId).update({ status: 'closed' })
    } catch (err) {
      if ((err as { code?: unknown }).code !== NOT_FOUND) throw err
    }
  }
}
