// A provider is never handed a payment in a currency it does not take: Toss Payments settles KRW only,
// Stripe and the sandbox any (PAYMENT_PROVIDERS=toss,stripe,sandbox: Toss first, as a Korean platform
// would have it). A payment starts with the first provider that takes the booking's currency; naming
// one that does not is 400 CURRENCY_NOT_SUPPORTED before anything changes (a new payment, a switch,
// even a payment already started); GET /api/payments/providers says which currencies each takes.
// Stripe and Toss are the local stand-ins of @sunbae/testing/provider-apis.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildPayment, confirm, dbOf, hold, user, withProviderStandIns, type User } from './helpers.ts'

const stand = withProviderStandIns('toss,stripe,sandbox', 'currencies')
const { stripe: STRIPE, toss: TOSS } = stand.keys

const create = (on: FastifyInstance, who: User, body: Record<string, unknown>) => on.inject({ method: 'POST', url: '/api/payments', headers: who.h(), payload: body })
/** the payment's row as stored, every column (updated_at included) */
const row = (on: FastifyInstance, id: string) => dbOf(on).selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

t.test('the providers report the currencies they take', async (t) => {
  const res = await stand.app.inject({ method: 'GET', url: '/api/payments/providers', headers: user().h() })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    items: [
      { name: 'toss', publicKey: TOSS.clientKey, currencies: ['KRW'] },
      { name: 'stripe', publicKey: STRIPE.publishableKey, currencies: null },
      { name: 'sandbox', publicKey: null, currencies: null },
    ],
  })
})

t.test('a payment starts with the first provider that takes its currency', async (t) => {
  const krw = await hold(stand.app, { currency: 'KRW' })
  t.equal((await row(stand.app, krw.paymentId)).provider, 'toss', 'KRW: Toss, the first')
  const usd = await hold(stand.app, { currency: 'USD', price: 4_500 })
  const p = await row(stand.app, usd.paymentId)
  t.match(p, { provider: 'stripe', currency: 'USD', amount: 4_500 }, 'USD: Stripe, the first that takes it (Toss skipped)')
  // no provider named: the existing payment as it is
  const again = await create(stand.app, usd.mentee, { bookingId: usd.bookingId })
  t.equal(again.statusCode, 200, again.body)
  t.match(again.json(), { id: usd.paymentId, provider: 'stripe' })
})

t.test('Toss named for a USD booking: 400 CURRENCY_NOT_SUPPORTED, the payment untouched', async (t) => {
  const b = await hold(stand.app, { currency: 'USD' })
  const before = await row(stand.app, b.paymentId)
  const res = await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'toss' })
  t.equal(res.statusCode, 400, res.body)
  t.equal(res.json().error.code, 'CURRENCY_NOT_SUPPORTED')
  t.equal(res.json().error.message, 'toss does not take payments in USD; pay with stripe or sandbox', 'it names the currency and the providers that take it')
  t.same(await row(stand.app, b.paymentId), before, 'the payment row is as it was (provider, state, updated_at)')

  // a provider that takes it: the switch works, and Toss is still refused afterwards
  const sandbox = await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'sandbox' })
  t.equal(sandbox.statusCode, 200, sandbox.body)
  t.equal(sandbox.json().provider, 'sandbox')
  const moved = await row(stand.app, b.paymentId)
  t.equal((await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'toss' })).json().error?.code, 'CURRENCY_NOT_SUPPORTED')
  t.same(await row(stand.app, b.paymentId), moved, 'still the sandbox, unchanged')

  // someone else's booking is still not theirs to ask about
  t.equal((await create(stand.app, user(), { bookingId: b.bookingId, provider: 'toss' })).json().error.code, 'NOT_YOUR_BOOKING')
})

t.test('a USD payment already started: Toss is refused for its currency, the payment stays as it is', async (t) => {
  const b = await hold(stand.app, { currency: 'USD' })
  t.equal((await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'sandbox' })).statusCode, 200)
  t.match((await confirm(stand.app, b.mentee, b.paymentId, 'tok_success')).json(), { state: 'succeeded', provider: 'sandbox', currency: 'USD' })
  const before = await row(stand.app, b.paymentId)
  const res = await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'toss' })
  t.equal(res.statusCode, 400, res.body)
  t.equal(res.json().error.code, 'CURRENCY_NOT_SUPPORTED')
  t.same(await row(stand.app, b.paymentId), before, 'the payment row is as it was')
  // a provider that takes USD: the started payment keeps its own (as before)
  t.equal((await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'stripe' })).json().error.code, 'ILLEGAL_TRANSITION')
})

t.test('a KRW booking may move to Toss', async (t) => {
  const b = await hold(stand.app, { currency: 'KRW' })
  t.equal((await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'stripe' })).json().provider, 'stripe')
  const back = await create(stand.app, b.mentee, { bookingId: b.bookingId, provider: 'toss' })
  t.equal(back.statusCode, 200, back.body)
  t.equal(back.json().provider, 'toss')
})

t.test('no provider offered takes the currency: no payment, and POST /api/payments answers 400', async (t) => {
  // Toss alone. This stand.app also consumes meeting's bookings, so this test publishes none: it hands the
  // held bookings to the stand.app's handler itself, as the consumer would
  const only = await buildPayment({ PAYMENT_PROVIDER: 'toss', PAYMENT_PROVIDERS: '', TOSS_SECRET_KEY: TOSS.secretKey, TOSS_CLIENT_KEY: TOSS.clientKey, TOSS_API_URL: stand.toss.url })
  t.teardown(() => only.close())
  t.same((await only.inject({ method: 'GET', url: '/api/payments/providers', headers: user().h() })).json(), { items: [{ name: 'toss', publicKey: TOSS.clientKey, currencies: ['KRW'] }] })

  const mentee = user()
  const held = (currency: string) => {
    const start = Date.now() + 48 * 3_600_000
    return {
      bookingId: randomUUID(),
      menteeUid: mentee.uid,
      mentorId: randomUUID(),
      mentorUid: `u-${randomUUID()}`,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 3_600_000).toISOString(),
      price: 30_000,
      currency,
      holdExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    }
  }
  const usd = held('USD')
  const krw = held('KRW')
  for (const d of [usd, krw]) await dbOf(only).transaction().execute((tx) => only.bookingHandlers.onBookingHeld(d, tx))
  const ofBooking = (bookingId: string) => dbOf(only).selectFrom('payments').selectAll().where('booking_id', '=', bookingId).execute()
  t.equal((await ofBooking(usd.bookingId)).length, 0, 'the USD booking got no payment')
  t.match(await ofBooking(krw.bookingId), [{ provider: 'toss', currency: 'KRW' }], 'the KRW one got its Toss payment')

  for (const body of [{ bookingId: usd.bookingId }, { bookingId: usd.bookingId, provider: 'toss' }]) {
    const res = await create(only, mentee, body)
    t.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
    t.equal(res.json().error.code, 'CURRENCY_NOT_SUPPORTED')
  }
  t.equal((await create(only, mentee, { bookingId: usd.bookingId })).json().error.message, 'No payment provider offered here takes payments in USD')
  t.equal((await ofBooking(usd.bookingId)).length, 0, 'still none')
})
