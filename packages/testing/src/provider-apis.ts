// Local stand-ins of the payment providers' REST APIs (nothing here may reach the internet): the part
// of Stripe's and Toss Payments' documented surface that services/payment's adapters use, shared by
// payment's tests and the browser journeys' stack (scripts/lib/e2e-stack.ts starts both on 127.0.0.1).
// Each keeps its state in memory and exposes it, so a test can look at what the provider was asked
// and move a charge on as the provider would (a 3-D Secure challenge completed, a webhook's news).
//
// What a browser SDK would do against the real provider is here too, as the SDK's requests: Stripe.js
// creates a PaymentMethod (`POST /v1/payment_methods`, publishable key in the form) and, after its
// 3-D Secure challenge, finds the PaymentIntent moved on; the Toss widget opens a payment session
// whose paymentKey our server then confirms. The journeys' stand-ins of the SDK scripts
// (web/test/e2e/standins/) send these through the page, routed here.
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody, startUpstream, type Upstream } from './upstream.ts'

// — Stripe —

export interface StripeIntent {
  id: string
  object: 'payment_intent'
  amount: number
  currency: string
  status: string
  client_secret: string
  payment_method: string | null
  metadata: Record<string, string>
  last_payment_error: null | { type: string; code: string; decline_code?: string; message: string }
  cancellation_reason: null | string
}

/** What a payment method does when a PaymentIntent is confirmed with it. */
export interface StripeMethodBehaviour {
  status: 'succeeded' | 'requires_payment_method' | 'requires_action'
  decline?: string
}

