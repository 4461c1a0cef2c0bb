// Issue 16, defect 5: one bad row stopped reconciliation and all refunds, on every replica (the row
// threw, the pass rejected before refunds ran, and the next pass met the same row first). Now each
// row is handled on its own: a row that throws moves to needs_review, is reported to tracking
// (telemetry.error) and is listed for admins; the other rows and the refunds go on.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { TELEMETRY_SUBJECTS, type ErrorReportV1 } from '@sunbae/contracts'
import { readEvents as readStream } from '@sunbae/testing'
import { paymentSuite, confirm, dbOf, hold, ofPayment, readEvents, state, user } from './helpers.ts'

const STARTED_AT = new Date()
const app = await paymentSuite()

/** A payment processing at the sandbox (a delayed card) that settles on the next question. */
async function settlingPayment() {
  const b = await hold(app)
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_delayed')).json().state, 'processing')
  await sql`update sandbox_charges set settles_at = now() where reference = ${b.paymentId}`.execute(dbOf(app))
  return b
}

t.test('a row whose answer cannot be applied goes to needs_review; the other rows and the refunds still run', async (t) => {
  // the bad row: the provider answers another amount than we asked (never booked: applyOutcome throws);
  // oldest, so it comes first in the pass as it would on every replica
  const bad = await settlingPayment()
  await sql`update sandbox_charges set amount = 1 where reference = ${bad.paymentId}`.execute(dbOf(app))
  await sql`update payments set updated_at = now() - interval '1 hour' where id = ${bad.paymentId}`.execute(dbOf(app))
  const good = await settlingPayment()
  // a paid payment with a refund waiting for the worker
  const paid = await hold(app)
  t.equal((await confirm(app, paid.mentee, paid.paymentId, 'tok_success')).json().state, 'succeeded')
  await dbOf(app)
    .insertInto('refunds')
    .values({ id: randomUUID(), payment_id: paid.paymentId, amount: 50_000, reason: 'booking_cancelled_full', cause: `cancel:${paid.bookingId}`, state: 'pending' })
    .execute()

  // before the fix this pass rejected at the bad row, and the refund never ran. (Other test files'
  // service instances share this database and may reach the bad row first, as replicas would.)
  const r = await app.reconciler.run()
  t.same(r.failedSteps, [], 'every step ran')
  t.equal(await state(app, bad.paymentId), 'needs_review', 'the bad row waits for an admin')
  t.equal(await state(app, good.paymentId), 'succeeded', 'the row after it was settled')
  t.equal(await state(app, paid.paymentId), 'refunded', 'the refund ran')

  const [review] = await readEvents(app, 'payment.needs_review', ofPayment(bad.paymentId))
  t.match(review!.data, { fromState: 'processing', error: /provider charged 1 KRW/ })
  const reports = await readStream<ErrorReportV1>(app.bus.js, 'TELEMETRY', TELEMETRY_SUBJECTS.error, (e) => e.message?.includes(bad.paymentId), { since: STARTED_AT })
  t.match(reports[0], { service: 'payment', status: 500, route: 'worker:reconciliation', message: /provider charged 1 KRW/ }, 'reported to tracking as an error')
  t.ok(reports[0]?.fingerprint)

  // the next pass does not meet the bad row again
  t.same((await app.reconciler.run()).failedSteps, [])
  t.equal(await state(app, bad.paymentId), 'needs_review')

  // admins find it
  const admin = user('admin')
  const list = await app.inject({ method: 'GET', url: '/api/admin/payments?state=needs_review&limit=200', headers: admin.h() })
  t.equal(list.statusCode, 200, list.body)
  const item = list.json().items.find((p: { id: string }) => p.id === bad.paymentId)
  t.match(item, { state: 'needs_review', failureReason: 'reconciliation_error' })
  t.ok(list.json().items.every((p: { state: string }) => p.state === 'needs_review'))

  // the provider's word still settles it (here: the amount corrected at the provider)
  await sql`update sandbox_charges set amount = 50000 where reference = ${bad.paymentId}`.execute(dbOf(app))
  const c = await dbOf(app).selectFrom('sandbox_charges').select('id').where('reference', '=', bad.paymentId).executeTakeFirstOrThrow()
  await dbOf(app).transaction().execute((trx) =>
    app.payments.applyOutcome(trx, bad.paymentId, { status: 'succeeded', providerRef: c.id, amount: 50_000, currency: 'KRW' }, { type: 'system', id: null }),
  )
  t.equal(await state(app, bad.paymentId), 'succeeded')
})

t.test('a refund that throws does not stop the other refunds', async (t) => {
  const a = await hold(app)
  const b = await hold(app)
  for (const p of [a, b]) t.equal((await confirm(app, p.mentee, p.paymentId, 'tok_success')).json().state, 'succeeded')
  // a refund the database will not book (more than the payment: the refund bounds CHECK refuses it)
  // is first in line; a sound one follows
  await dbOf(app)
    .insertInto('refunds')
    .values({ id: randomUUID(), payment_id: a.paymentId, amount: 50_000, reason: 'booking_cancelled_full', cause: `cancel:${a.bookingId}`, state: 'pending', created_at: new Date(Date.now() - 60_000) })
    .execute()
  await sql`update payments set refunded_amount = 1 where id = ${a.paymentId}`.execute(dbOf(app))
  await dbOf(app)
    .insertInto('refunds')
    .values({ id: randomUUID(), payment_id: b.paymentId, amount: 50_000, reason: 'booking_cancelled_full', cause: `cancel:${b.bookingId}`, state: 'pending' })
    .execute()
  const r = await app.reconciler.run()
  t.same(r.failedSteps, [])
  t.equal(await state(app, b.paymentId), 'refunded', 'the sound refund ran')
  t.equal(await state(app, a.paymentId), 'succeeded', 'the bad one waits (reported, retried)')
  // leave the books as they were: the bad refund is not the ledger's concern
  await sql`update payments set refunded_amount = 0 where id = ${a.paymentId}`.execute(dbOf(app))
  await dbOf(app).deleteFrom('refunds').where('payment_id', '=', a.paymentId).execute()
})
