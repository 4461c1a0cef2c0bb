import { Type, type Static } from 'typebox'
import { defineEvent } from './define.ts'

/**
 * Payment events, published by the payment service through its outbox. `bookingId` ties a payment
 * to the meeting booking it pays for; amounts are integers in the currency's minor unit (KRW has
 * none). meeting consumes `payment.succeeded` (confirms the hold), `payment.failed` and
 * `payment.cancelled` (release it).
 */
const uuid = Type.String({ format: 'uuid' })
const dateTime = Type.String({ format: 'date-time' })
const payment = {
  paymentId: uuid,
  bookingId: uuid,
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
}

/** A payment for a held booking exists (state requires_payment). */
export const PaymentCreatedV1 = Type.Object({
  ...payment,
  menteeUid: Type.String(),
  mentorUid: Type.Union([Type.String(), Type.Null()]),
  provider: Type.String(),
  createdAt: dateTime,
})
export type PaymentCreatedV1 = Static<typeof PaymentCreatedV1>
const created = defineEvent('payment.created', PaymentCreatedV1)

/** The provider was asked to charge (state processing). */
export const PaymentProcessingV1 = Type.Object({ ...payment, provider: Type.String(), processingAt: dateTime })
export type PaymentProcessingV1 = Static<typeof PaymentProcessingV1>
const processing = defineEvent('payment.processing', PaymentProcessingV1)

/** The provider wants the payer to authenticate (3-D Secure and the like). */
export const PaymentActionRequiredV1 = Type.Object({ ...payment, action: Type.String(), at: dateTime })
export type PaymentActionRequiredV1 = Static<typeof PaymentActionRequiredV1>
const actionRequired = defineEvent('payment.action_required', PaymentActionRequiredV1)

export const PaymentSucceededV1 = Type.Object({ ...payment, succeededAt: dateTime })
export type PaymentSucceededV1 = Static<typeof PaymentSucceededV1>
const succeeded = defineEvent('payment.succeeded', PaymentSucceededV1)

export const PaymentFailedV1 = Type.Object({ ...payment, reason: Type.String(), failedAt: dateTime })
export type PaymentFailedV1 = Static<typeof PaymentFailedV1>
const failed = defineEvent('payment.failed', PaymentFailedV1)

/** Ended before any money moved: the payer gave up, the hold expired or the booking was cancelled. */
export const PaymentCancelledV1 = Type.Object({ ...payment, reason: Type.String(), cancelledAt: dateTime })
export type PaymentCancelledV1 = Static<typeof PaymentCancelledV1>
const cancelled = defineEvent('payment.cancelled', PaymentCancelledV1)

/**
 * Reconciliation could not settle this payment (the provider's answer could not be applied): it waits
 * for an admin, and a later answer from the provider still settles it.
 */
export const PaymentNeedsReviewV1 = Type.Object({ ...payment, fromState: Type.String(), error: Type.String(), at: dateTime })
export type PaymentNeedsReviewV1 = Static<typeof PaymentNeedsReviewV1>
const needsReview = defineEvent('payment.needs_review', PaymentNeedsReviewV1)

/** Money went back to the payer; `amount` is the payment's, `refundAmount` this refund's. */
export const PaymentRefundedV1 = Type.Object({
  ...payment,
  refundId: uuid,
  refundAmount: Type.Integer({ minimum: 1 }),
  refundedTotal: Type.Integer({ minimum: 1 }),
  state: Type.Union([Type.Literal('refunded'), Type.Literal('partially_refunded')]),
  reason: Type.String({ description: 'booking_cancelled | booking_released (paid after the hold ended) | …' }),
  refundedAt: dateTime,
})
export type PaymentRefundedV1 = Static<typeof PaymentRefundedV1>
const refunded = defineEvent('payment.refunded', PaymentRefundedV1)

/**
 * An admin asked for money back (all that is left, or part of it), with why: the refund is queued and
 * runs through the provider like every other (`payment.refunded` follows). The audit trail's record of
 * who refunded and why.
 */
export const PaymentRefundRequestedV1 = Type.Object({
  ...payment,
  refundId: uuid,
  refundAmount: Type.Integer({ minimum: 1 }),
  reason: Type.String({ minLength: 1 }),
  requestedBy: Type.String(),
  requestedAt: dateTime,
})
export type PaymentRefundRequestedV1 = Static<typeof PaymentRefundRequestedV1>
const refundRequested = defineEvent('payment.refund.requested', PaymentRefundRequestedV1)

/** The payment events, each defined beside its schema above. */
export const PaymentEvents = {
  created, processing, actionRequired, succeeded, failed, cancelled, refunded, refundRequested, needsReview,
}
