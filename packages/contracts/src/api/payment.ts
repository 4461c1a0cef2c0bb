import { Type, type Static } from 'typebox'

const uuid = Type.String({ format: 'uuid' })
const dateTime = Type.String({ format: 'date-time' })
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const PaymentState = Type.Union(
  [
    Type.Literal('requires_payment'),
    Type.Literal('processing'),
    Type.Literal('requires_action'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
    Type.Literal('refunded'),
    Type.Literal('partially_refunded'),
    Type.Literal('needs_review'),
  ],
  {
    description:
      'requires_payment → processing ⇄ requires_action → succeeded | failed; requires_payment → cancelled; succeeded → partially_refunded → refunded; ' +
      'a late success of a cancelled or failed payment → succeeded (and refunded); a payment reconciliation could not settle → needs_review (admins)',
  },
)
export type PaymentState = Static<typeof PaymentState>

export const PaymentRefund = Type.Object({
  id: uuid,
  amount: Type.Integer({ minimum: 1 }),
  state: Type.Union([Type.Literal('pending'), Type.Literal('succeeded')]),
  reason: Type.String(),
  createdAt: dateTime,
})
export type PaymentRefund = Static<typeof PaymentRefund>

export const Payment = Type.Object({
  id: uuid,
  bookingId: uuid,
  state: PaymentState,
  amount: Type.Integer({ minimum: 0, description: "the booking's price snapshot, in the currency's minor unit (KRW has none)" }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  refundedAmount: Type.Integer({ minimum: 0 }),
  provider: Type.String(),
  menteeUid: Type.String(),
  mentorUid: nullable(Type.String()),
  failureReason: nullable(Type.String()),
  nextAction: nullable(
    Type.Object(
      {
        type: Type.Literal('authenticate'),
        description: Type.String(),
        clientSecret: Type.Optional(
          Type.String({
            maxLength: 500,
            description:
              "Stripe: the PaymentIntent's client secret for Stripe.js `handleNextAction` (3-D Secure), only in the payer's confirm / authenticate answer; " +
              'after the challenge, POST /authenticate reads the outcome (a payment still waiting answers a fresh secret)',
          }),
        ),
      },
      { description: 'set in requires_action: POST /api/payments/:id/authenticate' },
    ),
  ),
  holdExpiresAt: nullable(dateTime),
  refunds: Type.Array(PaymentRefund),
  createdAt: dateTime,
  updatedAt: dateTime,
})
export type Payment = Static<typeof Payment>

export const PaymentList = Type.Object({ items: Type.Array(Payment) })
export type PaymentList = Static<typeof PaymentList>

export const PaymentListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export const AdminPaymentListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  state: Type.Optional(PaymentState),
  bookingId: Type.Optional(uuid),
})

export const PaymentProviderName = Type.Union([Type.Literal('sandbox'), Type.Literal('stripe'), Type.Literal('toss')])
export type PaymentProviderName = Static<typeof PaymentProviderName>

/** POST /api/payments — pay for my held booking; the amount is the booking's, never the client's. */
export const CreatePaymentBody = Type.Object(
  {
    bookingId: uuid,
    provider: Type.Optional(
      Type.Union([Type.Literal('sandbox'), Type.Literal('stripe'), Type.Literal('toss')], {
        description:
          "one of GET /api/payments/providers that takes the booking's currency (default: the first that does); a payment not started yet moves to it",
      }),
    ),
  },
  { additionalProperties: false },
)
export type CreatePaymentBody = Static<typeof CreatePaymentBody>

/** GET /api/payments/providers — what the pay page may offer, with the public key each browser SDK needs. */
export const PaymentProviders = Type.Object({
  items: Type.Array(
    Type.Object({
      name: PaymentProviderName,
      publicKey: nullable(Type.String({ description: "Stripe's publishable key (pk_…) or Toss' client key; null for the sandbox or when not configured" })),
      currencies: nullable(
        Type.Array(Type.String({ pattern: '^[A-Z]{3}$' }), {
          description: 'the currencies (ISO 4217) it takes, null for any (Toss Payments: KRW only); a payment in another one cannot go through it',
        }),
      ),
    }),
    { description: 'the enabled providers; a payment starts with the first that takes its currency' },
  ),
})
export type PaymentProviders = Static<typeof PaymentProviders>

/** Whether a provider (`currencies` as GET /api/payments/providers reports them, null: any) takes a payment in `currency`. */
export const takesCurrency = (provider: { readonly currencies: readonly string[] | null }, currency: string): boolean =>
  provider.currencies === null || provider.currencies.includes(currency)

/** Sandbox test cards: tok_success, tok_decline, tok_insufficient_funds, tok_authenticate, tok_delayed. */
export const ConfirmPaymentBody = Type.Object(
  { cardToken: Type.String({ minLength: 1, maxLength: 200, description: 'a card token from the provider (sandbox: one of the test tokens)' }) },
  { additionalProperties: false },
)
export type ConfirmPaymentBody = Static<typeof ConfirmPaymentBody>

/** The sandbox's stand-in for a 3-D Secure challenge. */
export const AuthenticatePaymentBody = Type.Object(
  { outcome: Type.Union([Type.Literal('approve'), Type.Literal('deny')]) },
  { additionalProperties: false },
)
export type AuthenticatePaymentBody = Static<typeof AuthenticatePaymentBody>

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'a retry with the same key answers the first response (24 h); other parameters → 422' }),
  ),
})

/** POST /api/admin/payments/:id/refunds — an admin gives back all that is left (no `amount`) or part of it. */
export const AdminRefundBody = Type.Object(
  {
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'in the minor unit; omitted: everything not yet refunded' })),
    reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'why (kept in the audit trail and shown with the refund)' }),
  },
  { additionalProperties: false },
)
export type AdminRefundBody = Static<typeof AdminRefundBody>

/** An admin's refund must be retry-safe: the key is required. */
export const AdminRefundHeaders = Type.Object({
  'idempotency-key': Type.String({ minLength: 1, maxLength: 255, description: 'required: a retry with the same key answers the first response and never refunds twice' }),
})

export const EarningsItem = Type.Object({
  paymentId: uuid,
  bookingId: uuid,
  currency: Type.String(),
  gross: Type.Integer({ description: 'charged to the mentee' }),
  fee: Type.Integer({ description: 'platform fee (net of refunds)' }),
  refunded: Type.Integer(),
  net: Type.Integer({ description: 'payable to the mentor' }),
  state: PaymentState,
  succeededAt: nullable(dateTime),
})
export const Earnings = Type.Object({
  totals: Type.Array(Type.Object({ currency: Type.String(), gross: Type.Integer(), fee: Type.Integer(), refunded: Type.Integer(), net: Type.Integer() })),
  items: Type.Array(EarningsItem),
})
export type Earnings = Static<typeof Earnings>

/** Providers' webhooks are acknowledged with this (also for replays and unknown events). */
export const WebhookAck = Type.Object({
  received: Type.Boolean(),
  duplicate: Type.Optional(Type.Boolean()),
  ignored: Type.Optional(Type.Boolean()),
})
