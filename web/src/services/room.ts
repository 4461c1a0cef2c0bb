// meeting's video room: the room (credentials, ICE servers, the room token) and attendance over HTTP;
// the signalling of the call in Firestore (videoRooms/{bookingId}: peers/{uid} and signals/*), as
// deploy/firebase/firestore.rules allow the booking's two members while the room is open.
import type { RoomAccess } from '@sunbae/contracts'
import { addDoc, collection, doc, onSnapshot, query, serverTimestamp, setDoc, Timestamp, where } from 'firebase/firestore'
import { db } from '../firestore.ts'
import { currentAuth } from '../auth/firebase-loader.ts'
import { post } from './http.ts'

const enc = encodeURIComponent

/** POST /api/meetings/bookings/:id/room's answer */
export type Room = RoomAccess

export type Presence = 'joined' | 'left'

// POST /api/meetings/bookings/:id/room — fresh credentials and token each time
export const openRoom = (bookingId: string) => post<Room>(`/api/meetings/bookings/${enc(bookingId)}/room`, {})
// POST /api/meetings/bookings/:id/room/presence
export const recordPresence = (bookingId: string, roomToken: string, state: Presence) =>
  post<null>(`/api/meetings/bookings/${enc(bookingId)}/room/presence`, { roomToken, state })

/** The signed-in user's ID token now, for `leaveBeacon` (which cannot wait for one). */
export async function bearerNow(): Promise<string | null> {
  const user = (await currentAuth())?.currentUser
  return user ? user.getIdToken() : null
}

/**
 * POST …/room/presence `left` from pagehide: a keepalive fetch (sendBeacon cannot carry the bearer)
 * that outlives the page, with a token fetched beforehand since nothing can be awaited there.
 */
export function leaveBeacon(bookingId: string, roomToken: string, bearer: string): void {
  void fetch(`/api/meetings/bookings/${enc(bookingId)}/room/presence`, {
    method: 'POST',
    keepalive: true,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ roomToken, state: 'left' }),
  }).catch(() => {})
}

// ---- signalling (Firestore) ---------------------------------------------------------------------

export type SignalType = 'offer' | 'answer' | 'candidate' | 'bye'

export interface Signal {
  /** the sender's session (one per join) */
  sessionId: string
  type: SignalType
  sdp?: string
  candidate?: RTCIceCandidateInit
}

export interface PeerPresence {
  sessionId: string
  state: Presence
}

/** One side of a room's signalling: what the call (services/room-call.ts) sends and listens to. */
export interface Signalling {
  send(signal: Omit<Signal, 'sessionId'>): Promise<void>
  /** the other person's signals to me, from the moment the listener is in place (the past is history) */
  watchSignals(on: (s: Signal) => void, onError: (err: unknown) => void): Promise<() => void>
  /** the other person's presence, now and as it changes (null: never joined) */
  watchPeer(on: (p: PeerPresence | null) => void, onError: (err: unknown) => void): () => void
  /** my presence */
  setPresence(state: Presence): Promise<void>
}

/** Firestore keeps no undefined values: the candidate's JSON without them. */
function candidateMap(c: RTCIceCandidateInit): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {}
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = v as string | number | null
  return out
}

const room = (bookingId: string) => doc(db, 'videoRooms', bookingId)

/** The Firestore signalling of `me` with `peer` in one room, for the session `sessionId`. */
export function firestoreSignalling(bookingId: string, me: string, peer: string, sessionId: string): Signalling {
  return {
    async send(s) {
      await addDoc(collection(room(bookingId), 'signals'), {
        from: me,
        to: peer,
        sessionId,
        type: s.type,
        ...(s.sdp !== undefined ? { sdp: s.sdp } : {}),
        ...(s.candidate ? { candidate: candidateMap(s.candidate) } : {}),
        createdAt: serverTimestamp(),
      })
    },
    watchSignals(on, onError) {
      return new Promise((resolve, reject) => {
        let first = true
        const stop = onSnapshot(
          query(collection(room(bookingId), 'signals'), where('to', '==', me)),
          (snap) => {
            if (first) {
              // what is already there was sent to earlier joins
              first = false
              resolve(stop)
              return
            }
            const added = snap.docChanges().filter((c) => c.type === 'added').map((c) => c.doc.data({ serverTimestamps: 'estimate' }))
            // one snapshot may bring several: in the order they were written
            const at = (v: Record<string, unknown>) => (v.createdAt instanceof Timestamp ? v.createdAt.toMillis() : Number.MAX_SAFE_INTEGER)
            added.sort((a, b) => at(a) - at(b))
            for (const v of added) {
              if (typeof v.sessionId !== 'string' || typeof v.type !== 'string') continue
              on({
                sessionId: v.sessionId,
                type: v.type as SignalType,
                ...(typeof v.sdp === 'string' ? { sdp: v.sdp } : {}),
                ...(v.candidate && typeof v.candidate === 'object' ? { candidate: v.candidate as RTCIceCandidateInit } : {}),
              })
            }
          },
          (err) => {
            if (first) reject(err)
            else onError(err)
          },
        )
      })
    },
    watchPeer(on, onError) {
      return onSnapshot(
        doc(room(bookingId), 'peers', peer),
        (snap) => {
          const v = snap.data()
          on(v && typeof v.sessionId === 'string' && (v.state === 'joined' || v.state === 'left') ? { sessionId: v.sessionId, state: v.state } : null)
        },
        onError,
      )
    },
    async setPresence(state) {
      await setDoc(doc(room(bookingId), 'peers', me), { sessionId, state, updatedAt: serverTimestamp() })
    },
  }
}
