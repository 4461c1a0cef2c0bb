// Admin operations of issue 21 outside the catalog: bookings (meeting), chat requests and matches
// (matching), refunds (payment), unhiding a chat message (chat-bridge), dead letters (tracking).
import type {
  AdminBookingDetail,
  AdminBookingList,
  AdminChatMessage,
  BookingState,
  CancelledBy,
  ChatRequest,
  DeadLetterDetail,
  DeadLettersPage,
  Match,
  Paged,
  Payment,
  RedriveResult,
  RequestState,
} from '@sunbae/contracts'
import { get, post, request } from './http.ts'

export interface AdminListFilter {
  state?: string | undefined
  mentorUid?: string | undefined
  menteeUid?: string | undefined
  from?: string | undefined
  to?: string | undefined
  page: number
  pageSize: number
}

// GET /api/admin/meetings/bookings?state=&mentorUid=&menteeUid=&from=&to=&page=&pageSize=
export const adminBookings = (q: AdminListFilter & { state?: BookingState | undefined }) => get<AdminBookingList>('/api/admin/meetings/bookings', { ...q })
// GET /api/admin/meetings/bookings/:id
export const adminBooking = (id: string) => get<AdminBookingDetail>(`/api/admin/meetings/bookings/${encodeURIComponent(id)}`)
// POST /api/admin/meetings/bookings/:id/cancel
export const adminCancelBooking = (id: string, onBehalfOf: CancelledBy, reason: string) =>
  post<AdminBookingDetail>(`/api/admin/meetings/bookings/${encodeURIComponent(id)}/cancel`, { onBehalfOf, reason })

// GET /api/admin/matching/requests?state=&mentorUid=&menteeUid=&from=&to=&page=&pageSize=
export const adminChatRequests = (q: AdminListFilter & { state?: RequestState | undefined }) => get<Paged<ChatRequest>>('/api/admin/matching/requests', { ...q })
// GET /api/admin/matching/matches?state=&mentorUid=&menteeUid=&from=&to=&page=&pageSize=
export const adminMatches = (q: AdminListFilter & { state?: 'active' | 'ended' | undefined }) => get<Paged<Match>>('/api/admin/matching/matches', { ...q })
// POST /api/admin/matching/matches/:id/end
export const adminEndMatch = (id: string, reason: string) => post<Match>(`/api/admin/matching/matches/${encodeURIComponent(id)}/end`, { reason })

// POST /api/admin/payments/:id/refunds (Idempotency-Key: one per refund the admin means, kept across retries)
export const adminRefund = (paymentId: string, body: { amount?: number; reason: string }, key: string) =>
  request<Payment>('POST', `/api/admin/payments/${encodeURIComponent(paymentId)}/refunds`, { body, headers: { 'idempotency-key': key } })

// POST /api/admin/chat/rooms/:roomId/messages/:messageId/unhide
export const unhideMessage = (roomId: string, messageId: string, reason: string) =>
  post<AdminChatMessage>(`/api/admin/chat/rooms/${encodeURIComponent(roomId)}/messages/${encodeURIComponent(messageId)}/unhide`, { reason })

// GET /api/admin/dead-letters?durable=&subject=&afterSeq=&limit=
export const deadLetters = (q: { durable?: string | undefined; subject?: string | undefined; afterSeq?: number | undefined }) => get<DeadLettersPage>('/api/admin/dead-letters', { ...q, limit: 50 })
// GET /api/admin/dead-letters/:seq
export const deadLetter = (seq: number) => get<DeadLetterDetail>(`/api/admin/dead-letters/${seq}`)
// POST /api/admin/dead-letters/redrive
export const redrive = (seqs: number[], reason: string) => post<RedriveResult>('/api/admin/dead-letters/redrive', { seqs, reason })
