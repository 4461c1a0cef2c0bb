import { createHash } from 'node:crypto'
import { AppError } from '@sunbae/service-kit'
import { ProviderTimeoutError, type CancelInput, type ChargeInput, type ChargeResult, type PaymentProvider, type RefundInput, type WebhookEvent } from './provider.ts'

export interface TossOptions {
  secretKey: string
  /** default https://api.tosspayments.com (a local server speaking the API, in tests) */
  apiUrl?: string | undefined
  /** PAYMENT_PROVIDER_TIMEOUT_MS: a whole call, however many requests it makes */
  timeoutMs: number
}

/** The part of Toss Payments' Payment object we read. */
interface TossPayment {
  paymentKey: string
  orderId: string
  status: string
  totalAmount: number
  currency?: string
  cancels?: { transactionKey: string; cancelAmount: number }[] | null
  failure?: { code: string; message: string } | null
}

export class TossApiError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(`toss ${status} ${code}: ${message}`)
    this.name = 'TossApiError'
    this.status = status
    this.code = code
  }
}

const PAYMENT_KEY = /^[A-Za-z0-9_-]{1,200}$/
/** Toss' payment statuses (Payment object `status`). */
const STATUSES = new Set(['READY', 'IN_PROGRESS', 'WAITING_FOR_DEPOSIT', 'DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED'])

function toResult(p: TossPayment): ChargeResult {
  const base = { providerRef: p.paymentKey, amount: p.totalAmount, currency: p.currency ?? 'KRW' }
  switch (p.status) {
    case 'DONE':
    case 'CANCELED':
    case 'PARTIAL_CANCELED':
      // a cancelled (refunded) payment was paid first
      return { ...base, status: 'succeeded' }
    case 'ABORTED':
    case 'EXPIRED':
      return { ...base, status: 'failed', failureCode: p.failure?.code ?? p.status.toLowerCase() }
    default:
      // READY, IN_PROGRESS, WAITING_FOR_DEPOSIT
      return { ...base, status: 'processing' }
  }
}

/**
 * Toss Payments (REST API v1, no server SDK exists for Node): the payment widget authenticates the
 * card and hands the web a `paymentKey`; we confirm it server-side for our amount with our payment id
 * as `orderId` (`POST /v1/payments/confirm`, Idempotency-Key), look it up by order id
 * (`GET /v1/payments/orders/{orderId}`) and refund with `POST /v1/payments/{paymentKey}/cancel`.
 * Toss does not sign payment webhooks; as its docs advise, an event is believed only after the
 * payment it names is fetched back from the API with our secret key.
 */
export class TossProvider implements PaymentProvider {
  readonly name = 'toss'
  /** Toss Payments settles Korean won only */
  readonly currencies = ['KRW'] as const
  readonly #o: TossOptions
  readonly #auth: string
  readonly #base: string

  constructor(opts: TossOptions) {
    this.#o = opts
    this.#auth = `Basic ${Buffer.from(`${opts.secretKey}:`).toString('base64')}`
    this.#base = (opts.apiUrl ?? 'https://api.tosspayments.com').replace(/\/$/, '')
  }

  /** `signal`: the deadline of the whole call when it makes several requests (default: this request's own). */
  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string, signal: AbortSignal = AbortSignal.timeout(this.#o.timeoutMs)): Promise<T> {
    try {
      const res = await fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: this.#auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      })
      // a body cut off by the deadline is a timeout, not an empty answer
      const json = (await res.json().catch((err: unknown) => {
        if ((err as Error).name === 'TimeoutError') throw err
        return {}
      })) as { code?: string; message?: string }
      if (!res.ok) throw new TossApiError(res.status, json.code ?? 'UNKNOWN', json.message ?? res.statusText)
      return json as T
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new ProviderTimeoutError(this.name, this.#o.timeoutMs)
      throw err
    }
  }

  checkToken(cardToken: string): void {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(cardToken)) throw new AppError(400, 'INVALID_CARD_TOKEN', 'Send the paymentKey the Toss payment widget returned')
  }

