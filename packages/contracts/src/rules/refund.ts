// Pure domain rules of meeting that the service and the web must agree on: the price of a session
// and the refund a cancellation earns. No clock, no I/O: `now` is always passed in.
import type { RefundTerms } from '../api/meeting.ts'
import type { CancelledBy, Refund } from '../events/meeting.ts'

const HOUR = 3_600_000

/** Price of a session: pricePerHour × minutes / 60, rounded (KRW has no minor unit). */
export const sessionPrice = (pricePerHour: number, minutes: number): number => Math.round((pricePerHour * minutes) / 60)

/** A mentor's cancellation policy (the part of their availability that decides refunds). */
export interface RefundPolicy {
  fullRefundHours: number
  partialRefundHours: number
  partialRefundPercent: number
}

/** The terms a first booking starts with: the mentor's policy as it is then, nothing spent yet. */
export const initialRefundTerms = (p: RefundPolicy): RefundTerms => ({
  fullRefundHours: p.fullRefundHours,
  partialRefundHours: p.partialRefundHours,
  partialRefundPercent: p.partialRefundPercent,
  capPercent: 100,
  movedByMentor: false,
})

/** The percent a policy alone gives a mentee cancelling `msBefore` the start: 100 / partial / 0. */
export function policyPercent(p: RefundPolicy, msBefore: number): number {
  if (msBefore >= p.fullRefundHours * HOUR) return 100
  if (msBefore >= p.partialRefundHours * HOUR && p.partialRefundPercent > 0) return p.partialRefundPercent
  return 0
}

/**
 * The percent of the price a cancellation of a session starting at `start` earns at `now`.
 * - The mentor cancelling refunds in full, always.
 * - A mentee gets what the policy of the session as first booked gives for the notice they give,
 *   but never more than `capPercent`: what they would have got by cancelling, instead of
 *   rescheduling, each time they moved the session themselves. So a move never buys a refund back.
 * - If the mentor made the last move, the mentee may leave with `capPercent` whatever the notice:
 *   a change the mentor made costs the mentee nothing.
 */
export function refundPercent(terms: RefundTerms, start: number, by: CancelledBy, now: number): number {
  if (by === 'mentor') return 100
  if (terms.movedByMentor) return terms.capPercent
  return Math.min(terms.capPercent, policyPercent(terms, start - now))
}

/**
 * The terms the new session carries when a session starting at `oldStart` is rescheduled at `now`.
 * A mentee's move spends the notice they had: the cap becomes what cancelling right then would have
 * earned. The mentor's move keeps the cap and waives the notice (see refundPercent).
 */
export function termsAfterReschedule(terms: RefundTerms, oldStart: number, by: CancelledBy, now: number): RefundTerms {
  if (by === 'mentor') return { ...terms, movedByMentor: true }
  return { ...terms, capPercent: refundPercent(terms, oldStart, 'mentee', now), movedByMentor: false }
}

export interface RefundableSession {
  /** the price paid (0: a free session) */
  price: number
  currency: string
  paymentId: string | null
  /** start, epoch ms or ISO 8601 */
  start: number | string
  refundTerms: RefundTerms
}

/**
 * The refund of cancelling a paid, confirmed session at `now` (null: nothing was paid). The amount
 * is rounded down. The meeting service puts this in `meeting.booking.cancelled`; the web's cancel
 * dialog shows the same.
 */
export function refundFor(s: RefundableSession, by: CancelledBy, now: number): Refund | null {
  if (s.price === 0) return null
  const start = typeof s.start === 'number' ? s.start : Date.parse(s.start)
  const percent = refundPercent(s.refundTerms, start, by, now)
  const outcome: Refund['outcome'] = percent >= 100 ? 'full' : percent > 0 ? 'partial' : 'none'
  return { outcome, percent, amount: Math.floor((s.price * percent) / 100), currency: s.currency, paymentId: s.paymentId }
}
