import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { identityKey } from '@sunbae/service-kit/identity'
import { TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { buildPayment, paymentSuite, confirm, dbOf, hold, ofPayment, readEvents, signedWebhook, state } from './helpers.ts'

const app = await paymentSuite()

const chargeEvent = (paymentId: string, status: string, over: Record<string, unknown> = {}) => ({
  id: `evt_${randomUUID()}`,
  type: `charge.${status}`,
  created: Math.floor(Date.now() / 1000),
  data: { object: { id: `ch_${randomUUID()}`, reference: paymentId, amount: 50_000, currency: 'KRW', status, failure_code: null, ...over } },
})

const post = (raw: string, headers: Record<string, string>, provider = 'sandbox') =>
  app.inject({ method: 'POST', url: `/api/payments/webhooks/${provider}`, headers, payload: raw })

/** A payment waiting on the provider (a delayed card), whose outcome only a webhook or reconciliation brings. */
async function processing() {
  const b = await hold(app)
  const res = await confirm(app, b.mentee, b.paymentId, 'tok_delayed')
  if (res.json().state !== 'processing') throw new Error(res.body)
  return b
}

t.test('a signed charge.succeeded settles a processing payment; its replay is acknowledged and ignored', async (t) => {
  const b = await processing()
  const event = chargeEvent(b.paymentId, 'succeeded')
  const { raw, headers } = signedWebhook(event)
  const res = await post(raw, headers)
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { received: true })
  t.equal(await state(app, b.paymentId), 'succeeded')
  const replay = await post(raw, headers)
  t.equal(replay.statusCode, 200)
  t.same(replay.json(), { received: true, duplicate: true })
  const succeeded = await readEvents(app, 'payment.succeeded', ofPayment(b.paymentId), { count: 1, settleMs: 800 })
  t.equal(succeeded.length, 1, 'published once')
  // the same news under a new event id changes nothing either
  const again = signedWebhook(chargeEvent(b.paymentId, 'succeeded'))
  t.same((await post(again.raw, again.headers)).json(), { received: true, ignored: true })
})

t.test('charge.failed fails it; a webhook for another amount is refused (500 → the provider retries)', async (t) => {
  const b = await processing()
  const failed = signedWebhook(chargeEvent(b.paymentId, 'failed', { failure_code: 'card_declined' }))
  t.equal((await post(failed.raw, failed.headers)).statusCode, 200)
  t.equal(await state(app, b.paymentId), 'failed')

  const c = await processing()
  const wrong = signedWebhook(chargeEvent(c.paymentId, 'succeeded', { amount: 1 }))
  t.equal((await post(wrong.raw, wrong.headers)).statusCode, 500)
  t.equal(await state(app, c.paymentId), 'processing')
  const seen = await dbOf(app).selectFrom('webhook_events').select('event_id').where('event_id', '=', JSON.parse(wrong.raw).id).execute()
  t.same(seen, [], 'not recorded: the retry will be looked at again')
})

