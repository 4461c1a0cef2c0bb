// The Toss Payments adapter against a local HTTP server speaking the part of Toss' REST API v1 it
// uses (confirm, lookup by order id and by paymentKey, cancel; Basic auth; Idempotency-Key;
// @sunbae/testing/provider-apis, shared with the browser journeys' stack).
import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { startTossApi, type TossApi } from '@sunbae/testing/provider-apis'
import { buildPayment, cancelBooking, confirm, dbOf, hold, ledgerUnbalanced, state, waitForState } from './helpers.ts'

const SECRET_KEY = 'test_sk_local_0123456789'

let api: TossApi
let app: FastifyInstance
let payments: TossApi['payments']
let lookups: TossApi['lookups']
t.before(async () => {
  api = await startTossApi({ secretKey: SECRET_KEY, clientKey: 'test_ck_local_0123456789' })
  ;({ payments, lookups } = api)
  app = await buildPayment({ PAYMENT_PROVIDER: 'toss', TOSS_SECRET_KEY: SECRET_KEY, TOSS_API_URL: api.url })
})
t.teardown(async () => {
  await app.close()
  await api.close()
})
t.afterEach(async () => {
  t.same(await ledgerUnbalanced(app), { txns: 0, total: 0 }, 'the ledger balances')
})

const paymentKey = (decided: 'DONE' | 'IN_PROGRESS' | 'REJECT_CARD_PAYMENT') => api.authorize(decided)
const webhook = (raw: string) => app.inject({ method: 'POST', url: '/api/payments/webhooks/toss', headers: { 'content-type': 'application/json' }, payload: raw })

t.test('confirm for the booking price with our payment id as orderId; refund through cancel', async (t) => {
  const b = await hold(app, { price: 70_000 })
  const key = paymentKey('DONE')
  const res = await confirm(app, b.mentee, b.paymentId, key)
  t.match(res.json(), { state: 'succeeded', provider: 'toss', amount: 70_000 })
  t.match(payments.get(key), { orderId: b.paymentId, totalAmount: 70_000 })
  await cancelBooking(app, b, { outcome: 'full', percent: 100, amount: 70_000, currency: 'KRW', paymentId: b.paymentId }, 'mentor')
  await waitForState(app, b.paymentId, 'refunded')
  t.match(payments.get(key), { status: 'CANCELED', balanceAmount: 0 })
})

t.test('a refused card fails the payment with Toss’ code', async (t) => {
  const b = await hold(app)
  t.match((await confirm(app, b.mentee, b.paymentId, paymentKey('REJECT_CARD_PAYMENT'))).json(), { state: 'failed', failureReason: 'REJECT_CARD_PAYMENT' })
  const c = await hold(app)
  t.equal((await confirm(app, c.mentee, c.paymentId, 'not a key!')).json().error.code, 'INVALID_CARD_TOKEN')
})

t.test('webhooks are believed only as far as Toss confirms them; reconciliation by order id', async (t) => {
  const b = await hold(app)
  const key = paymentKey('IN_PROGRESS')
  t.equal((await confirm(app, b.mentee, b.paymentId, key)).json().state, 'processing')
  // a forged "DONE" while Toss still says IN_PROGRESS changes nothing
  const forged = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { paymentKey: key, orderId: b.paymentId, status: 'DONE' } })
  t.same((await webhook(forged)).json(), { received: true, ignored: true })
  t.equal(await state(app, b.paymentId), 'processing')
  const unknown = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { paymentKey: 'tgen_nobody', status: 'DONE' } })
  t.equal((await webhook(unknown)).statusCode, 400, 'a payment Toss does not know')

  payments.get(key)!.status = 'DONE'
  // bodies claiming (paymentKey, DONE) ask Toss once per PAYMENT_WEBHOOK_DEDUPE_SECONDS (see the flood
  // test below): the forged claim's window has passed by the time the real webhook comes
  await dbOf(app).updateTable('webhook_windows').set({ until: new Date() }).where('provider', '=', 'toss').where('key', '=', `${key}:DONE`).execute()
  const real = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { paymentKey: key, status: 'DONE' } })
  t.same((await webhook(real)).json(), { received: true })
  t.equal(await state(app, b.paymentId), 'succeeded')
  t.same((await webhook(real)).json(), { received: true, duplicate: true }, 'the same delivery again')
  t.same((await webhook(JSON.stringify({ eventType: 'DEPOSIT_CALLBACK', createdAt: new Date().toISOString(), data: { orderId: randomBytes(8).toString('hex') } }))).json(), { received: true, ignored: true })

  // the answer lost: processing here, DONE at Toss → reconciliation finds it by orderId
  const c = await hold(app)
  const k2 = paymentKey('IN_PROGRESS')
  await confirm(app, c.mentee, c.paymentId, k2)
  payments.get(k2)!.status = 'DONE'
  await app.reconciler.run()
  t.equal(await state(app, c.paymentId), 'succeeded')
  const row = await dbOf(app).selectFrom('payments').select('provider_ref').where('id', '=', c.paymentId).executeTakeFirstOrThrow()
  t.equal(row.provider_ref, k2)
})

