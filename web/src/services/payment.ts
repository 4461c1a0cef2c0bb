// payment: the payment of a held booking (create, confirm with a card token, the provider's
// authentication step, cancel), my payments, a mentor's earnings, and the admin list. Every POST
// carries an Idempotency-Key made once per user action (lib/payments.ts `ActionKeys`).
import type { Earnings, Payment, PaymentList, PaymentProviderName, PaymentProviders, PaymentState } from '@sunbae/contracts'
import { get, request } from './http.ts'

const enc = encodeURIComponent
const keyed = (key: string) => ({ 'idempotency-key': key })

// POST /api/payments {bookingId, provider?} — the payment of my held booking (200 existing, 201 created); `provider` moves one not started yet
export const createPayment = (bookingId: string, key: string, provider?: PaymentProviderName) =>
  request<Payment>('POST', '/api/payments', { body: provider ? { bookingId, provider } : { bookingId }, headers: keyed(key) })
// GET /api/payments/providers — the providers I may pay with (the first taking a payment's currency is its default), the currencies each takes and their browser SDK keys
export const paymentProviders = () => get<PaymentProviders>('/api/payments/providers')
// POST /api/payments/:id/confirm {cardToken}
export const confirmPayment = (id: string, cardToken: string, key: string) =>
  request<Payment>('POST', `/api/payments/${enc(id)}/confirm`, { body: { cardToken }, headers: keyed(key) })
// POST /api/payments/:id/authenticate {outcome}
export const authenticatePayment = (id: string, outcome: 'approve' | 'deny', key: string) =>
  request<Payment>('POST', `/api/payments/${enc(id)}/authenticate`, { body: { outcome }, headers: keyed(key) })
// POST /api/payments/:id/cancel
export const cancelPayment = (id: string, key: string) => request<Payment>('POST', `/api/payments/${enc(id)}/cancel`, { headers: keyed(key) })
// GET /api/payments/:id
export const getPayment = (id: string) => get<Payment>(`/api/payments/${enc(id)}`)
// GET /api/payments/mine?limit=
export const myPayments = (limit = 100) => get<PaymentList>('/api/payments/mine', { limit })
// GET /api/payments/earnings
export const myEarnings = () => get<Earnings>('/api/payments/earnings')
// GET /api/admin/payments?state=&bookingId=&limit=
export const adminPayments = (q: { state?: PaymentState | undefined; bookingId?: string | undefined; limit?: number | undefined }) =>
  get<PaymentList>('/api/admin/payments', q)