t.test('bad signatures, stale or future timestamps, tampered bodies, missing headers: 400 and nothing changes', async (t) => {
  const b = await processing()
  const event = chargeEvent(b.paymentId, 'succeeded')
  const wrongKey = signedWebhook(event, { secret: 'whsec_not_the_secret_0000' })
  const r1 = await post(wrongKey.raw, wrongKey.headers)
  t.equal(r1.statusCode, 400)
  t.equal(r1.json().error.code, 'INVALID_SIGNATURE')

  const good = signedWebhook(event)
  const tampered = good.raw.replace('"amount":50000', '"amount":50001')
  t.not(tampered, good.raw)
  t.equal((await post(tampered, good.headers)).json().error.code, 'INVALID_SIGNATURE', 'the signature covers the raw bytes')
  const reformatted = JSON.stringify(event, null, 2)
  t.equal((await post(reformatted, good.headers)).statusCode, 400, 'even whitespace matters')

  const stale = signedWebhook(event, { at: Math.floor(Date.now() / 1000) - 301 })
  const r2 = await post(stale.raw, stale.headers)
  t.equal(r2.statusCode, 400)
  t.equal(r2.json().error.code, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE')
  const future = signedWebhook(event, { at: Math.floor(Date.now() / 1000) + 301 })
  t.equal((await post(future.raw, future.headers)).json().error.code, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE')

  t.equal((await post(good.raw, { 'content-type': 'application/json' })).json().error.code, 'INVALID_SIGNATURE')
  t.equal((await post(good.raw, { ...good.headers, 'sandbox-signature': 't=abc,v1=zz' })).statusCode, 400)
  t.equal((await post('not json', { 'content-type': 'application/json', 'sandbox-signature': signedWebhook('x').headers['sandbox-signature'] })).statusCode, 400)
  t.equal((await post(good.raw, good.headers, 'paypal')).statusCode, 404, 'unknown provider')
  t.equal(await state(app, b.paymentId), 'processing', 'nothing was applied')

  // several v1 signatures (key rotation): one matching is enough
  const rotated = { ...good.headers, 'sandbox-signature': `${good.headers['sandbox-signature']},v1=${'0'.repeat(64)}` }
  t.equal((await post(good.raw, rotated)).statusCode, 200)
  t.equal(await state(app, b.paymentId), 'succeeded')
})

t.test('unknown event types and unknown payments are acknowledged and logged', async (t) => {
  const unknown = signedWebhook({ id: `evt_${randomUUID()}`, type: 'customer.created', data: { object: { id: 'cus_1' } } })
  const r = await post(unknown.raw, unknown.headers)
  t.equal(r.statusCode, 200)
  t.same(r.json(), { received: true, ignored: true })
  const nobody = signedWebhook(chargeEvent(randomUUID(), 'succeeded'))
  t.same((await post(nobody.raw, nobody.headers)).json(), { received: true, ignored: true })
})

t.test('reconciliation: a lost webhook is recovered by asking the provider; no record at all fails after a while', async (t) => {
  const b = await processing()
  t.equal((await app.reconciler.run()).settled, 0, 'the provider has not settled yet: nothing to do')
  t.equal(await state(app, b.paymentId), 'processing')
  await sql`update sandbox_charges set settles_at = now() where reference = ${b.paymentId}`.execute(dbOf(app))
  const r = await app.reconciler.run()
  t.ok(r.settled >= 1)
  t.equal(await state(app, b.paymentId), 'succeeded')
  const [e] = await readEvents(app, 'payment.succeeded', ofPayment(b.paymentId))
  t.equal(e!.actor.type, 'system')
  // the webhook arriving late changes nothing
  const late = signedWebhook(chargeEvent(b.paymentId, 'succeeded'))
  t.same((await post(late.raw, late.headers)).json(), { received: true, ignored: true })

  // processing, but the provider never saw it (we crashed before asking): failed after the abandon time
  const c = await hold(app)
  await dbOf(app).updateTable('payments').set({ state: 'processing', updated_at: new Date(Date.now() - 11 * 60_000) }).where('id', '=', c.paymentId).execute()
  await app.reconciler.run()
  t.equal(await state(app, c.paymentId), 'failed')
  const [f] = await readEvents(app, 'payment.failed', ofPayment(c.paymentId))
  t.equal(f!.data.reason, 'provider_no_record')
})

t.test('in production there is no sandbox: its webhooks, signed with the public dev secret, settle nothing', async (t) => {
  // first, while this app alone consumes meeting's events (a production one would make it a Stripe payment)
  const b = await processing()
  const prod = await buildPayment({
    NODE_ENV: 'production',
    IDENTITY_KEY: identityKey(TEST_IDENTITY_SECRET, 'payment'),
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_local_0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_local_0123456789',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_local_0123456789',
    STRIPE_API_URL: 'http://127.0.0.1:9',
    PAYMENT_SANDBOX_WEBHOOK_SECRET: '',
  })
  t.teardown(() => prod.close())
  const signed = signedWebhook(chargeEvent(b.paymentId, 'succeeded'), { secret: 'whsec_sandbox_local_only_0123456789' })
  const res = await prod.inject({ method: 'POST', url: '/api/payments/webhooks/sandbox', headers: signed.headers, payload: signed.raw })
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, 'UNKNOWN_PROVIDER')
  t.equal(await state(app, b.paymentId), 'processing')
})
