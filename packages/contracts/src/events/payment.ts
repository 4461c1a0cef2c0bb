import { Type, type Static } from 'typebox'

/**
 * The minimal payment contract meeting consumes; the payment service (not built yet) publishes it.
 * `bookingId` ties a payment to the meeting booking it pays for; amounts are integers in the
 * currency's minor unit (KRW has none).
 */
const payment = {
  paymentId: Type.String({ format: 'uuid' }),
  bookingId: Type.String({ format: 'uuid' }),
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
}

export const PaymentSucceededV1 = Type.Object({ ...payment, succeededAt: Type.String({ format: 'date-time' }) })
export type PaymentSucceededV1 = Static<typeof PaymentSucceededV1>

export const PaymentFailedV1 = Type.Object({ ...payment, reason: Type.String(), failedAt: Type.String({ format: 'date-time' }) })
export type PaymentFailedV1 = Static<typeof PaymentFailedV1>

export const PaymentEvents = {
  succeeded: { type: 'payment.succeeded', version: 1, schema: PaymentSucceededV1 },
  failed: { type: 'payment.failed', version: 1, schema: PaymentFailedV1 },
} as const
