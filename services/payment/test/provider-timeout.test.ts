// Issue 16, defect 6: provider calls in the timeout chain. A payer confirming a payment sits behind
// the provider's answer; Stripe was called with a 20 s timeout and 2 retries, Toss with 20 s, so a
// slow provider gave the payer the gateway's 504 while the payment went on. Now a call is bounded by
// PAYMENT_PROVIDER_TIMEOUT_MS (checked at load against GATEWAY_UPSTREAM_TIMEOUT_MS): past it the
// confirm answers the payment `processing` and reconciliation settles it, once.
// The providers are local stand-ins speaking the part of Stripe's and Toss' APIs used here (Stripe and
// Toss cannot be reached from tests): they record the charge at once and answer after longer than the
// gateway's whole budget — the charge happened, its answer is late.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { readBody, startUpstream, type Upstream } from '@sunbae/testing'
import { loadConfig } from '@sunbae/service-kit'
import { definition } from '../src/service.ts'
import { buildPayment, confirm, dbOf, hold, ledgerUnbalanced, ofPayment, readEvents, testEnv } from './helpers.ts'

const STRIPE_KEY = 'sk_test_local_0123456789'
const TOSS_KEY = 'test_sk_local_0123456789'
// a short chain so that a slow provider is quick to show: 1 s wait + 1 s provider + 1 s margin < 4 s
const CHAIN = { GATEWAY_UPSTREAM_TIMEOUT_MS: '4000', PAYMENT_IDEMPOTENCY_WAIT_MS: '1000', PAYMENT_PROVIDER_TIMEOUT_MS: '1000', DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '1500' }
/** how late the stand-ins answer a charge: past the gateway's whole budget */
const LATE_MS = Number(CHAIN.GATEWAY_UPSTREAM_TIMEOUT_MS) + 1_000

/** charges by our payment id, as the provider recorded them */
const charges = new Map<string, { id: string; amount: number; currency: string }>()
const chargeRequests = new Map<string, number>()
const timers = new Set<NodeJS.Timeout>()
const late = (fn: () => void) => {
  const timer = setTimeout(() => {
    timers.delete(timer)
    fn()
  }, LATE_MS)
  timers.add(timer)
}
const counted = (reference: string) => chargeRequests.set(reference, (chargeRequests.get(reference) ?? 0) + 1)

