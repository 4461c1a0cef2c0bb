// The Stripe adapter through the official SDK against a local HTTP server that speaks the part of
// Stripe's API it uses (PaymentIntents create / search / retrieve / cancel, Refunds create, form-encoded bodies,
// Idempotency-Key, card errors as 402; @sunbae/testing/provider-apis, shared with the browser journeys'
// stack) — nothing leaves the machine.
import { randomBytes, randomUUID } from 'node:crypto'
import t from 'tap'
import Stripe from 'stripe'
import type { FastifyInstance } from 'fastify'
import { waitFor } from '@sunbae/testing'
import { startStripeApi, type StripeApi, type StripeIntent } from '@sunbae/testing/provider-apis'
import { buildPayment, cancelBooking, confirm, dbOf, hold, ledgerUnbalanced, ofPayment, readEvents, release, state, waitForState } from './helpers.ts'

const SECRET_KEY = 'sk_test_local_0123456789'
const WEBHOOK_SECRET = 'whsec_stripe_local_0123456789'

let api: StripeApi
let app: FastifyInstance
let intents: StripeApi['intents']
let refunds: StripeApi['refunds']
let seenKeys: StripeApi['seenKeys']
t.before(async () => {
  api = await startStripeApi({ secretKey: SECRET_KEY, publishableKey: 'pk_test_local_0123456789' })
  ;({ intents, refunds, seenKeys } = api)
  app = await buildPayment({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: api.url })
})
t.teardown(async () => {
  await app.close()
  await api.close()
})
t.afterEach(async () => {
  t.same(await ledgerUnbalanced(app), { txns: 0, total: 0 }, 'the ledger balances')
})

t.test('pm_card_visa: a confirmed PaymentIntent for the booking price; refund through Stripe on cancellation', async (t) => {
  const b = await hold(app, { price: 45_000 })
  const res = await confirm(app, b.mentee, b.paymentId, 'pm_card_visa')
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { state: 'succeeded', provider: 'stripe', amount: 45_000 })
  const pi = [...intents.values()].find((i) => i.metadata.reference === b.paymentId)!
  t.match(pi, { amount: 45_000, currency: 'krw', status: 'succeeded' })
  t.ok(seenKeys.has(`pi:${b.paymentId}`), 'created under our payment id as Idempotency-Key')
  const row = await dbOf(app).selectFrom('payments').select('provider_ref').where('id', '=', b.paymentId).executeTakeFirstOrThrow()
  t.equal(row.provider_ref, pi.id)

  await cancelBooking(app, b, { outcome: 'partial', percent: 50, amount: 22_500, currency: 'KRW', paymentId: b.paymentId })
  await waitForState(app, b.paymentId, 'partially_refunded')
  t.match(refunds.filter((r) => r.payment_intent === pi.id), [{ amount: 22_500 }])
})

t.test('declines and 3-D Secure', async (t) => {
  const d = await hold(app)
  t.match((await confirm(app, d.mentee, d.paymentId, 'pm_card_chargeDeclined')).json(), { state: 'failed', failureReason: 'generic_decline' })
  const i = await hold(app)
  t.match((await confirm(app, i.mentee, i.paymentId, 'pm_card_chargeDeclinedInsufficientFunds')).json(), { state: 'failed', failureReason: 'insufficient_funds' })
  const a = await hold(app)
  t.match((await confirm(app, a.mentee, a.paymentId, 'pm_card_authenticationRequired')).json(), { state: 'requires_action' })
  t.equal((await confirm(app, a.mentee, a.paymentId, 'pm_card_visa')).json().error.code, 'AUTHENTICATION_REQUIRED')
  const bad = await hold(app)
  t.equal((await confirm(app, bad.mentee, bad.paymentId, 'tok_success')).json().error.code, 'INVALID_CARD_TOKEN', 'Stripe wants a PaymentMethod id')

  // the payer completes the challenge with Stripe.js; Stripe's webhook tells us
  const pi = [...intents.values()].find((x) => x.metadata.reference === a.paymentId)!
  pi.status = 'succeeded'
  const raw = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event', type: 'payment_intent.succeeded', data: { object: pi } })
  const header = new Stripe(SECRET_KEY).webhooks.generateTestHeaderString({ payload: raw, secret: WEBHOOK_SECRET })
  const post = (body: string, sig: string) =>
    app.inject({ method: 'POST', url: '/api/payments/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': sig }, payload: body })
  const wrong = new Stripe(SECRET_KEY).webhooks.generateTestHeaderString({ payload: raw, secret: 'whsec_other_000000000' })
  t.equal((await post(raw, wrong)).json().error.code, 'INVALID_SIGNATURE')
  const old = new Stripe(SECRET_KEY).webhooks.generateTestHeaderString({ payload: raw, secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 })
  t.equal((await post(raw, old)).json().error.code, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE')
  t.same((await post(raw, header)).json(), { received: true })
  t.equal(await state(app, a.paymentId), 'succeeded')
  t.same((await post(raw, header)).json(), { received: true, duplicate: true })
  // a Stripe-signed event cannot settle a sandbox payment, and the sandbox route does not take Stripe's signature
  t.equal((await app.inject({ method: 'POST', url: '/api/payments/webhooks/sandbox', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload: raw })).statusCode, 400)
  const [e] = await readEvents(app, 'payment.succeeded', ofPayment(a.paymentId))
  t.equal(e!.data.amount, 50_000)
})

