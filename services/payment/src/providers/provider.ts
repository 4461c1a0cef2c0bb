import { AppError } from '@sunbae/service-kit'

/** What a provider says about a charge. `processing`: ask again later (or wait for the webhook). */
export interface ChargeResult {
  status: 'succeeded' | 'failed' | 'requires_action' | 'processing'
  /** the provider's id of the charge */
  providerRef: string
  amount: number
  currency: string
  failureCode?: string | undefined
  /**
   * requires_action: what the payer's browser completes the challenge with (Stripe: the
   * PaymentIntent's client_secret for Stripe.js handleNextAction). Handed to the payer only.
   */
  clientSecret?: string | undefined
}

export interface ChargeInput {
  /** our payment id: the provider's idempotency key, so a retried charge is the same charge */
  reference: string
  amount: number
  currency: string
  cardToken: string
}

export interface RefundInput {
  reference: string
  /** the provider's id of the charge (when it has one) */
  providerRef: string | null
  /** our refund id: the provider's idempotency key */
  refundId: string
  amount: number
  currency: string
}

export interface CancelInput {
  /** our payment id */
  reference: string
  /** the provider's id of the charge (when it has one) */
  providerRef: string | null
}

/** A provider event after its signature was verified. */
export interface WebhookEvent {
  id: string
  type: string
  /** our payment id, when the event is about a charge */
  reference?: string | undefined
  /** where the charge stands — set only for the event types the provider knows to carry it */
  charge?: ChargeResult | undefined
}

/**
 * One interface for every payment provider. Every call is idempotent by the key it is given, so a
 * crash anywhere can be followed by asking again (`retrieve`) or repeating the call.
 */
export interface PaymentProvider {
  readonly name: string
  /**
   * The currencies (ISO 4217) the provider settles, null for any: a payment in another one is refused
   * before it is sent (400 CURRENCY_NOT_SUPPORTED), since the provider would refuse or convert it.
   */
  readonly currencies: readonly string[] | null
  /** Refuses a token the provider cannot use before any state changes (400). */
  checkToken(cardToken: string): void
  charge(input: ChargeInput): Promise<ChargeResult>
  /** The payer's answer to the provider's challenge (3-D Secure in real life). */
  authenticate(reference: string, outcome: 'approve' | 'deny'): Promise<ChargeResult>
  /** The charge for our payment id, or null when the provider never saw it. */
  retrieve(reference: string): Promise<ChargeResult | null>
  refund(input: RefundInput): Promise<{ providerRef: string }>
  /**
   * We gave up on a charge the payer may still complete (3-D Secure pending when the hold was
   * released): the provider is told to cancel it. Answers where the charge stands afterwards — a
   * charge completed before the cancel arrived answers `succeeded` (we book it and refund it) —
   * or null when the provider never saw it. Idempotent: cancelling twice answers the same.
   */
  cancel(input: CancelInput): Promise<ChargeResult | null>
  /**
   * For providers whose webhooks are verified by asking the provider (Toss): what an unverified body
   * claims (`<paymentKey>:<status>`), so that bodies with one claim ask the provider once per window;
   * null when the body claims nothing worth asking about.
   */
  webhookClaim?(rawBody: Buffer): string | null
  /**
   * Verifies an event from the raw body (signature and timestamp, or — for providers that do not
   * sign — by asking the provider itself); throws a 400 AppError when it does not hold.
   */
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, nowMs: number): Promise<WebhookEvent>
}

/**
 * The provider did not answer within PAYMENT_PROVIDER_TIMEOUT_MS. Whether it acted is unknown: the
 * payment stays where it is (processing) and the webhook or reconciliation brings the answer.
 */
export class ProviderTimeoutError extends Error {
  constructor(provider: string, ms: number) {
    super(`${provider} did not answer within ${ms} ms`)
    this.name = 'ProviderTimeoutError'
  }
}

export const invalidSignature = (message: string) => new AppError(400, 'INVALID_SIGNATURE', message)
export const staleWebhook = (message: string) => new AppError(400, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', message)
