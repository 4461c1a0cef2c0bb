import Stripe from 'stripe'
import { AppError } from '@sunbae/service-kit'
import { invalidSignature, ProviderTimeoutError, staleWebhook, type CancelInput, type ChargeInput, type ChargeResult, type PaymentProvider, type RefundInput, type WebhookEvent } from './provider.ts'

export interface StripeOptions {
  secretKey: string
  webhookSecret: string
  toleranceSec: number
  /** another API origin than api.stripe.com (a local server speaking the API, in tests) */
  apiUrl?: string | undefined
  /** PAYMENT_PROVIDER_TIMEOUT_MS: each request's timeout (no retries inside a call) */
  timeoutMs: number
}

/** The payment intent events that say where a charge stands; any other type is acknowledged and ignored. */
const INTENT_EVENTS = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.requires_action',
  'payment_intent.processing',
  'payment_intent.canceled',
])

function toResult(pi: Stripe.PaymentIntent): ChargeResult {
  const base = { providerRef: pi.id, amount: pi.amount, currency: pi.currency.toUpperCase() }
  switch (pi.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded' }
    case 'requires_action':
      // Stripe.js handleNextAction({ clientSecret }) runs 3-D Secure in the payer's browser
      return { ...base, status: 'requires_action', ...(pi.client_secret ? { clientSecret: pi.client_secret } : {}) }
    case 'requires_payment_method':
      // a confirmed intent back at requires_payment_method was declined
      return pi.last_payment_error
        ? { ...base, status: 'failed', failureCode: pi.last_payment_error.decline_code ?? pi.last_payment_error.code ?? 'payment_failed' }
        : { ...base, status: 'processing' }
    case 'canceled':
      return { ...base, status: 'failed', failureCode: pi.cancellation_reason ?? 'canceled' }
    default:
      // processing, requires_confirmation, requires_capture: not final yet
      return { ...base, status: 'processing' }
  }
}

