import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { AppError } from '@sunbae/service-kit'
import { invalidSignature, staleWebhook, type CancelInput, type ChargeInput, type ChargeResult, type PaymentProvider, type RefundInput, type WebhookEvent } from './provider.ts'
import type { SandboxRepository } from './sandbox.repository.ts'
import type { SandboxChargeRow } from './sandbox.table.ts'

/**
 * Deterministic test cards. `tok_delayed` stays processing at the sandbox until
 * PAYMENT_SANDBOX_SETTLE_MS passed, then succeeds: only a webhook or reconciliation learns it.
 */
export const TEST_CARDS = {
  tok_success: { status: 'succeeded' },
  tok_decline: { status: 'failed', failureCode: 'card_declined' },
  tok_insufficient_funds: { status: 'failed', failureCode: 'insufficient_funds' },
  tok_authenticate: { status: 'requires_action' },
  tok_delayed: { status: 'processing' },
} as const satisfies Record<string, { status: ChargeResult['status']; failureCode?: string }>
export type TestCard = keyof typeof TEST_CARDS

export const SIGNATURE_HEADER = 'sandbox-signature'

/** The sandbox's webhook body (Stripe-shaped). */
export const SandboxWebhookBody = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255 }),
  type: Type.String({ minLength: 1, maxLength: 100 }),
  created: Type.Optional(Type.Integer()),
  data: Type.Object({
    object: Type.Object({
      id: Type.String(),
      reference: Type.Optional(Type.String()),
      amount: Type.Optional(Type.Integer()),
      currency: Type.Optional(Type.String()),
      status: Type.Optional(Type.String()),
      failure_code: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    }),
  }),
})
export type SandboxWebhookBody = Static<typeof SandboxWebhookBody>

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` — the scheme Stripe uses. */
export function signSandboxPayload(rawBody: string | Buffer, secret: string, timestampSec = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.`).update(rawBody).digest('hex')
  return `t=${timestampSec},v1=${mac}`
}

const STATUSES = new Set(['succeeded', 'failed', 'requires_action', 'processing'])
/** the event types that carry a charge's state; any other is acknowledged and ignored */
const CHARGE_EVENTS = new Set(['charge.succeeded', 'charge.failed', 'charge.requires_action'])

function toResult(row: SandboxChargeRow): ChargeResult {
  return {
    status: row.status as ChargeResult['status'],
    providerRef: row.id,
    amount: row.amount,
    currency: row.currency,
    failureCode: row.failure_code ?? undefined,
  }
}

/**
 * A provider that runs locally: its "remote" books are the sandbox_* tables (`sandbox.repository.ts`),
 * written in their own transactions (never in the payment's), so a crash between its answer and our
 * commit behaves as with a real processor.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox'
  readonly currencies = null
  readonly #books: SandboxRepository
  readonly #secret: string | null
  readonly #toleranceSec: number
  readonly #latencyMs: number
  readonly #settleMs: number

  constructor(books: SandboxRepository, opts: { webhookSecret: string | null; toleranceSec: number; latencyMs: number; settleMs: number }) {
    this.#books = books
    this.#secret = opts.webhookSecret
    this.#toleranceSec = opts.toleranceSec
    this.#latencyMs = opts.latencyMs
    this.#settleMs = opts.settleMs
  }

  checkToken(cardToken: string): void {
    if (!(cardToken in TEST_CARDS)) {
      throw new AppError(400, 'INVALID_CARD_TOKEN', `Unknown sandbox card token; use one of ${Object.keys(TEST_CARDS).join(', ')}`)
    }
  }

  async charge(input: ChargeInput): Promise<ChargeResult> {
    this.checkToken(input.cardToken)
    const card = TEST_CARDS[input.cardToken as TestCard]
    // the reference is the idempotency key: a repeated charge answers the first one
    await this.#books.insertCharge(
      {
        id: `ch_${randomBytes(12).toString('hex')}`,
        reference: input.reference,
        amount: input.amount,
        currency: input.currency,
        card_token: input.cardToken,
        status: card.status,
        failure_code: 'failureCode' in card ? card.failureCode : null,
      },
      card.status === 'processing' ? this.#settleMs / 1000 : null,
    )
    if (this.#latencyMs > 0) await sleep(this.#latencyMs)
    return (await this.retrieve(input.reference))!
  }

  async authenticate(reference: string, outcome: 'approve' | 'deny'): Promise<ChargeResult> {
    await this.#books.authenticate(reference, outcome)
    const row = await this.retrieve(reference)
    if (!row) throw new AppError(409, 'NO_CHARGE', 'The provider has no charge for this payment')
    return row
  }

  /** A charge still waiting on the payer (or settling) is cancelled; a settled one answers as it is. */
  async cancel(input: CancelInput): Promise<ChargeResult | null> {
    // a delayed charge whose time has come succeeded before the cancel arrived
    await this.retrieve(input.reference)
    await this.#books.cancelWaiting(input.reference)
    return this.retrieve(input.reference)
  }

  async retrieve(reference: string): Promise<ChargeResult | null> {
    // a delayed charge settles when its time has come
    await this.#books.settleDue(reference)
    const row = await this.#books.findCharge(reference)
    return row ? toResult(row) : null
  }

  async refund(input: RefundInput): Promise<{ providerRef: string }> {
    // the refund id is the idempotency key: a repeated refund answers the first one
    return { providerRef: await this.#books.refund(input.reference, input.refundId, input.amount, `re_${randomBytes(12).toString('hex')}`) }
  }

  async verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, nowMs: number): Promise<WebhookEvent> {
    if (this.#secret === null) throw invalidSignature('Sandbox webhooks are off here (no PAYMENT_SANDBOX_WEBHOOK_SECRET)')
    const header = headers[SIGNATURE_HEADER]
    if (typeof header !== 'string' || header.length > 2000) throw invalidSignature(`Missing ${SIGNATURE_HEADER} header`)
    let t: number | undefined
    const signatures: string[] = []
    for (const part of header.split(',')) {
      const [k, v] = part.split('=', 2).map((s) => s.trim())
      if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v)
      else if (k === 'v1' && v) signatures.push(v)
    }
    if (t === undefined || signatures.length === 0) throw invalidSignature('The signature header has no timestamp or no v1 signature')
    const expected = createHmac('sha256', this.#secret).update(`${t}.`).update(rawBody).digest()
    const matches = signatures.some((s) => {
      if (!/^[0-9a-f]{64}$/i.test(s)) return false
      return timingSafeEqual(Buffer.from(s, 'hex'), expected)
    })
    if (!matches) throw invalidSignature('No signature matches the payload')
    // checked after the signature, so the timestamp itself is authentic
    if (Math.abs(nowMs / 1000 - t) > this.#toleranceSec) throw staleWebhook(`The signed timestamp is more than ${this.#toleranceSec} s from now`)

    let body: unknown
    try {
      body = JSON.parse(rawBody.toString('utf8'))
    } catch {
      throw new AppError(400, 'BAD_REQUEST', 'The webhook body is not JSON')
    }
    if (!Value.Check(SandboxWebhookBody, body)) throw new AppError(400, 'BAD_REQUEST', 'The webhook body is not a sandbox event')
    const o = body.data.object
    const charge =
      CHARGE_EVENTS.has(body.type) && o.reference && o.status && STATUSES.has(o.status) && o.amount !== undefined && o.currency
        ? { status: o.status as ChargeResult['status'], providerRef: o.id, amount: o.amount, currency: o.currency, failureCode: o.failure_code ?? undefined }
        : undefined
    return { id: body.id, type: body.type, reference: o.reference, charge }
  }
}
