// Several providers at once (PAYMENT_PROVIDERS=sandbox,stripe,toss), as the web's pay page uses them:
// the providers a payer may choose with each browser SDK's public key; a payment starting with the
// first and moved to the one the payer picks while nothing went to a provider yet; Stripe's 3-D
// Secure answered with the PaymentIntent's client secret (Stripe.js handleNextAction) to the payer
// only; Toss confirmed from a widget session. Stripe and Toss are the local stand-ins of
// @sunbae/testing/provider-apis (the real ones cannot be reached from tests).
import t from 'tap'
import { buildPayment, confirm, hold, state, user, withProviderStandIns, type User } from './helpers.ts'

const stand = withProviderStandIns('sandbox,stripe,toss', 'providers')
const { stripe: STRIPE, toss: TOSS } = stand.keys

const create = (who: User, body: Record<string, unknown>) => stand.app.inject({ method: 'POST', url: '/api/payments', headers: who.h(), payload: body })
const get = (who: User, id: string) => stand.app.inject({ method: 'GET', url: `/api/payments/${id}`, headers: who.h() })

/** What Stripe.js does in the payer's browser: a PaymentMethod from the card number (publishable key). */
async function paymentMethod(card: string): Promise<string> {
  const res = await fetch(`${stand.stripe.url}/v1/payment_methods`, { method: 'POST', body: new URLSearchParams({ key: STRIPE.publishableKey, type: 'card', 'card[number]': card }) })
  return ((await res.json()) as { id: string }).id
}

t.test('the providers a payer may choose, the first the default, with the currencies each takes and the public key of each browser SDK', async (t) => {
  const res = await stand.app.inject({ method: 'GET', url: '/api/payments/providers', headers: user().h() })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    items: [
      { name: 'sandbox', publicKey: null, currencies: null },
      { name: 'stripe', publicKey: STRIPE.publishableKey, currencies: null },
      { name: 'toss', publicKey: TOSS.clientKey, currencies: ['KRW'] },
    ],
  })
  t.equal((await stand.app.inject({ method: 'GET', url: '/api/payments/providers' })).statusCode, 401, 'signed-in users only')
  const b = await hold(stand.app)
  t.equal((await get(b.mentee, b.paymentId)).json().provider, 'sandbox', 'a payment starts with the first')
})

t.test('Stripe picked on the pay page: 3-D Secure with the client secret for Stripe.js, then the outcome read back', async (t) => {
  const b = await hold(stand.app, { price: 40_000 })
  const picked = await create(b.mentee, { bookingId: b.bookingId, provider: 'stripe' })
  t.equal(picked.statusCode, 200, picked.body)
  t.match(picked.json(), { id: b.paymentId, provider: 'stripe', state: 'requires_payment' })

  const res = await confirm(stand.app, b.mentee, b.paymentId, await paymentMethod('4000002500003155'))
  t.equal(res.statusCode, 200, res.body)
  const pi = stand.stripe.intentFor(b.paymentId)!
  t.match(pi, { amount: 40_000, currency: 'krw', status: 'requires_action' })
  t.match(res.json(), { state: 'requires_action', nextAction: { type: 'authenticate', clientSecret: pi.client_secret } }, "the payer's answer carries the client secret")
  t.notOk((await get(b.mentee, b.paymentId)).json().nextAction.clientSecret, 'a read of the payment does not')
  t.notOk((await get(b.mentor, b.paymentId)).json().nextAction.clientSecret, 'nor does the mentor see it')

  // the payer did not finish the challenge yet (a reload): /authenticate answers a fresh secret
  const again = await stand.app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: b.mentee.h(), payload: { outcome: 'approve' } })
  t.match(again.json(), { state: 'requires_action', nextAction: { clientSecret: pi.client_secret } })

  // Stripe.js's handleNextAction: the issuer's challenge completed (what hooks.stripe.com reports)
  const done = await fetch(`${stand.stripe.url}/v1/payment_intents/${pi.id}/stand_in_3ds`, {
    method: 'POST',
    body: new URLSearchParams({ key: STRIPE.publishableKey, client_secret: pi.client_secret, outcome: 'complete' }),
  })
  t.equal(done.status, 200)
  const after = await stand.app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: b.mentee.h({ 'idempotency-key': 'after-3ds' }), payload: { outcome: 'approve' } })
  t.match(after.json(), { state: 'succeeded', provider: 'stripe', nextAction: null })

  // started at Stripe: it stays there
  const late = await create(b.mentee, { bookingId: b.bookingId, provider: 'toss' })
  t.equal(late.statusCode, 409)
  t.equal(late.json().error.code, 'ILLEGAL_TRANSITION')
})