/** Stripe: PaymentIntents create (slow) and search (quick). */
function stripeApi(): Promise<Upstream> {
  const intent = (reference: string) => {
    const c = charges.get(reference)!
    return { id: c.id, object: 'payment_intent', amount: c.amount, currency: c.currency, status: 'succeeded', metadata: { reference }, last_payment_error: null, cancellation_reason: null }
  }
  return startUpstream((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` }).end(JSON.stringify(body))
      }
      const url = new URL(req.url!, 'http://stripe.local')
      const form = new URLSearchParams(await readBody(req))
      if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
        const reference = form.get('metadata[reference]') ?? ''
        counted(reference)
        if (!charges.has(reference)) charges.set(reference, { id: `pi_${randomBytes(8).toString('hex')}`, amount: Number(form.get('amount')), currency: form.get('currency') ?? '' })
        return late(() => send(200, intent(reference)))
      }
      if (req.method === 'GET' && url.pathname === '/v1/payment_intents/search') {
        const reference = /metadata\['reference'\]:'([^']+)'/.exec(url.searchParams.get('query') ?? '')?.[1] ?? ''
        return send(200, { object: 'search_result', data: charges.has(reference) ? [intent(reference)] : [], has_more: false, url: '/v1/payment_intents/search', next_page: null })
      }
      return send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } })
    })()
  })
}

/** Toss: payments/confirm (slow) and payments/orders/{orderId} (quick). */
function tossApi(): Promise<Upstream> {
  const payment = (orderId: string) => {
    const c = charges.get(orderId)!
    return { paymentKey: c.id, orderId, status: 'DONE', totalAmount: c.amount, currency: 'KRW' }
  }
  return startUpstream((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }
      const body = await readBody(req)
      let m: RegExpExecArray | null
      if (req.method === 'POST' && req.url === '/v1/payments/confirm') {
        const { paymentKey, orderId, amount } = JSON.parse(body) as { paymentKey: string; orderId: string; amount: number }
        counted(orderId)
        if (!charges.has(orderId)) charges.set(orderId, { id: paymentKey, amount, currency: 'KRW' })
        return late(() => send(200, payment(orderId)))
      }
      if (req.method === 'GET' && (m = /^\/v1\/payments\/orders\/([^/]+)$/.exec(req.url ?? ''))) {
        const orderId = decodeURIComponent(m[1]!)
        return charges.has(orderId) ? send(200, payment(orderId)) : send(404, { code: 'NOT_FOUND_PAYMENT', message: 'no such payment' })
      }
      return send(404, { code: 'NOT_FOUND', message: `${req.method} ${req.url}` })
    })()
  })
}

let stripe: Upstream
let toss: Upstream
let app: FastifyInstance
t.before(async () => {
  ;[stripe, toss] = await Promise.all([stripeApi(), tossApi()])
  app = await buildPayment({
    ...CHAIN,
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: 'whsec_stripe_local_0123456789',
    STRIPE_API_URL: stripe.url,
    TOSS_SECRET_KEY: TOSS_KEY,
    TOSS_API_URL: toss.url,
  })
})
t.teardown(async () => {
  for (const timer of timers) clearTimeout(timer)
  await app.close()
  await Promise.all([stripe.close(), toss.close()])
})
t.afterEach(async () => {
  t.same(await ledgerUnbalanced(app), { txns: 0, total: 0 }, 'the ledger balances')
})

for (const provider of ['stripe', 'toss'] as const) {
  t.test(`${provider} answering later than the gateway's budget: the confirm answers processing in time, the payment settles once`, async (t) => {
    const budgetMs = loadConfig(definition.configSchema, testEnv(CHAIN), definition.configDefaults).GATEWAY_UPSTREAM_TIMEOUT_MS
    const b = await hold(app, { price: 30_000 })
    // payments in flight keep the provider they started with: this one goes through Toss
    if (provider === 'toss') await sql`update payments set provider = 'toss' where id = ${b.paymentId}`.execute(dbOf(app))
    const card = provider === 'stripe' ? 'pm_card_visa' : `tpk_${randomBytes(8).toString('hex')}`
    const key = `slow-${provider}-${b.paymentId}`

    const started = Date.now()
    const res = await confirm(app, b.mentee, b.paymentId, card, { 'idempotency-key': key })
    const tookMs = Date.now() - started
    t.ok(tookMs < budgetMs, `answered before the gateway's upstream timeout (${tookMs} ms < ${budgetMs} ms), not a 504`)
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { id: b.paymentId, state: 'processing', provider }, 'the payment as it is: processing, to be polled')
    t.ok(charges.has(b.paymentId), 'the provider did charge')

    const replay = await confirm(app, b.mentee, b.paymentId, card, { 'idempotency-key': key })
    t.equal(replay.headers['idempotent-replayed'], 'true', 'a retry with the key replays that answer')
    t.equal(replay.json().state, 'processing')

    // reconciliation asks the provider (quick to answer now) and books the charge, once
    await app.paymentJobs.reconcile(0, 100)
    await app.paymentJobs.reconcile(0, 100)
    const get = await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: b.mentee.h() })
    t.equal(get.json().state, 'succeeded', 'settled by reconciliation')
    t.equal((await readEvents(app, 'payment.succeeded', ofPayment(b.paymentId), { count: 1, settleMs: 1_000 })).length, 1, 'payment.succeeded once')
    const txns = await dbOf(app).selectFrom('ledger_entries').select('txn_id').where('payment_id', '=', b.paymentId).groupBy('txn_id').execute()
    t.equal(txns.length, 1, 'booked once')
    t.equal(chargeRequests.get(b.paymentId), 1, 'the provider was asked to charge once (no retries inside the call)')
  })
}
