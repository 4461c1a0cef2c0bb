import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { createDb, ownerRole } from '@sunbae/db'
import { waitFor } from '@sunbae/testing'
import { buildPayment, cancelBooking, confirm, confirmBooking, dbOf, hold, ledgerOf, ledgerUnbalanced, ofPayment, readEvents, state, user, waitForState, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildPayment({ PAYMENT_PLATFORM_FEE_PERCENT: '15' })
})
t.teardown(async () => {
  await app.close()
})
t.afterEach(async () => {
  t.same(await ledgerUnbalanced(app), { txns: 0, total: 0 }, 'the ledger balances')
})

async function paid(price = 50_000) {
  const b = await hold(app, { price })
  const res = await confirm(app, b.mentee, b.paymentId, 'tok_success')
  if (res.json().state !== 'succeeded') throw new Error(res.body)
  await confirmBooking(app, b)
  await waitFor(async () => (await dbOf(app).selectFrom('bookings').select('state').where('booking_id', '=', b.bookingId).executeTakeFirst())?.state === 'confirmed')
  return b
}

const refund = (outcome: 'full' | 'partial' | 'none', percent: number, amount: number, paymentId: string) => ({ outcome, percent, amount, currency: 'KRW', paymentId })

t.test('full refund (cancelled early, or by the mentor): refunded, through the provider, ledger reversed', async (t) => {
  const b = await paid(50_000)
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 50_000, mentor_payable: -42_500, platform_revenue: -7_500 }, '15 % fee')
  await cancelBooking(app, b, refund('full', 100, 50_000, b.paymentId), 'mentor')
  await waitForState(app, b.paymentId, 'refunded')
  const [e] = await readEvents(app, 'payment.refunded', ofPayment(b.paymentId))
  t.match(e!.data, { bookingId: b.bookingId, refundAmount: 50_000, refundedTotal: 50_000, state: 'refunded', reason: 'booking_cancelled_full' })
  const charge = await dbOf(app).selectFrom('sandbox_charges').selectAll().where('reference', '=', b.paymentId).executeTakeFirstOrThrow()
  t.equal(charge.refunded, 50_000, 'the provider refunded it')
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 0, mentor_payable: 0, platform_revenue: 0 })
  const view = await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: b.mentee.h() })
  t.match(view.json(), { state: 'refunded', refundedAmount: 50_000, refunds: [{ amount: 50_000, state: 'succeeded' }] })
})

t.test('an account deletion (issue 21): meeting cancels for the deleted mentee with a full refund; payment refunds, keeps the payment, the ledger balances', async (t) => {
  // what meeting publishes for catalog.user.deleted (services/meeting/test/refunds.test.ts): the mentee's
  // cancellation, with the refund of a mentor's — in full, whatever the window
  const b = await paid(40_000)
  await cancelBooking(app, b, refund('full', 100, 40_000, b.paymentId), 'mentee')
  await waitForState(app, b.paymentId, 'refunded')
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 0, mentor_payable: 0, platform_revenue: 0 }, 'the payment is reversed in the ledger, line by line')
  const kept = await dbOf(app).selectFrom('payments').selectAll().where('id', '=', b.paymentId).executeTakeFirstOrThrow()
  t.match(kept, { state: 'refunded', amount: 40_000, refunded_amount: 40_000 }, 'the payment record is kept (retention), and holds no name or email: only amounts and uids')
  t.notOk(Object.keys(kept).some((k) => /name|email/.test(k)))
})

