import t from 'tap'
import { sql } from 'kysely'
import { TRANSITIONS, canMove } from '../src/payments/state.ts'
import {
  confirm,
  dbOf,
  hold,
  ledgerOf,
  ofPayment,
  paymentSuite,
  readEvents,
  release,
  state,
  user,
  waitForState,
} from './helpers.ts'
import { waitFor } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'

const app = await paymentSuite()

t.test('a held booking gets a payment for its price; POST /api/payments finds it; nobody else may touch it', async (t) => {
  const b = await hold(app, { price: 42_000 })
  const [created] = await readEvents(app, 'payment.created', ofPayment(b.paymentId))
  t.match(created!.data, { bookingId: b.bookingId, amount: 42_000, currency: 'KRW', menteeUid: b.mentee.uid, mentorUid: b.mentor.uid })

  const res = await app.inject({ method: 'POST', url: '/api/payments', headers: b.mentee.h(), payload: { bookingId: b.bookingId } })
  t.equal(res.statusCode, 200, 'it already existed')
  t.match(res.json(), { id: b.paymentId, state: 'requires_payment', amount: 42_000, currency: 'KRW', refunds: [] })
  t.ok(res.json().holdExpiresAt, 'the hold deadline is shown')

  const other = user()
  t.equal((await app.inject({ method: 'POST', url: '/api/payments', headers: other.h(), payload: { bookingId: b.bookingId } })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: other.h() })).statusCode, 403)
  t.equal((await confirm(app, other, b.paymentId, 'tok_success')).statusCode, 403, 'only the payer pays')
  t.equal((await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: b.mentor.h() })).statusCode, 200, 'the mentor may look')
  t.equal((await app.inject({ method: 'POST', url: '/api/payments', headers: other.h(), payload: { bookingId: '0190a3b4-0000-7000-8000-000000000000' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/api/payments', payload: { bookingId: b.bookingId } })).statusCode, 401)
})

t.test('an unverified payer is refused (403 EMAIL_UNVERIFIED) before anything is charged; verified, the same key pays', async (t) => {
  const b = await hold(app, { price: 20_000 })
  const unverified = (extra: Record<string, string> = {}) => ({ ...identityHeaders({ uid: b.mentee.uid, role: 'mentee', emailVerified: false }), ...extra })
  const key = { 'idempotency-key': `verify-${b.paymentId}` }
  const attempts = [
    await app.inject({ method: 'POST', url: '/api/payments', headers: unverified(), payload: { bookingId: b.bookingId } }),
    await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/confirm`, headers: unverified(key), payload: { cardToken: 'tok_success' } }),
    await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: unverified(), payload: { outcome: 'approve' } }),
  ]
  for (const res of attempts) {
    t.equal(res.statusCode, 403, res.body)
    t.equal(res.json().error.code, 'EMAIL_UNVERIFIED')
  }
  t.equal((await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: unverified() })).statusCode, 200, 'looking stays open')
  t.equal(await state(app, b.paymentId), 'requires_payment', 'nothing moved')
  const charges = await dbOf(app).selectFrom('sandbox_charges').select('id').where('reference', '=', b.paymentId).execute()
  t.equal(charges.length, 0, 'the provider was never asked')
  t.same(await ledgerOf(app, b.paymentId), {}, 'no ledger entry')

  const paid = await confirm(app, b.mentee, b.paymentId, 'tok_success', key)
  t.equal(paid.statusCode, 200, paid.body)
  t.equal(paid.json().state, 'succeeded', 'verified, the same Idempotency-Key pays: the refusal was not stored as its answer')
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 20_000, mentor_payable: -18_000, platform_revenue: -2_000 })
})

t.test('amount tampering is impossible: the client cannot send an amount, the charge is the booking price', async (t) => {
  const b = await hold(app, { price: 30_000 })
  const tampered = await app.inject({ method: 'POST', url: '/api/payments', headers: b.mentee.h(), payload: { bookingId: b.bookingId, amount: 1 } })
  t.equal(tampered.statusCode, 400)
  t.equal(tampered.json().error.code, 'VALIDATION_FAILED')
  const c = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/confirm`, headers: b.mentee.h(), payload: { cardToken: 'tok_success', amount: 1 } })
  t.equal(c.statusCode, 400, 'nor on confirm')
  const ok = await confirm(app, b.mentee, b.paymentId, 'tok_success')
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().amount, 30_000)
  const charge = await dbOf(app).selectFrom('sandbox_charges').selectAll().where('reference', '=', b.paymentId).executeTakeFirstOrThrow()
  t.equal(charge.amount, 30_000, 'the provider was asked for the booking price')
  // a provider answering with another amount is never booked
  const other = await hold(app, { price: 10_000 })
  await dbOf(app).updateTable('payments').set({ state: 'processing' }).where('id', '=', other.paymentId).execute()
  await t.rejects(
    dbOf(app).transaction().execute((trx) => app.payments.applyOutcome(trx, other.paymentId, { status: 'succeeded', providerRef: 'ch_x', amount: 1, currency: 'KRW' }, { type: 'system', id: null })),
    /provider charged 1 KRW/,
  )
  t.equal(await state(app, other.paymentId), 'processing')
})

t.test('tok_success: processing → succeeded, payment.succeeded once, ledger charge with the platform fee', async (t) => {
  const b = await hold(app, { price: 50_000 })
  const res = await confirm(app, b.mentee, b.paymentId, 'tok_success')
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().state, 'succeeded')
  const events = await readEvents(app, 'payment.>', ofPayment(b.paymentId), { count: 3, settleMs: 500 })
  t.same(events.map((e) => e.type), ['payment.created', 'payment.processing', 'payment.succeeded'])
  t.match(events[2]!.data, { bookingId: b.bookingId, amount: 50_000, currency: 'KRW' })
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 50_000, mentor_payable: -45_000, platform_revenue: -5_000 })

  const again = await confirm(app, b.mentee, b.paymentId, 'tok_success')
  t.equal(again.statusCode, 409, 'a succeeded payment cannot be paid again')
  t.equal(again.json().error.code, 'ILLEGAL_TRANSITION')
  const cancel = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/cancel`, headers: b.mentee.h() })
  t.equal(cancel.statusCode, 409)
  t.equal(cancel.json().error.code, 'ILLEGAL_TRANSITION')
  const auth = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: b.mentee.h(), payload: { outcome: 'approve' } })
  t.equal(auth.statusCode, 409)

  const mine = await app.inject({ method: 'GET', url: '/api/payments/mine', headers: b.mentee.h() })
  t.same(mine.json().items.map((p: { id: string }) => p.id), [b.paymentId])
  const earnings = await app.inject({ method: 'GET', url: '/api/payments/earnings', headers: b.mentor.h() })
  t.equal(earnings.statusCode, 200)
  t.match(earnings.json(), { totals: [{ currency: 'KRW', gross: 50_000, fee: 5_000, refunded: 0, net: 45_000 }], items: [{ paymentId: b.paymentId, net: 45_000 }] })
  t.equal((await app.inject({ method: 'GET', url: '/api/payments/earnings', headers: b.mentee.h() })).statusCode, 403, 'mentors only')
})

t.test('declined and insufficient funds: failed with the reason, payment.failed, no ledger lines', async (t) => {
  for (const [token, reason] of [['tok_decline', 'card_declined'], ['tok_insufficient_funds', 'insufficient_funds']] as const) {
    const b = await hold(app)
    const res = await confirm(app, b.mentee, b.paymentId, token)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { state: 'failed', failureReason: reason })
    const [failed] = await readEvents(app, 'payment.failed', ofPayment(b.paymentId))
    t.match(failed!.data, { bookingId: b.bookingId, reason })
    t.same(await ledgerOf(app, b.paymentId), {})
    t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_success')).statusCode, 409, 'failed is final')
  }
  const b = await hold(app)
  const bad = await confirm(app, b.mentee, b.paymentId, 'tok_nonsense')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'INVALID_CARD_TOKEN')
  t.equal(await state(app, b.paymentId), 'requires_payment', 'nothing changed')
})

t.test('requires extra authentication: requires_action → approve → succeeded; deny → failed', async (t) => {
  const b = await hold(app)
  const res = await confirm(app, b.mentee, b.paymentId, 'tok_authenticate')
  t.match(res.json(), { state: 'requires_action', nextAction: { type: 'authenticate' } })
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_success')).json().error.code, 'AUTHENTICATION_REQUIRED')
  const ok = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/authenticate`, headers: b.mentee.h(), payload: { outcome: 'approve' } })
  t.match(ok.json(), { state: 'succeeded', nextAction: null })
  await readEvents(app, 'payment.action_required', ofPayment(b.paymentId))

  const d = await hold(app)
  await confirm(app, d.mentee, d.paymentId, 'tok_authenticate')
  const denied = await app.inject({ method: 'POST', url: `/api/payments/${d.paymentId}/authenticate`, headers: d.mentee.h(), payload: { outcome: 'deny' } })
  t.match(denied.json(), { state: 'failed', failureReason: 'authentication_failed' })
})