t.test('a failed 3-D Secure challenge fails the payment', async (t) => {
  const b = await hold(stand.app)
  await create(b.mentee, { bookingId: b.bookingId, provider: 'stripe' })
  const res = await confirm(stand.app, b.mentee, b.paymentId, await paymentMethod('4000000000003220'))
  const secret = res.json().nextAction.clientSecret as string
  const pi = stand.stripe.intentFor(b.paymentId)!
  await fetch(`${stand.stripe.url}/v1/payment_intents/${pi.id}/stand_in_3ds`, { method: 'POST', body: new URLSearchParams({ key: STRIPE.publishableKey, client_secret: secret, outcome: 'fail' }) })
  const after = await stand.app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: b.mentee.h(), payload: { outcome: 'approve' } })
  t.match(after.json(), { state: 'failed', failureReason: 'payment_intent_authentication_failure' })
})

t.test('Toss picked: the widget session for this order and amount is confirmed server-side', async (t) => {
  const b = await hold(stand.app, { price: 35_000 })
  t.match((await create(b.mentee, { bookingId: b.bookingId, provider: 'toss' })).json(), { provider: 'toss' })
  // the widget's requestPayment opens a session for our payment id and the amount it was given
  const session = async (amount: number) => {
    const res = await fetch(`${stand.toss.url}/v1/stand-in/payment-sessions`, { method: 'POST', body: new URLSearchParams({ clientKey: TOSS.clientKey, orderId: b.paymentId, amount: String(amount) }) })
    return ((await res.json()) as { paymentKey: string }).paymentKey
  }
  // a page that told the widget another amount: Toss refuses to confirm our amount for it
  t.match((await confirm(stand.app, b.mentee, b.paymentId, await session(1_000))).json(), { state: 'failed', failureReason: 'INVALID_REQUEST' })

  const c = await hold(stand.app, { price: 35_000 })
  await create(c.mentee, { bookingId: c.bookingId, provider: 'toss' })
  const res = await fetch(`${stand.toss.url}/v1/stand-in/payment-sessions`, { method: 'POST', body: new URLSearchParams({ clientKey: TOSS.clientKey, orderId: c.paymentId, amount: '35000' }) })
  const { paymentKey } = (await res.json()) as { paymentKey: string }
  t.match((await confirm(stand.app, c.mentee, c.paymentId, paymentKey)).json(), { state: 'succeeded', provider: 'toss', amount: 35_000 })
  t.match(stand.toss.payments.get(paymentKey), { orderId: c.paymentId, totalAmount: 35_000, status: 'DONE' })
})

t.test('back and forth before paying; bad provider names are 400', async (t) => {
  const b = await hold(stand.app)
  t.equal((await create(b.mentee, { bookingId: b.bookingId, provider: 'toss' })).json().provider, 'toss')
  t.equal((await create(b.mentee, { bookingId: b.bookingId, provider: 'sandbox' })).json().provider, 'sandbox')
  t.equal((await create(b.mentee, { bookingId: b.bookingId })).json().provider, 'sandbox', 'no provider named: the payment as it is')
  t.match((await confirm(stand.app, b.mentee, b.paymentId, 'tok_success')).json(), { state: 'succeeded', provider: 'sandbox' })

  for (const provider of ['paypal', '', 'STRIPE', 42, null]) {
    const res = await create(b.mentee, { bookingId: b.bookingId, provider })
    t.equal(res.statusCode, 400, JSON.stringify(provider))
    t.equal(res.json().error.code, 'VALIDATION_FAILED')
  }
  const other = user()
  t.equal((await create(other, { bookingId: b.bookingId, provider: 'stripe' })).json().error.code, 'NOT_YOUR_BOOKING')
  t.equal(await state(stand.app, b.paymentId), 'succeeded')
})

t.test('a provider this platform does not offer: 400 PROVIDER_NOT_ENABLED', async (t) => {
  const only = await buildPayment({ PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'sandbox' })
  t.teardown(() => only.close())
  const b = await hold(only)
  const res = await only.inject({ method: 'POST', url: '/api/payments', headers: b.mentee.h(), payload: { bookingId: b.bookingId, provider: 'stripe' } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, 'PROVIDER_NOT_ENABLED')
  t.same((await only.inject({ method: 'GET', url: '/api/payments/providers', headers: b.mentee.h() })).json(), { items: [{ name: 'sandbox', publicKey: null, currencies: null }] })
})