  async charge(input: ChargeInput): Promise<ChargeResult> {
    // one deadline for the confirm and the look-up that may follow it
    const signal = AbortSignal.timeout(this.#o.timeoutMs)
    try {
      const p = await this.#call<TossPayment>(
        'POST',
        '/v1/payments/confirm',
        { paymentKey: input.cardToken, orderId: input.reference, amount: input.amount },
        `confirm:${input.reference}`,
        signal,
      )
      return toResult(p)
    } catch (err) {
      // a refusal of the card or the amount (4xx) is a failed payment; anything else is the provider's trouble
      if (err instanceof TossApiError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
        if (err.code === 'ALREADY_PROCESSED_PAYMENT') {
          const found = await this.#retrieve(input.reference, signal)
          if (found) return found
        }
        return { status: 'failed', providerRef: input.cardToken, amount: input.amount, currency: input.currency, failureCode: err.code }
      }
      throw err
    }
  }

  async authenticate(reference: string): Promise<ChargeResult> {
    const found = await this.retrieve(reference)
    if (!found) throw new AppError(409, 'NO_CHARGE', 'The provider has no charge for this payment')
    return found
  }

  retrieve(reference: string): Promise<ChargeResult | null> {
    return this.#retrieve(reference)
  }

  async #retrieve(reference: string, signal?: AbortSignal): Promise<ChargeResult | null> {
    try {
      return toResult(await this.#call<TossPayment>('GET', `/v1/payments/orders/${encodeURIComponent(reference)}`, undefined, undefined, signal))
    } catch (err) {
      if (err instanceof TossApiError && err.status === 404) return null
      throw err
    }
  }

  async refund(input: RefundInput): Promise<{ providerRef: string }> {
    if (!input.providerRef) throw new Error(`toss: payment ${input.reference} has no paymentKey`)
    const p = await this.#call<TossPayment>(
      'POST',
      `/v1/payments/${encodeURIComponent(input.providerRef)}/cancel`,
      { cancelReason: 'Sunbae booking refund', cancelAmount: input.amount },
      `refund:${input.refundId}`,
    )
    return { providerRef: p.cancels?.at(-1)?.transactionKey ?? input.refundId }
  }

  /**
   * Toss' cancel API (`POST /v1/payments/{paymentKey}/cancel`) only cancels an approved payment; a
   * payment the widget authenticated is charged only by our confirm, which a cancelled payment never
   * sends, so it lapses at Toss by itself. So: an approved one is answered as succeeded (booked, then
   * refunded through that cancel API as a refund); anything else is over.
   */
  async cancel(input: CancelInput): Promise<ChargeResult | null> {
    const found = await this.retrieve(input.reference)
    if (!found || found.status === 'succeeded' || found.status === 'failed') return found
    return { ...found, status: 'failed', failureCode: 'canceled' }
  }

  /** The paymentKey and status a PAYMENT_STATUS_CHANGED body claims (unknown statuses count as one). */
  webhookClaim(rawBody: Buffer): string | null {
    let body: { eventType?: unknown; data?: { paymentKey?: unknown; status?: unknown } }
    try {
      body = JSON.parse(rawBody.toString('utf8')) as typeof body
    } catch {
      return null
    }
    const paymentKey = body?.data?.paymentKey
    if (body?.eventType !== 'PAYMENT_STATUS_CHANGED' || typeof paymentKey !== 'string' || !PAYMENT_KEY.test(paymentKey)) return null
    const status = typeof body.data?.status === 'string' && STATUSES.has(body.data.status) ? body.data.status : '?'
    return `${paymentKey}:${status}`
  }

  async verifyWebhook(rawBody: Buffer): Promise<WebhookEvent> {
    let body: { eventType?: unknown; createdAt?: unknown; data?: { paymentKey?: unknown } }
    try {
      body = JSON.parse(rawBody.toString('utf8')) as typeof body
    } catch {
      throw new AppError(400, 'BAD_REQUEST', 'The webhook body is not JSON')
    }
    // no event id in Toss' payload: the body itself identifies a delivery (a replay is byte-identical)
    const id = `sha256:${createHash('sha256').update(rawBody).digest('hex')}`
    const type = typeof body.eventType === 'string' ? body.eventType : 'unknown'
    const paymentKey = body.data?.paymentKey
    if (type !== 'PAYMENT_STATUS_CHANGED' || typeof paymentKey !== 'string' || !PAYMENT_KEY.test(paymentKey)) return { id, type }
    let p: TossPayment
    try {
      p = await this.#call<TossPayment>('GET', `/v1/payments/${encodeURIComponent(paymentKey)}`)
    } catch (err) {
      if (err instanceof TossApiError && err.status === 404) throw new AppError(400, 'INVALID_SIGNATURE', 'Toss does not know this payment')
      throw err
    }
    return { id, type, reference: p.orderId, charge: toResult(p) }
  }
}