t.test('the payer cancels: payment.cancelled (meeting releases the booking); illegal moves are refused', async (t) => {
  const b = await hold(app)
  const res = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/cancel`, headers: b.mentee.h() })
  t.equal(res.json().state, 'cancelled')
  const [cancelled] = await readEvents(app, 'payment.cancelled', ofPayment(b.paymentId))
  t.match(cancelled!.data, { bookingId: b.bookingId, reason: 'cancelled_by_payer' })
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_success')).statusCode, 409)

  // the transition table itself: terminal states go nowhere but to a success the provider reports
  // (booked and refunded: late-success.test.ts), nothing skips processing
  t.same(TRANSITIONS.refunded, [], 'refunded is final')
  for (const s of ['failed', 'cancelled'] as const) t.same(TRANSITIONS[s], ['succeeded'], `${s} only takes the provider's late success`)
  t.notOk(canMove('cancelled', 'processing'), 'a cancelled payment is not paid again')
  t.notOk(canMove('requires_payment', 'succeeded'))
  t.notOk(canMove('succeeded', 'failed'))
  t.notOk(canMove('refunded', 'succeeded'))
})

t.test('an expired hold cancels the payment; paying after it is refused', async (t) => {
  const b = await hold(app)
  await release(app, b, 'hold_expired')
  await waitForState(app, b.paymentId, 'cancelled')
  const [e] = await readEvents(app, 'payment.cancelled', ofPayment(b.paymentId))
  t.equal(e!.data.reason, 'hold_expired')
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_success')).statusCode, 409)

  // a hold whose deadline passed is not charged even before meeting's sweeper released it
  const late = await hold(app, { holdMs: 800 })
  await new Promise((r) => setTimeout(r, 900))
  const res = await confirm(app, late.mentee, late.paymentId, 'tok_success')
  t.equal(res.statusCode, 409)
  t.equal(res.json().error.code, 'HOLD_EXPIRED')
})

