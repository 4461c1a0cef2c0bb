// Issue 16, defect 4: a 3-D Secure payment completed after its hold expired was charged and then
// ignored. Now a requires_action payment that is released is cancelled at the provider too, and a
// success reported for a payment already cancelled here is booked and refunded in full.
import t from 'tap'
import { sql } from 'kysely'
import { waitFor } from '@sunbae/testing'
import { paymentSuite, confirm, dbOf, hold, ledgerOf, ofPayment, readEvents, release, signedWebhook, state, waitForState } from './helpers.ts'

const app = await paymentSuite()

const charge = (paymentId: string) => dbOf(app).selectFrom('sandbox_charges').selectAll().where('reference', '=', paymentId).executeTakeFirstOrThrow()
const providerCancel = async (paymentId: string) =>
  (await dbOf(app).selectFrom('payments').select('provider_cancel').where('id', '=', paymentId).executeTakeFirstOrThrow()).provider_cancel

/** A payment waiting on the payer's 3-D Secure answer whose hold then expired. */
async function releasedWhileAuthenticating() {
  const b = await hold(app)
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_authenticate')).json().state, 'requires_action')
  await release(app, b, 'hold_expired')
  await waitForState(app, b.paymentId, 'cancelled')
  return b
}

t.test('a released requires_action payment is cancelled at the provider, so the payer can no longer complete it', async (t) => {
  const b = await releasedWhileAuthenticating()
  // the worker is kicked after the release commits; run it by hand too so the test does not wait on a timer
  await app.reconciler.run()
  await waitFor(async () => (await providerCancel(b.paymentId)) === 'done')
  t.match(await charge(b.paymentId), { status: 'failed', failure_code: 'canceled' }, 'the provider was told to cancel the charge')
  // the payer finishing the challenge now changes nothing anywhere
  const late = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: b.mentee.h(), payload: { outcome: 'approve' } })
  t.equal(late.statusCode, 409)
  t.equal((await charge(b.paymentId)).status, 'failed')
  t.equal(await state(app, b.paymentId), 'cancelled')
  t.same(await ledgerOf(app, b.paymentId), {}, 'no money moved')
})

t.test('the payer completed 3-D Secure before the cancel reached the provider: booked and refunded in full', async (t) => {
  const b = await hold(app)
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_authenticate')).json().state, 'requires_action')
  // the challenge succeeds at the provider (the sandbox's books) while our hold expires
  await sql`update sandbox_charges set status = 'succeeded' where reference = ${b.paymentId}`.execute(dbOf(app))
  await release(app, b, 'hold_expired')
  // the release cancels it first (it leaves requires_action only that way here); then the reconciler,
  // which the cancel's commit wakes, books the success and refunds it — possibly before a poll here
  // would see 'cancelled' (the events below show every step)
  await waitFor(async () => (await state(app, b.paymentId)) !== 'requires_action', 20_000)
  await waitFor(async () => {
    await app.reconciler.run()
    return (await state(app, b.paymentId)) === 'refunded'
  }, 20_000)
  t.equal((await charge(b.paymentId)).refunded, 50_000, 'the provider refunded the whole charge')
  const events = await readEvents(app, 'payment.>', ofPayment(b.paymentId), { count: 6 })
  t.same(events.map((e) => e.type), ['payment.created', 'payment.processing', 'payment.action_required', 'payment.cancelled', 'payment.succeeded', 'payment.refunded'])
  t.match(events[5]!.data, { refundAmount: 50_000, refundedTotal: 50_000, state: 'refunded', reason: 'paid_after_cancelled' })
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 0, mentor_payable: 0, platform_revenue: 0 }, 'charged and given back')
})

t.test('a signed success webhook for a payment already cancelled here queues a full refund; it is never ignored', async (t) => {
  const b = await hold(app)
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_authenticate')).json().state, 'requires_action')
  const cancel = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/cancel`, headers: b.mentee.h() })
  t.equal(cancel.json().state, 'cancelled')
  await app.reconciler.run()
  await waitFor(async () => (await providerCancel(b.paymentId)) === 'done')
  // and yet the provider reports the charge went through (the payer's answer crossed our cancel)
  await sql`update sandbox_charges set status = 'succeeded' where reference = ${b.paymentId}`.execute(dbOf(app))
  const c = await charge(b.paymentId)
  const { raw, headers } = signedWebhook({
    id: `evt_late_${b.paymentId}`,
    type: 'charge.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: c.id, reference: b.paymentId, amount: 50_000, currency: 'KRW', status: 'succeeded', failure_code: null } },
  })
  const res = await app.inject({ method: 'POST', url: '/api/payments/webhooks/sandbox', headers, payload: raw })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { received: true }, 'acted on, not ignored')
  const row = await dbOf(app).selectFrom('payments').selectAll().where('id', '=', b.paymentId).executeTakeFirstOrThrow()
  t.equal(row.fee, 5_000, 'the charge was booked with its fee')
  const refunds = await dbOf(app).selectFrom('refunds').selectAll().where('payment_id', '=', b.paymentId).execute()
  t.match(refunds, [{ amount: 50_000, cause: `late:${b.paymentId}` }], 'a full refund is queued')
  await app.reconciler.run()
  await waitForState(app, b.paymentId, 'refunded')
  t.equal((await charge(b.paymentId)).refunded, 50_000)
  // the same news again changes nothing
  t.same((await app.inject({ method: 'POST', url: '/api/payments/webhooks/sandbox', headers, payload: raw })).json(), { received: true, duplicate: true })
})
