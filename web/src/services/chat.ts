// chat-bridge: rooms and history over HTTP; live messages and sending go to Firestore directly
// (rooms/{roomId}/messages), as deploy/firebase/firestore.rules allow for room members.
import type { AdminChatMessage, AdminMessageSearchResult, ChatMessage, ChatRoomList, MessagePage, ReadReceipt } from '@sunbae/contracts'
import { addDoc, collection, limit, onSnapshot, orderBy, query, serverTimestamp, Timestamp } from 'firebase/firestore'
import { db } from '../firestore.ts'
import { get, post } from './http.ts'

const enc = encodeURIComponent

// GET /api/chat/rooms
export const listRooms = () => get<ChatRoomList>('/api/chat/rooms')
// GET /api/chat/rooms/:id/messages?before=&limit=
export const roomMessages = (id: string, before?: string) => get<MessagePage>(`/api/chat/rooms/${enc(id)}/messages`, { before, limit: 30 })
// POST /api/chat/rooms/:id/read
export const markRead = (id: string) => post<ReadReceipt>(`/api/chat/rooms/${enc(id)}/read`)
// GET /api/admin/chat/messages?q=&limit=
export const searchAllMessages = (q: string, limit = 50) => get<AdminMessageSearchResult>('/api/admin/chat/messages', { q, limit })
// POST /api/admin/chat/rooms/:roomId/messages/:messageId/hide
export const hideMessage = (roomId: string, messageId: string, reason: string) =>
  post<AdminChatMessage>(`/api/admin/chat/rooms/${enc(roomId)}/messages/${enc(messageId)}/hide`, { reason })

/** Firestore rooms/{id}/messages: create one user message (the rules check author, size, server time). */
export const sendMessage = (roomId: string, authorUid: string, text: string) =>
  addDoc(collection(db, 'rooms', roomId, 'messages'), { authorUid, text, type: 'user', createdAt: serverTimestamp(), updatedAt: serverTimestamp() })

/** Firestore rooms/{id}/messages, live: the newest messages as they arrive (and our own at once). */
export function watchMessages(roomId: string, onMessages: (m: ChatMessage[]) => void, onError: (err: unknown) => void): () => void {
  const q = query(collection(db, 'rooms', roomId, 'messages'), orderBy('createdAt', 'desc'), limit(30))
  return onSnapshot(
    q,
    (snap) => {
      onMessages(
        snap.docs.map((d) => {
          const v = d.data({ serverTimestamps: 'estimate' })
          const at = v.createdAt instanceof Timestamp ? v.createdAt.toDate() : new Date()
          const hidden = v.hidden === true
          return {
            id: d.id,
            roomId,
            authorUid: typeof v.authorUid === 'string' ? v.authorUid : null,
            type: v.type === 'system' ? 'system' : 'user',
            text: hidden ? null : typeof v.text === 'string' ? v.text : null,
            hidden,
            createdAt: at.toISOString(),
          }
        }),
      )
    },
    onError,
  )
}