t.test('a payment that succeeds after its hold was released is refunded in full', async (t) => {
  const b = await hold(app)
  const res = await confirm(app, b.mentee, b.paymentId, 'tok_delayed')
  t.equal(res.json().state, 'processing', 'the provider has not settled yet')
  await release(app, b, 'hold_expired')
  await waitFor(async () => (await dbOf(app).selectFrom('bookings').select('state').where('booking_id', '=', b.bookingId).executeTakeFirst())?.state === 'released')
  await sql`update sandbox_charges set settles_at = now() where reference = ${b.paymentId}`.execute(dbOf(app))
  const r = await app.reconciler.run()
  t.ok(r.settled >= 1, 'reconciliation learned the success')
  await app.reconciler.run()
  await waitForState(app, b.paymentId, 'refunded')
  const events = await readEvents(app, 'payment.>', ofPayment(b.paymentId), { count: 4 })
  t.same(events.map((e) => e.type), ['payment.created', 'payment.processing', 'payment.succeeded', 'payment.refunded'])
  t.match(events[3]!.data, { refundAmount: 50_000, refundedTotal: 50_000, state: 'refunded', reason: 'booking_released' })
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 0, mentor_payable: 0, platform_revenue: 0 })
})

t.test('admins list payments; others may not', async (t) => {
  const b = await hold(app)
  const admin = user('admin')
  const res = await app.inject({ method: 'GET', url: `/api/admin/payments?bookingId=${b.bookingId}`, headers: admin.h() })
  t.equal(res.statusCode, 200)
  t.same(res.json().items.map((p: { id: string }) => p.id), [b.paymentId])
  const byState = await app.inject({ method: 'GET', url: '/api/admin/payments?state=requires_payment&limit=5', headers: admin.h() })
  t.ok(byState.json().items.every((p: { state: string }) => p.state === 'requires_payment'))
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/payments', headers: b.mentee.h() })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/payments?state=bogus', headers: admin.h() })).statusCode, 400)
})

t.test('every route is in the OpenAPI document with its schemas', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const paths = Object.keys(res.json().paths)
  for (const p of ['/api/payments/', '/api/payments/{id}/confirm', '/api/payments/{id}/authenticate', '/api/payments/{id}/cancel', '/api/payments/mine', '/api/payments/earnings', '/api/payments/webhooks/{provider}', '/api/admin/payments/']) {
    t.ok(paths.includes(p), `${p} documented`)
  }
})