/**
 * Stripe through its official SDK: one PaymentIntent per payment, created and confirmed at once with
 * the payment method the web collected (Stripe.js), our payment id as idempotency key and as
 * metadata (so reconciliation finds the intent by it). 3-D Secure happens between the payer and
 * Stripe; `authenticate` then reads where the intent stands. Webhooks are verified by the SDK's
 * `constructEvent` (Stripe-Signature, HMAC over the raw body, timestamp tolerance).
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe'
  /** any: Stripe charges in 135+ currencies (converting to the account's settlement currency) */
  readonly currencies = null
  readonly #stripe: Stripe
  readonly #o: StripeOptions

  constructor(opts: StripeOptions) {
    this.#o = opts
    const url = opts.apiUrl ? new URL(opts.apiUrl) : undefined
    this.#stripe = new Stripe(opts.secretKey, {
      // a payer may sit behind a call (PAYMENT_PROVIDER_TIMEOUT_MS is in the gateway's timeout chain):
      // no retries inside a call — every call is idempotent by key and the reconciler asks again
      maxNetworkRetries: 0,
      timeout: opts.timeoutMs,
      telemetry: false,
      ...(url ? { host: url.hostname, port: url.port || (url.protocol === 'http:' ? 80 : 443), protocol: url.protocol === 'http:' ? 'http' : 'https' } : {}),
    })
  }

  /** The SDK's timeout (`StripeConnectionError` from an ETIMEDOUT) as the providers' ProviderTimeoutError. */
  #timeout(err: unknown): unknown {
    const detail = err instanceof Stripe.errors.StripeConnectionError ? (err.detail as { code?: unknown } | undefined) : undefined
    return detail?.code === 'ETIMEDOUT' ? new ProviderTimeoutError(this.name, this.#o.timeoutMs) : err
  }

  checkToken(cardToken: string): void {
    if (!/^pm_[A-Za-z0-9_]{1,200}$/.test(cardToken)) throw new AppError(400, 'INVALID_CARD_TOKEN', 'Send the Stripe PaymentMethod id (pm_…) collected by Stripe.js')
  }

  async charge(input: ChargeInput): Promise<ChargeResult> {
    try {
      const pi = await this.#stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency.toLowerCase(),
          payment_method: input.cardToken,
          // card-like methods only: server-side confirmation has no page to redirect back to
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          confirm: true,
          metadata: { reference: input.reference },
        },
        { idempotencyKey: `pi:${input.reference}` },
      )
      return toResult(pi)
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) {
        const pi = err.payment_intent
        return {
          status: 'failed',
          providerRef: pi?.id ?? '',
          amount: pi?.amount ?? input.amount,
          currency: (pi?.currency ?? input.currency).toUpperCase(),
          failureCode: err.decline_code ?? err.code ?? 'card_error',
        }
      }
      throw this.#timeout(err)
    }
  }

  async authenticate(reference: string): Promise<ChargeResult> {
    const found = await this.retrieve(reference)
    if (!found) throw new AppError(409, 'NO_CHARGE', 'The provider has no charge for this payment')
    return found
  }

  async retrieve(reference: string): Promise<ChargeResult | null> {
    if (!/^[0-9a-f-]{36}$/i.test(reference)) return null
    const found = await this.#stripe.paymentIntents.search({ query: `metadata['reference']:'${reference}'`, limit: 1 }).catch((err: unknown) => {
      throw this.#timeout(err)
    })
    const pi = found.data[0]
    return pi ? toResult(pi) : null
  }

  async refund(input: RefundInput): Promise<{ providerRef: string }> {
    if (!input.providerRef) throw new Error(`stripe: payment ${input.reference} has no PaymentIntent id`)
    const refund = await this.#stripe.refunds.create(
      { payment_intent: input.providerRef, amount: input.amount, metadata: { refund_id: input.refundId, reference: input.reference } },
      { idempotencyKey: `re:${input.refundId}` },
    )
    return { providerRef: refund.id }
  }

  /**
   * `POST /v1/payment_intents/:id/cancel` (reason `abandoned`), allowed while the intent waits on the
   * payer (requires_action and the like). An intent that succeeded first cannot be cancelled
   * (`payment_intent_unexpected_state`): its state is answered, so the charge is booked and refunded.
   */
  async cancel(input: CancelInput): Promise<ChargeResult | null> {
    let id = input.providerRef
    if (!id) {
      if (!/^[0-9a-f-]{36}$/i.test(input.reference)) return null
      const found = await this.#stripe.paymentIntents.search({ query: `metadata['reference']:'${input.reference}'`, limit: 1 })
      id = found.data[0]?.id ?? null
      if (!id) return null
    }
    try {
      return toResult(await this.#stripe.paymentIntents.cancel(id, { cancellation_reason: 'abandoned' }, { idempotencyKey: `cancel:${input.reference}` }))
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'payment_intent_unexpected_state') {
        return toResult(err.payment_intent ?? (await this.#stripe.paymentIntents.retrieve(id)))
      }
      throw err
    }
  }

  async verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, nowMs: number): Promise<WebhookEvent> {
    const header = headers['stripe-signature']
    if (typeof header !== 'string') throw invalidSignature('Missing Stripe-Signature header')
    let event: Stripe.Event
    try {
      event = this.#stripe.webhooks.constructEvent(rawBody, header, this.#o.webhookSecret, this.#o.toleranceSec, undefined, nowMs)
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw /tolerance/i.test(err.message) ? staleWebhook(err.message) : invalidSignature(err.message)
      }
      throw new AppError(400, 'BAD_REQUEST', 'The webhook body is not a Stripe event')
    }
    if (!INTENT_EVENTS.has(event.type)) return { id: event.id, type: event.type }
    const pi = event.data.object as Stripe.PaymentIntent
    return { id: event.id, type: event.type, reference: pi.metadata?.reference, charge: toResult(pi) }
  }
}