/** Stripe's test PaymentMethods (docs.stripe.com/testing) and what they do. */
export const STRIPE_TEST_METHODS: Record<string, StripeMethodBehaviour> = {
  pm_card_visa: { status: 'succeeded' },
  pm_card_chargeDeclined: { status: 'requires_payment_method', decline: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: { status: 'requires_payment_method', decline: 'insufficient_funds' },
  pm_card_authenticationRequired: { status: 'requires_action' },
}

/** Stripe's test card numbers, as Stripe.js would collect them, and the test method each behaves as. */
export const STRIPE_TEST_CARDS: Record<string, keyof typeof STRIPE_TEST_METHODS> = {
  '4242424242424242': 'pm_card_visa',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000009995': 'pm_card_chargeDeclinedInsufficientFunds',
  '4000002500003155': 'pm_card_authenticationRequired',
  '4000000000003220': 'pm_card_authenticationRequired',
}

export interface StripeApi extends Upstream {
  readonly secretKey: string
  readonly publishableKey: string
  readonly intents: Map<string, StripeIntent>
  readonly refunds: { id: string; payment_intent: string; amount: number }[]
  /** POST answers by Idempotency-Key (a repeated key replays the answer, as Stripe does) */
  readonly seenKeys: Map<string, { status: number; body: string }>
  /** requests made with the secret key */
  requests(): number
  /** the intent created for our payment id (metadata.reference) */
  intentFor(reference: string): StripeIntent | undefined
}

const stripeError = (type: string, message: string, extra: Record<string, unknown> = {}) => ({ error: { type, message, ...extra } })

export async function startStripeApi(opts: { secretKey: string; publishableKey: string }): Promise<StripeApi> {
  const intents = new Map<string, StripeIntent>()
  const methods = new Map<string, StripeMethodBehaviour>(Object.entries(STRIPE_TEST_METHODS))
  const refunds: StripeApi['refunds'] = []
  const seenKeys: StripeApi['seenKeys'] = new Map()
  let requests = 0

  /** What Stripe.js sends with the publishable key (`key` in the form body: a simple CORS request). */
  const browser = (req: IncomingMessage, res: ServerResponse, url: URL, form: URLSearchParams, send: (status: number, body: unknown) => void): boolean => {
    if (form.get('key') !== opts.publishableKey && url.searchParams.get('key') !== opts.publishableKey) return false
    res.setHeader('access-control-allow-origin', '*')
    let m: RegExpExecArray | null
    // https://docs.stripe.com/api/payment_methods/create (Stripe.js createPaymentMethod)
    if (req.method === 'POST' && url.pathname === '/v1/payment_methods') {
      const number = (form.get('card[number]') ?? '').replace(/\s/g, '')
      const like = STRIPE_TEST_CARDS[number]
      if (!like) return send(402, stripeError('card_error', 'Your card number is incorrect.', { code: 'incorrect_number' })), true
      const id = `pm_${randomBytes(12).toString('hex')}`
      methods.set(id, STRIPE_TEST_METHODS[like]!)
      send(200, { id, object: 'payment_method', type: 'card', card: { brand: 'visa', last4: number.slice(-4) } })
      return true
    }
    // the end of a 3-D Secure challenge, as the issuer's page reports it to Stripe (hooks.stripe.com)
    if (req.method === 'POST' && (m = /^\/v1\/payment_intents\/(pi_[a-z0-9]+)\/stand_in_3ds$/.exec(url.pathname))) {
      const pi = intents.get(m[1]!)
      if (!pi || form.get('client_secret') !== pi.client_secret) return send(404, stripeError('invalid_request_error', 'No such payment_intent')), true
      if (pi.status !== 'requires_action') return send(400, stripeError('invalid_request_error', `The PaymentIntent is ${pi.status}`, { code: 'payment_intent_unexpected_state' })), true
      if (form.get('outcome') === 'complete') pi.status = 'succeeded'
      else {
        pi.status = 'requires_payment_method'
        pi.last_payment_error = { type: 'card_error', code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication.' }
      }
      send(200, pi)
      return true
    }
    // https://docs.stripe.com/api/payment_intents/retrieve with the client secret (what Stripe.js reads after next actions)
    if (req.method === 'GET' && (m = /^\/v1\/payment_intents\/(pi_[a-z0-9]+)$/.exec(url.pathname))) {
      const pi = intents.get(m[1]!)
      if (!pi || url.searchParams.get('client_secret') !== pi.client_secret) return send(404, stripeError('invalid_request_error', 'No such payment_intent')), true
      send(200, pi)
      return true
    }
    send(404, stripeError('invalid_request_error', `Unrecognized request URL (${req.method}: ${url.pathname})`))
    return true
  }

  const up = await startUpstream((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body)
        const key = req.headers['idempotency-key']
        if (req.method === 'POST' && typeof key === 'string') seenKeys.set(key, { status, body: text })
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` }).end(text)
      }
      const url = new URL(req.url!, 'http://stripe.local')
      if (req.method === 'OPTIONS') return res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST' }).end()
      const form = new URLSearchParams(await readBody(req))
      if (req.headers.authorization !== `Bearer ${opts.secretKey}`) {
        if (browser(req, res, url, form, send)) return
        return send(401, stripeError('invalid_request_error', 'Invalid API Key provided'))
      }
      requests++
      const key = req.headers['idempotency-key']
      const replay = typeof key === 'string' ? seenKeys.get(key) : undefined
      if (req.method === 'POST' && replay) return res.writeHead(replay.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(replay.body)

      if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
        const pm = form.get('payment_method') ?? ''
        const method = methods.get(pm)
        if (!method) return send(400, stripeError('invalid_request_error', `No such PaymentMethod: '${pm}'`, { code: 'resource_missing' }))
        const id = `pi_${randomBytes(8).toString('hex')}`
        const pi: StripeIntent = {
          id,
          object: 'payment_intent',
          amount: Number(form.get('amount')),
          currency: form.get('currency') ?? '',
          status: method.status,
          client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
          payment_method: pm,
          metadata: { reference: form.get('metadata[reference]') ?? '' },
          last_payment_error: method.decline ? { type: 'card_error', code: 'card_declined', decline_code: method.decline, message: 'Your card was declined.' } : null,
          cancellation_reason: null,
        }
        intents.set(pi.id, pi)
        if (method.decline) return send(402, { error: { ...pi.last_payment_error, payment_intent: pi } })
        return send(200, pi)
      }
      if (req.method === 'GET' && url.pathname === '/v1/payment_intents/search') {
        const ref = /metadata\['reference'\]:'([^']+)'/.exec(url.searchParams.get('query') ?? '')?.[1]
        const data = [...intents.values()].filter((pi) => pi.metadata.reference === ref)
        return send(200, { object: 'search_result', data, has_more: false, url: '/v1/payment_intents/search', next_page: null })
      }
      let m: RegExpExecArray | null
      if (req.method === 'GET' && (m = /^\/v1\/payment_intents\/(pi_[a-z0-9]+)$/.exec(url.pathname))) {
        const pi = intents.get(m[1]!)
        return pi ? send(200, pi) : send(404, stripeError('invalid_request_error', `No such payment_intent: '${m[1]}'`, { code: 'resource_missing' }))
      }
      // https://docs.stripe.com/api/payment_intents/cancel: only while the intent waits (requires_action and the like)
      if (req.method === 'POST' && (m = /^\/v1\/payment_intents\/(pi_[a-z0-9]+)\/cancel$/.exec(url.pathname))) {
        const pi = intents.get(m[1]!)
        if (!pi) return send(404, stripeError('invalid_request_error', `No such payment_intent: '${m[1]}'`, { code: 'resource_missing' }))
        if (!['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'].includes(pi.status)) {
          return send(400, stripeError('invalid_request_error', `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`, { code: 'payment_intent_unexpected_state', payment_intent: pi }))
        }
        pi.status = 'canceled'
        pi.cancellation_reason = form.get('cancellation_reason')
        return send(200, pi)
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        const pi = intents.get(form.get('payment_intent') ?? '')
        if (!pi || pi.status !== 'succeeded') return send(400, stripeError('invalid_request_error', 'No such payment_intent'))
        const refund = { id: `re_${randomBytes(8).toString('hex')}`, object: 'refund', amount: Number(form.get('amount')), payment_intent: pi.id, status: 'succeeded', currency: pi.currency }
        refunds.push(refund)
        return send(200, refund)
      }
      return send(404, stripeError('invalid_request_error', `Unrecognized request URL (${req.method}: ${url.pathname})`))
    })()
  })
  return Object.assign(up, {
    secretKey: opts.secretKey,
    publishableKey: opts.publishableKey,
    intents,
    refunds,
    seenKeys,
    requests: () => requests,
    intentFor: (reference: string) => [...intents.values()].find((i) => i.metadata.reference === reference),
  })
}

// — Toss Payments —

export interface TossPaymentRecord {
  paymentKey: string
  orderId: string
  status: string
  totalAmount: number
  balanceAmount: number
  currency: string
  cancels: { transactionKey: string; cancelAmount: number; cancelReason: string }[] | null
}

/** What the payment window decided for a paymentKey before our server confirms it. */
export type TossDecision = 'DONE' | 'IN_PROGRESS' | 'REJECT_CARD_PAYMENT'

export interface TossApi extends Upstream {
  readonly secretKey: string
  readonly clientKey: string
  /** paymentKey → what the payment window decided (and, from a widget session, for which order and amount) */
  readonly widget: Map<string, { decided: TossDecision; orderId?: string; amount?: number }>
  /** confirmed payments by paymentKey */
  readonly payments: Map<string, TossPaymentRecord>
  /** GET /v1/payments/{paymentKey} calls per paymentKey (what each webhook body costs us at Toss) */
  readonly lookups: Map<string, number>
  /** a paymentKey as if the payer went through the payment window */
  authorize(decided: TossDecision): string
}

const tossError = (code: string, message: string) => ({ code, message })

export async function startTossApi(opts: { secretKey: string; clientKey: string }): Promise<TossApi> {
  const widget: TossApi['widget'] = new Map()
  const payments = new Map<string, TossPaymentRecord>()
  const replays = new Map<string, { status: number; body: string }>()
  const lookups = new Map<string, number>()
  const newKey = () => `tgen_${randomBytes(12).toString('hex')}`
  const basic = `Basic ${Buffer.from(`${opts.secretKey}:`).toString('base64')}`

  const up = await startUpstream((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body)
        const key = req.headers['idempotency-key']
        if (req.method === 'POST' && typeof key === 'string') replays.set(key, { status, body: text })
        res.writeHead(status, { 'content-type': 'application/json' }).end(text)
      }
      const url = new URL(req.url!, 'http://toss.local')
      const path = url.pathname
      const raw = await readBody(req)
      // the payment window's session, as the widget opens it with the client key (a simple CORS request)
      if (req.method === 'POST' && path === '/v1/stand-in/payment-sessions') {
        res.setHeader('access-control-allow-origin', '*')
        const form = new URLSearchParams(raw)
        if (form.get('clientKey') !== opts.clientKey) return send(401, tossError('UNAUTHORIZED_KEY', '인증되지 않은 클라이언트 키 입니다.'))
        const amount = Number(form.get('amount'))
        const orderId = form.get('orderId') ?? ''
        if (!/^[A-Za-z0-9_-]{6,64}$/.test(orderId) || !Number.isSafeInteger(amount) || amount <= 0) return send(400, tossError('INVALID_REQUEST', '잘못된 요청입니다.'))
        const decided = (form.get('decided') ?? 'DONE') as TossDecision
        const paymentKey = newKey()
        widget.set(paymentKey, { decided, orderId, amount })
        return send(200, { paymentKey, orderId, amount })
      }
      if (req.headers.authorization !== basic) return send(401, tossError('UNAUTHORIZED_KEY', '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.'))
      const key = req.headers['idempotency-key']
      const replay = typeof key === 'string' ? replays.get(key) : undefined
      if (req.method === 'POST' && replay) return res.writeHead(replay.status, { 'content-type': 'application/json' }).end(replay.body)
      const body = req.method === 'POST' ? (JSON.parse(raw || '{}') as Record<string, any>) : {}
      let m: RegExpExecArray | null
      // https://docs.tosspayments.com/reference#결제-승인
      if (req.method === 'POST' && path === '/v1/payments/confirm') {
        const session = widget.get(body.paymentKey)
        if (!session) return send(404, tossError('NOT_FOUND_PAYMENT_SESSION', '결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.'))
        if (payments.has(body.paymentKey)) return send(400, tossError('ALREADY_PROCESSED_PAYMENT', '이미 처리된 결제 입니다.'))
        // a widget session was opened for one order and amount: confirming another is refused
        if ((session.orderId !== undefined && session.orderId !== body.orderId) || (session.amount !== undefined && session.amount !== body.amount)) {
          return send(400, tossError('INVALID_REQUEST', '결제 금액 또는 주문번호가 일치하지 않습니다.'))
        }
        if (session.decided === 'REJECT_CARD_PAYMENT') return send(403, tossError('REJECT_CARD_PAYMENT', '한도초과 혹은 잔액부족으로 결제에 실패했습니다.'))
        const p: TossPaymentRecord = { paymentKey: body.paymentKey, orderId: body.orderId, status: session.decided, totalAmount: body.amount, balanceAmount: body.amount, currency: 'KRW', cancels: null }
        payments.set(p.paymentKey, p)
        return send(200, p)
      }
      if (req.method === 'GET' && (m = /^\/v1\/payments\/orders\/([^/]+)$/.exec(path))) {
        const p = [...payments.values()].find((x) => x.orderId === decodeURIComponent(m![1]!))
        return p ? send(200, p) : send(404, tossError('NOT_FOUND_PAYMENT', '존재하지 않는 결제 정보 입니다.'))
      }
      if (req.method === 'GET' && (m = /^\/v1\/payments\/([^/]+)$/.exec(path))) {
        const paymentKey = decodeURIComponent(m[1]!)
        lookups.set(paymentKey, (lookups.get(paymentKey) ?? 0) + 1)
        const p = payments.get(paymentKey)
        return p ? send(200, p) : send(404, tossError('NOT_FOUND_PAYMENT', '존재하지 않는 결제 정보 입니다.'))
      }
      if (req.method === 'POST' && (m = /^\/v1\/payments\/([^/]+)\/cancel$/.exec(path))) {
        const p = payments.get(decodeURIComponent(m[1]!))
        if (!p || (p.status !== 'DONE' && p.status !== 'PARTIAL_CANCELED')) return send(400, tossError('NOT_CANCELABLE_PAYMENT', '취소 할 수 없는 결제 입니다.'))
        const amount = Number(body.cancelAmount ?? p.balanceAmount)
        if (amount > p.balanceAmount) return send(400, tossError('NOT_CANCELABLE_AMOUNT', '취소 할 수 없는 금액 입니다.'))
        p.cancels = [...(p.cancels ?? []), { transactionKey: randomBytes(16).toString('hex'), cancelAmount: amount, cancelReason: body.cancelReason }]
        p.balanceAmount -= amount
        p.status = p.balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED'
        return send(200, p)
      }
      return send(404, tossError('NOT_FOUND', path))
    })()
  })
  return Object.assign(up, {
    secretKey: opts.secretKey,
    clientKey: opts.clientKey,
    widget,
    payments,
    lookups,
    authorize(decided: TossDecision) {
      const k = newKey()
      widget.set(k, { decided })
      return k
    },
  })
}