t.test('a refund queued by meeting’s cancellation runs once the consumer’s transaction has committed', async (t) => {
  // The flake this pins down: the worker was woken (50 ms) from inside the consumer's transaction; a
  // pass that ran before the commit missed the refund, and the next one came an interval (600 s here)
  // later. Here the window between queueing the refund and its commit is held open: a deferred
  // trigger on refunds waits at commit time for an advisory lock the test holds.
  const b = await paid(30_000)
  const db = dbOf(app)
  const LOCK = 4_242_001
  // the service's login role may not create triggers: the schema's owner does (DATABASE_URL is the
  // test database's admin URL here)
  const owner = createDb({ connectionString: process.env.DATABASE_URL!, role: ownerRole('payment'), schema: 'payment', service: 'payment-test', slowQueryMs: 1e9, poolMax: 1 })
  await sql`create function hold_refund_commit() returns trigger language plpgsql as $$ begin perform pg_advisory_xact_lock_shared(${sql.lit(LOCK)}); return null; end $$`.execute(owner.db)
  await sql`create constraint trigger hold_refund_commit after insert on refunds deferrable initially deferred for each row execute function hold_refund_commit()`.execute(owner.db)
  t.teardown(async () => {
    await sql`drop trigger hold_refund_commit on refunds`.execute(owner.db)
    await sql`drop function hold_refund_commit()`.execute(owner.db)
    await owner.close()
  })
  // a pass of the worker ends by purging expired webhook windows: this one's disappearance shows a pass ran
  await app.reconciler.run()
  const sentinel = `pass-after-${b.paymentId}`
  await db.insertInto('webhook_windows').values({ provider: 'test', key: sentinel, until: new Date(Date.now() - 60_000) }).execute()
  const aPassRan = async () => (await db.selectFrom('webhook_windows').select('key').where('key', '=', sentinel).executeTakeFirst()) === undefined

  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK})`.execute(conn)
    try {
      await cancelBooking(app, b, refund('full', 100, 30_000, b.paymentId), 'mentor')
      const waiting = sql<{ n: number }>`
        select count(*)::int as n from pg_locks
        where locktype = 'advisory' and objid = ${LOCK} and not granted
          and database = (select oid from pg_database where datname = current_database())`
      await waitFor(async () => (await waiting.execute(db)).rows[0]!.n > 0, 20_000)
      // the refund is queued and its transaction waits at the commit; a worker woken inside it runs
      // now and finds nothing, one woken after the commit does not run yet
      await waitFor(aPassRan, 5_000).catch(() => {})
    } finally {
      await sql`select pg_advisory_unlock(${LOCK})`.execute(conn)
    }
  })
  await waitForState(app, b.paymentId, 'refunded')
})

t.test('partial refund: partially_refunded, the fee shared out pro rata; earnings follow the ledger', async (t) => {
  const b = await paid(33_333)
  await cancelBooking(app, b, refund('partial', 50, 16_666, b.paymentId))
  await waitForState(app, b.paymentId, 'partially_refunded')
  // fee 5,000 (15 % of 33,333 rounded); half back: floor(5000 × 16666 / 33333) = 2,499
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 33_333 - 16_666, mentor_payable: -(28_333 - (16_666 - 2_499)), platform_revenue: -(5_000 - 2_499) })
  const earnings = await app.inject({ method: 'GET', url: '/api/payments/earnings', headers: b.mentor.h() })
  t.match(earnings.json(), { totals: [{ gross: 33_333, refunded: 16_666, fee: 2_501, net: 14_166 }] })
  const [e] = await readEvents(app, 'payment.refunded', ofPayment(b.paymentId))
  t.match(e!.data, { refundAmount: 16_666, refundedTotal: 16_666, state: 'partially_refunded', reason: 'booking_cancelled_partial' })
})

t.test('no refund (cancelled too late): the payment stays succeeded; null refund likewise', async (t) => {
  const b = await paid()
  await cancelBooking(app, b, refund('none', 0, 0, b.paymentId))
  await waitFor(async () => (await dbOf(app).selectFrom('bookings').select('state').where('booking_id', '=', b.bookingId).executeTakeFirst())?.state === 'cancelled')
  await app.reconciler.run()
  t.equal(await state(app, b.paymentId), 'succeeded')
  t.same(await dbOf(app).selectFrom('refunds').select('id').where('payment_id', '=', b.paymentId).execute(), [])

  // a held booking cancelled before paying: its payment is cancelled
  const h = await hold(app)
  await cancelBooking(app, h, null)
  await waitForState(app, h.paymentId, 'cancelled')
})

t.test('refunds are idempotent: the cancellation delivered twice (two event ids) refunds once', async (t) => {
  const b = await paid()
  await cancelBooking(app, b, refund('full', 100, 50_000, b.paymentId))
  await cancelBooking(app, b, refund('full', 100, 50_000, b.paymentId))
  await waitForState(app, b.paymentId, 'refunded')
  await app.reconciler.run()
  const refunds = await dbOf(app).selectFrom('refunds').selectAll().where('payment_id', '=', b.paymentId).execute()
  t.equal(refunds.length, 1)
  const events = await readEvents(app, 'payment.refunded', ofPayment(b.paymentId), { count: 1, settleMs: 800 })
  t.equal(events.length, 1)
  // the provider dedups by refund id as well: running the refund again moves no money
  const again = await app.providers.get('sandbox')!.refund({ reference: b.paymentId, providerRef: null, refundId: refunds[0]!.id, amount: refunds[0]!.amount, currency: 'KRW' })
  t.equal(again.providerRef, refunds[0]!.provider_ref)
  const charge = await dbOf(app).selectFrom('sandbox_charges').selectAll().where('reference', '=', b.paymentId).executeTakeFirstOrThrow()
  t.equal(charge.refunded, 50_000)
})

t.test('a refund that fails at the provider stays pending and is retried by the periodic job', async (t) => {
  const b = await paid(20_000)
  // the provider "forgets" the charge for a moment: refunds fail
  await dbOf(app).updateTable('sandbox_charges').set({ status: 'failed' }).where('reference', '=', b.paymentId).execute()
  await cancelBooking(app, b, refund('full', 100, 20_000, b.paymentId))
  await waitFor(async () => (await dbOf(app).selectFrom('refunds').select('state').where('payment_id', '=', b.paymentId).executeTakeFirst())?.state === 'pending')
  await app.reconciler.run()
  t.equal(await state(app, b.paymentId), 'succeeded', 'not refunded while the provider refuses')
  await dbOf(app).updateTable('sandbox_charges').set({ status: 'succeeded' }).where('reference', '=', b.paymentId).execute()
  await app.reconciler.run()
  t.equal(await state(app, b.paymentId), 'refunded')
})

t.test('the database itself refuses an unbalanced ledger transaction and any edit of a booked line', async (t) => {
  const b = await paid(10_000)
  const db = dbOf(app)
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await trx
        .insertInto('ledger_entries')
        .values({ txn_id: '0190a3b4-0000-7000-8000-0000000000aa', payment_id: b.paymentId, account: 'provider_cash', kind: 'mentee_charge', amount: 100, currency: 'KRW' })
        .execute()
    }),
    /does not balance/,
  )
  await t.rejects(db.updateTable('ledger_entries').set({ amount: 0 }).where('payment_id', '=', b.paymentId).execute(), /append-only/)
  await t.rejects(db.deleteFrom('ledger_entries').where('payment_id', '=', b.paymentId).execute(), /append-only/)
  t.same(await ledgerOf(app, b.paymentId), { provider_cash: 10_000, mentor_payable: -8_500, platform_revenue: -1_500 })
})

t.test('admin refunds: partial then the rest, with a reason, through the provider and the ledger; audited; idempotent; capped', async (t) => {
  const admin = user('admin')
  const b = await paid(50_000)
  const refundReq = (who: User, body: Record<string, unknown>, key?: string) =>
    app.inject({ method: 'POST', url: `/api/admin/payments/${b.paymentId}/refunds`, headers: who.h(key ? { 'idempotency-key': key } : {}), payload: body })

  t.test('a mentee (even the payer) and a mentor get 403; nothing is queued', async (t) => {
    t.equal((await refundReq(b.mentee, { amount: 1000, reason: 'x' }, 'k-mentee')).statusCode, 403)
    t.equal((await refundReq(b.mentor, { amount: 1000, reason: 'x' }, 'k-mentor')).statusCode, 403)
    t.equal((await dbOf(app).selectFrom('refunds').select('id').where('payment_id', '=', b.paymentId).execute()).length, 0)
  })

  t.test('bad requests are 400: no key, blank reason, zero amount', async (t) => {
    t.equal((await refundReq(admin, { amount: 1000, reason: '환불' })).statusCode, 400, 'the Idempotency-Key is required')
    t.equal((await refundReq(admin, { amount: 1000, reason: '   ' }, 'k-blank')).statusCode, 400)
    t.equal((await refundReq(admin, { amount: 0, reason: '환불' }, 'k-zero')).statusCode, 400)
  })

  await t.test('a partial refund leaves the payment partially refunded; the ledger gives back the fee pro rata', async (t) => {
    const res = await refundReq(admin, { amount: 20_000, reason: '세션 일부 진행 못 함' }, 'k-partial')
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { refunds: [{ amount: 20_000, state: 'pending', reason: '세션 일부 진행 못 함' }] })
    // the same key again: the first answer, no second refund
    const again = await refundReq(admin, { amount: 20_000, reason: '세션 일부 진행 못 함' }, 'k-partial')
    t.equal(again.statusCode, 200)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal((await refundReq(admin, { amount: 5_000, reason: '세션 일부 진행 못 함' }, 'k-partial')).statusCode, 422, 'same key, other amount')
    await waitForState(app, b.paymentId, 'partially_refunded')
    const [requested] = await readEvents(app, 'payment.refund.requested', ofPayment(b.paymentId))
    t.match(requested, { actor: { type: 'user', id: admin.uid, role: 'admin' }, subject: { type: 'payment', id: b.paymentId } })
    t.match(requested!.data, { refundAmount: 20_000, reason: '세션 일부 진행 못 함', requestedBy: admin.uid })
    const [done] = await readEvents(app, 'payment.refunded', ofPayment(b.paymentId))
    t.match(done!.data, { refundAmount: 20_000, refundedTotal: 20_000, state: 'partially_refunded' })
    t.same(await ledgerOf(app, b.paymentId), { provider_cash: 30_000, mentor_payable: -25_500, platform_revenue: -4_500 })
    const charge = await dbOf(app).selectFrom('sandbox_charges').selectAll().where('reference', '=', b.paymentId).executeTakeFirstOrThrow()
    t.equal(charge.refunded, 20_000, 'the provider refunded it')
  })

  await t.test('more than is left is refused (409), whatever the key', async (t) => {
    const res = await refundReq(admin, { amount: 30_001, reason: '초과' }, 'k-over')
    t.equal(res.statusCode, 409)
    t.equal(res.json().error.code, 'REFUND_EXCEEDS_BALANCE')
  })

  await t.test('no amount refunds the rest: refunded, the ledger back to zero; then nothing is left', async (t) => {
    const res = await refundReq(admin, { reason: '멘토 노쇼' }, 'k-rest')
    t.equal(res.statusCode, 200, res.body)
    await waitForState(app, b.paymentId, 'refunded')
    t.same(await ledgerOf(app, b.paymentId), { provider_cash: 0, mentor_payable: 0, platform_revenue: 0 })
    const view = await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: admin.h() })
    t.match(view.json(), { state: 'refunded', refundedAmount: 50_000, refunds: [{ amount: 20_000, state: 'succeeded' }, { amount: 30_000, state: 'succeeded', reason: '멘토 노쇼' }] })
    const more = await refundReq(admin, { amount: 1, reason: '또' }, 'k-more')
    t.equal(more.statusCode, 409)
    t.equal(more.json().error.code, 'NOT_REFUNDABLE')
  })

  await t.test('concurrent refunds with different keys never exceed the amount', async (t) => {
    const c = await paid(10_000)
    const many = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.inject({ method: 'POST', url: `/api/admin/payments/${c.paymentId}/refunds`, headers: admin.h({ 'idempotency-key': `k-race-${i}` }), payload: { amount: 3_000, reason: '동시' } }),
      ),
    )
    t.same(many.map((r) => r.statusCode).sort(), [200, 200, 200, 409, 409, 409])
    await waitFor(async () => (await dbOf(app).selectFrom('refunds').select('state').where('payment_id', '=', c.paymentId).where('state', '=', 'pending').execute()).length === 0)
    t.equal(await state(app, c.paymentId), 'partially_refunded')
    t.same(await ledgerOf(app, c.paymentId), { provider_cash: 1_000, mentor_payable: -850, platform_revenue: -150 })
  })
})