t.test('reconciliation finds the PaymentIntent by our payment id after a lost answer', async (t) => {
  const b = await hold(app)
  // Stripe charged, our process never heard back (as after a crash): processing with no provider ref
  await dbOf(app).updateTable('payments').set({ state: 'processing' }).where('id', '=', b.paymentId).execute()
  const id = `pi_${randomBytes(8).toString('hex')}`
  const pi: StripeIntent = {
    id,
    client_secret: `${id}_secret_local`,
    payment_method: 'pm_card_visa',
    object: 'payment_intent',
    amount: 50_000,
    currency: 'krw',
    status: 'succeeded',
    metadata: { reference: b.paymentId },
    last_payment_error: null,
    cancellation_reason: null,
  }
  intents.set(pi.id, pi)
  const before = api.requests()
  await app.reconciler.run()
  t.ok(api.requests() > before, 'Stripe was asked')
  t.equal(await state(app, b.paymentId), 'succeeded')
})

// issue 16, defect 4: a 3-D Secure payment released by the hold's expiry is cancelled at Stripe; one the
// payer completed first is booked and refunded through Stripe, never ignored
t.test('a released requires_action PaymentIntent is cancelled at Stripe; one that succeeded first is refunded', async (t) => {
  const a = await hold(app)
  t.equal((await confirm(app, a.mentee, a.paymentId, 'pm_card_authenticationRequired')).json().state, 'requires_action')
  await release(app, a, 'hold_expired')
  await waitForState(app, a.paymentId, 'cancelled')
  await app.reconciler.run()
  const pa = [...intents.values()].find((i) => i.metadata.reference === a.paymentId)!
  t.match(pa, { status: 'canceled', cancellation_reason: 'abandoned' }, 'Stripe was told to cancel the intent')
  t.ok(seenKeys.has(`cancel:${a.paymentId}`), 'under an idempotency key of our payment id')
  t.equal(await state(app, a.paymentId), 'cancelled')

  const b = await hold(app)
  t.equal((await confirm(app, b.mentee, b.paymentId, 'pm_card_authenticationRequired')).json().state, 'requires_action')
  const pb = [...intents.values()].find((i) => i.metadata.reference === b.paymentId)!
  pb.status = 'succeeded' // the payer finished the challenge just before the hold expired
  await release(app, b, 'hold_expired')
  // the release cancels it first (it leaves requires_action only that way here); then the reconciler
  // finds the intent succeeded at Stripe, books it and refunds it — woken by the cancel's commit, it
  // can get there before a poll here would see 'cancelled'
  await waitFor(async () => (await state(app, b.paymentId)) !== 'requires_action', 20_000)
  await waitFor(async () => {
    await app.reconciler.run()
    return (await state(app, b.paymentId)) === 'refunded'
  }, 20_000)
  t.match(refunds.filter((r) => r.payment_intent === pb.id), [{ amount: 50_000 }], 'refunded in full through Stripe')
})