// issue 16, defect 7: Toss webhooks are unauthenticated and each distinct body made us call Toss with
// our secret key. Bodies with one claim (paymentKey, status) now ask Toss once per window — in
// Postgres, so every replica shares it — and the route has its own tight rate limit.
t.test('a flood of distinct bodies claiming one (paymentKey, status) asks Toss once', async (t) => {
  const b = await hold(app)
  const key = paymentKey('IN_PROGRESS')
  t.equal((await confirm(app, b.mentee, b.paymentId, key)).json().state, 'processing')
  const body = (i: number, status = 'DONE') =>
    JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date(Date.now() + i).toISOString(), data: { paymentKey: key, status, nonce: i } })
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => webhook(body(i))))
  t.ok(answers.every((r) => r.statusCode === 200), 'all acknowledged')
  t.equal(lookups.get(key), 1, 'Toss was asked once for 20 bodies')
  t.equal(answers.filter((r) => r.json().duplicate === true).length, 19)
  t.equal(await state(app, b.paymentId), 'processing', 'the forged DONE changed nothing')
  // another claimed status is another question (bounded by the statuses Toss has)
  await webhook(body(100, 'ABORTED'))
  await webhook(body(101, 'made-up'))
  await webhook(body(102, 'also-made-up'))
  t.equal(lookups.get(key), 3, 'made-up statuses share one window')
  // a forged claim holding the window open does not lose the payment: reconciliation asks Toss
  payments.get(key)!.status = 'DONE'
  t.same((await webhook(body(200))).json(), { received: true, duplicate: true })
  await app.reconciler.run()
  t.equal(await state(app, b.paymentId), 'succeeded')
})

t.test('a claim Toss could not answer closes its window: the retry is heard', async (t) => {
  const key = 'tgen_unreachable_toss_0001'
  const body = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { paymentKey: key, status: 'DONE' } })
  // another origin that refuses connections stands in for Toss being down
  const down = await buildPayment({ PAYMENT_PROVIDER: 'toss', TOSS_SECRET_KEY: SECRET_KEY, TOSS_API_URL: 'http://127.0.0.1:9' })
  t.teardown(() => down.close())
  const res = await down.inject({ method: 'POST', url: '/api/payments/webhooks/toss', headers: { 'content-type': 'application/json' }, payload: body })
  t.equal(res.statusCode, 500)
  t.match(res.json(), { error: { code: 'INTERNAL' } })
  const open = await dbOf(app).selectFrom('webhook_windows').select('key').where('provider', '=', 'toss').where('key', '=', `${key}:DONE`).execute()
  t.same(open, [], 'no window left open for the retry')
})

t.test('the webhook route has its own rate limit per provider: 429 in the platform error shape', async (t) => {
  const limited = await buildPayment({ PAYMENT_PROVIDER: 'toss', TOSS_SECRET_KEY: SECRET_KEY, TOSS_API_URL: api.url, PAYMENT_WEBHOOK_RATE_LIMIT: '3' })
  t.teardown(() => limited.close())
  const post = (provider: string, i: number) =>
    limited.inject({
      method: 'POST',
      url: `/api/payments/webhooks/${provider}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { paymentKey: `tgen_flood_${randomBytes(6).toString('hex')}`, status: 'DONE', i } }),
    })
  const before = [...lookups.values()].reduce((a, n) => a + n, 0)
  const codes = []
  for (let i = 0; i < 6; i++) codes.push((await post('toss', i)).statusCode)
  t.same(codes, [400, 400, 400, 429, 429, 429], 'three unknown payments looked up, then refused before anything is read')
  t.equal([...lookups.values()].reduce((a, n) => a + n, 0) - before, 3, 'Toss was asked three times')
  const over = await post('toss', 7)
  t.match(over.json(), { error: { code: 'RATE_LIMITED', message: String, requestId: String } })
  t.ok(Number(over.headers['retry-after']) > 0, 'Retry-After says when')
  t.equal((await post('sandbox', 8)).statusCode, 400, 'another provider has its own budget')
})

t.test('cancel: Toss cancels only approved payments, so an approved one answers succeeded and anything else is over', async (t) => {
  const toss = app.providers.get('toss')!
  const b = await hold(app)
  const done = paymentKey('DONE')
  await confirm(app, b.mentee, b.paymentId, done)
  t.match(await toss.cancel({ reference: b.paymentId, providerRef: done }), { status: 'succeeded', amount: 50_000, providerRef: done }, 'booked and then refunded by the caller')
  const c = await hold(app)
  const waiting = paymentKey('IN_PROGRESS')
  await confirm(app, c.mentee, c.paymentId, waiting)
  t.match(await toss.cancel({ reference: c.paymentId, providerRef: waiting }), { status: 'failed', failureCode: 'canceled' }, 'never confirmed by us: it lapses at Toss')
  t.equal(await toss.cancel({ reference: '0190a3b4-0000-7000-8000-00000000dead', providerRef: null }), null, 'Toss never saw it')
})
