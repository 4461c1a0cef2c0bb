import { Timestamp, type DocumentSnapshot } from 'firebase-admin/firestore'
import type { MirrorMessage, MirrorRoom } from '../mirror/mirror.ts'

// Firestore documents → mirror records. Rules guard what browsers write, but the Admin SDK and
// older app versions are not bound by them: anything malformed is reported as null, not guessed.

const isTimestamp = (v: unknown): v is Timestamp => v instanceof Timestamp
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

export function toMirrorRoom(doc: DocumentSnapshot): MirrorRoom | null {
  const d = doc.data()
  if (!d) return null
  if (!isStringArray(d.members) || typeof d.matchId !== 'string' || !isTimestamp(d.createdAt)) return null
  if (d.status !== 'open' && d.status !== 'closed') return null
  return {
    id: doc.id,
    matchId: d.matchId,
    members: d.members,
    status: d.status,
    createdAt: d.createdAt.toDate(),
    closedAt: isTimestamp(d.closedAt) ? d.closedAt.toDate() : null,
  }
}

export function toMirrorMessage(doc: DocumentSnapshot): MirrorMessage | null {
  const d = doc.data()
  const roomId = doc.ref.parent.parent?.id
  if (!d || !roomId) return null
  if (d.type !== 'user' && d.type !== 'system') return null
  if (typeof d.text !== 'string' || !isTimestamp(d.createdAt) || !isTimestamp(d.updatedAt)) return null
  if (!(typeof d.authorUid === 'string' || (d.authorUid === null && d.type === 'system'))) return null
  return {
    id: doc.id,
    roomId,
    authorUid: d.authorUid,
    type: d.type,
    text: d.text,
    hidden: d.hidden === true,
    createdAt: d.createdAt.toDate(),
    updatedAt: d.updatedAt.toDate(),
  }
}

/** The updatedAt of a change, for the checkpoint (null when missing). */
export function updatedAtOf(doc: DocumentSnapshot): Timestamp | null {
  const v: unknown = doc.get('updatedAt')
  return isTimestamp(v) ? v : null
}
