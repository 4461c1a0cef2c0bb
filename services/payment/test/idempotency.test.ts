import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { waitFor } from '@sunbae/testing'
import { requestHash } from '../src/idempotency/idempotency.service.ts'
import { buildPayment, confirm, dbOf, hold, ledgerUnbalanced, ofPayment, readEvents, user } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  // a slow provider: concurrent retries really overlap the first request
  app = await buildPayment({ PAYMENT_SANDBOX_LATENCY_MS: '300' })
})
t.teardown(async () => {
  await app.close()
})
t.afterEach(async () => {
  t.same(await ledgerUnbalanced(app), { txns: 0, total: 0 }, 'the ledger balances')
})

t.test('a retry with the same key replays the first response; other parameters → 422', async (t) => {
  const b = await hold(app)
  const key = { 'idempotency-key': randomUUID() }
  const first = await confirm(app, b.mentee, b.paymentId, 'tok_decline', key)
  t.equal(first.statusCode, 200)
  t.equal(first.json().state, 'failed')
  t.notOk(first.headers['idempotent-replayed'])
  const retry = await confirm(app, b.mentee, b.paymentId, 'tok_decline', key)
  t.equal(retry.statusCode, 200)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.same(retry.json(), first.json(), 'the stored response, byte for byte the same JSON')

  const other = await confirm(app, b.mentee, b.paymentId, 'tok_success', key)
  t.equal(other.statusCode, 422)
  t.equal(other.json().error.code, 'IDEMPOTENCY_KEY_REUSED')
  t.ok(other.json().error.requestId)
  const otherRoute = await app.inject({ method: 'POST', url: `/api/payments/${b.paymentId}/cancel`, headers: b.mentee.h(key) })
  t.equal(otherRoute.statusCode, 422, 'another route with the same key is other parameters too')

  // keys belong to their caller: another user's same key is a different key
  const c = await hold(app)
  const theirs = await confirm(app, c.mentee, c.paymentId, 'tok_success', key)
  t.equal(theirs.statusCode, 200)
  t.equal(theirs.json().state, 'succeeded')

  // a stored 4xx is replayed too (with this request's id)
  const d = await hold(app)
  const k2 = { 'idempotency-key': randomUUID() }
  const bad = await confirm(app, d.mentee, d.paymentId, 'tok_nope', k2)
  t.equal(bad.statusCode, 400)
  const badAgain = await confirm(app, d.mentee, d.paymentId, 'tok_nope', k2)
  t.equal(badAgain.statusCode, 400)
  t.equal(badAgain.json().error.code, 'INVALID_CARD_TOKEN')
  t.equal(badAgain.headers['idempotent-replayed'], 'true')
  t.not(badAgain.json().error.requestId, bad.json().error.requestId)
})

t.test('keys expire after their TTL: then the key is new again', async (t) => {
  const b = await hold(app)
  const key = { 'idempotency-key': `exp-${randomUUID()}` }
  t.equal((await app.inject({ method: 'POST', url: '/api/payments', headers: b.mentee.h(key), payload: { bookingId: b.bookingId } })).statusCode, 200)
  const row = await dbOf(app).selectFrom('idempotency_keys').selectAll().where('owner', '=', b.mentee.uid).executeTakeFirstOrThrow()
  const ttlH = (row.expires_at.getTime() - row.created_at.getTime()) / 3_600_000
  t.ok(Math.abs(ttlH - 24) < 0.01, `expires 24 h after creation (${ttlH} h)`)
  const c = await hold(app, { mentee: b.mentee })
  t.equal((await app.inject({ method: 'POST', url: '/api/payments', headers: b.mentee.h(key), payload: { bookingId: c.bookingId } })).statusCode, 422)
  await dbOf(app).updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('owner', '=', b.mentee.uid).execute()
  const reused = await app.inject({ method: 'POST', url: '/api/payments', headers: b.mentee.h(key), payload: { bookingId: c.bookingId } })
  t.equal(reused.statusCode, 200, 'an expired key is free')
  t.equal(reused.json().id, c.paymentId)
  await dbOf(app).updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('owner', '=', b.mentee.uid).execute()
  const r = await app.reconciler.run()
  t.ok(r.keysPurged >= 1, 'the periodic job drops expired keys')
})

t.test('50 concurrent retries with one key: one charge, one payment.succeeded, 50 identical answers', async (t) => {
  const b = await hold(app)
  const key = { 'idempotency-key': randomUUID() }
  const all = await Promise.all(Array.from({ length: 50 }, () => confirm(app, b.mentee, b.paymentId, 'tok_success', key)))
  t.same([...new Set(all.map((r) => r.statusCode))], [200], 'every retry answered 200')
  const bodies = new Set(all.map((r) => r.body))
  t.equal(bodies.size, 1, 'with one body')
  t.equal(JSON.parse([...bodies][0]!).state, 'succeeded')
  t.equal(all.filter((r) => r.headers['idempotent-replayed'] !== 'true').length, 1, 'one ran, 49 replayed')
  const charges = await dbOf(app).selectFrom('sandbox_charges').select('id').where('reference', '=', b.paymentId).execute()
  t.equal(charges.length, 1, 'one charge at the provider')
  const succeeded = await readEvents(app, 'payment.succeeded', ofPayment(b.paymentId), { count: 1, settleMs: 1000 })
  t.equal(succeeded.length, 1)

  // 50 concurrent creations with one key (and without) make one payment per booking
  const mentee = user()
  const c = await hold(app, { mentee })
  const k2 = { 'idempotency-key': randomUUID() }
  const creates = await Promise.all(
    Array.from({ length: 50 }, (_, i) => app.inject({ method: 'POST', url: '/api/payments', headers: mentee.h(i % 2 ? k2 : {}), payload: { bookingId: c.bookingId } })),
  )
  t.same([...new Set(creates.map((r) => r.json().id))], [c.paymentId])
  const n = await dbOf(app).selectFrom('payments').select('id').where('booking_id', '=', c.bookingId).execute()
  t.equal(n.length, 1)
})

t.test('a key whose request died (its lease ran out) is taken over by the next retry; a live one is waited for', async (t) => {
  const b = await hold(app)
  const key = `dead-${randomUUID()}`
  const hash = requestHash('POST', '/api/payments/:id/confirm', { id: b.paymentId, cardToken: 'tok_success' })
  // what a crashed request leaves: the key row, no response, its lease run out
  await dbOf(app)
    .insertInto('idempotency_keys')
    .values({ owner: b.mentee.uid, key, request_hash: hash, locked_until: new Date(Date.now() - 1000), expires_at: new Date(Date.now() + 3_600_000) })
    .execute()
  const res = await confirm(app, b.mentee, b.paymentId, 'tok_success', { 'idempotency-key': key })
  t.equal(res.statusCode, 200)
  t.equal(res.json().state, 'succeeded')
  t.notOk(res.headers['idempotent-replayed'], 'it ran')

  // a live holder: the retry waits, then gives up with 409 (short wait configured)
  const quick = await buildPayment({ PAYMENT_IDEMPOTENCY_WAIT_MS: '300' })
  t.teardown(() => quick.close())
  const c = await hold(app)
  const live = `live-${randomUUID()}`
  await dbOf(app)
    .insertInto('idempotency_keys')
    .values({
      owner: c.mentee.uid,
      key: live,
      request_hash: requestHash('POST', '/api/payments/:id/confirm', { id: c.paymentId, cardToken: 'tok_success' }),
      locked_until: new Date(Date.now() + 60_000),
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute()
  const waited = await confirm(quick, c.mentee, c.paymentId, 'tok_success', { 'idempotency-key': live })
  t.equal(waited.statusCode, 409)
  t.equal(waited.json().error.code, 'IDEMPOTENCY_KEY_IN_USE')
  t.equal((await dbOf(app).selectFrom('payments').select('state').where('id', '=', c.paymentId).executeTakeFirstOrThrow()).state, 'requires_payment', 'nothing ran')
})

/** What a request killed mid-way leaves behind: its key, no response, a lease no one renews any more. */
const crashed = (owner: string, key: string) =>
  dbOf(app).updateTable('idempotency_keys').set({ status_code: null, response: null, locked_until: new Date(Date.now() - 1000) }).where('owner', '=', owner).where('key', '=', key).execute()

t.test('the lease is short and renewed while the request runs: past the lease a live request keeps its key', async (t) => {
  const short = await buildPayment({ PAYMENT_IDEMPOTENCY_LEASE_MS: '1500', PAYMENT_IDEMPOTENCY_WAIT_MS: '200', PAYMENT_SANDBOX_LATENCY_MS: '4000', PAYMENT_PROVIDER_TIMEOUT_MS: '6000' })
  t.teardown(() => short.close())
  const b = await hold(app)
  const key = `lease-${randomUUID()}`
  const first = confirm(short, b.mentee, b.paymentId, 'tok_success', { 'idempotency-key': key })
  const lease = () =>
    dbOf(app)
      .selectFrom('idempotency_keys')
      .select(sql<number>`extract(epoch from locked_until - now())`.as('left'))
      .where('owner', '=', b.mentee.uid)
      .where('key', '=', key)
      .executeTakeFirst()
  const held = await waitFor(lease, 10_000)
  t.ok(Number(held.left) <= 1.6, `held for the lease (1.5 s), not a minute: a dead request's key is free within seconds (${held.left} s)`)
  // longer than the lease: only the heartbeat keeps the key
  await sleep(2_500)
  const retry = await confirm(short, b.mentee, b.paymentId, 'tok_success', { 'idempotency-key': key })
  t.equal(retry.statusCode, 409, retry.body)
  t.equal(retry.json().error.code, 'IDEMPOTENCY_KEY_IN_USE', 'still running: not taken over')
  const done = await first
  t.equal(done.json().state, 'succeeded')
  const charges = await dbOf(app).selectFrom('sandbox_charges').select('id').where('reference', '=', b.paymentId).execute()
  t.equal(charges.length, 1, 'one charge at the provider')
})

t.test('a retry that takes over the key of a request that died answers the payment as it is now, not ILLEGAL_TRANSITION', async (t) => {
  // it died after committing the outcome, before storing its response
  const b = await hold(app)
  const key = `crash-${randomUUID()}`
  t.equal((await confirm(app, b.mentee, b.paymentId, 'tok_success', { 'idempotency-key': key })).json().state, 'succeeded')
  await crashed(b.mentee.uid, key)
  const retry = await confirm(app, b.mentee, b.paymentId, 'tok_success', { 'idempotency-key': key })
  t.equal(retry.statusCode, 200, retry.body)
  t.equal(retry.json().state, 'succeeded')
  t.notOk(retry.headers['idempotent-replayed'], 'it ran (resumed)')
  const again = await confirm(app, b.mentee, b.paymentId, 'tok_success', { 'idempotency-key': key })
  t.equal(again.headers['idempotent-replayed'], 'true', 'and its answer is kept')
  t.equal(again.json().state, 'succeeded')
  t.equal((await readEvents(app, 'payment.succeeded', ofPayment(b.paymentId), { count: 1, settleMs: 500 })).length, 1, 'succeeded once')

  // it died between the provider's answer and its own commit: the retry asks the provider and applies it once
  const c = await hold(app)
  const k2 = `crash-${randomUUID()}`
  t.equal((await confirm(app, c.mentee, c.paymentId, 'tok_delayed', { 'idempotency-key': k2 })).json().state, 'processing')
  await dbOf(app).updateTable('sandbox_charges').set({ settles_at: new Date(Date.now() - 1000) }).where('reference', '=', c.paymentId).execute()
  await crashed(c.mentee.uid, k2)
  const resumed = await confirm(app, c.mentee, c.paymentId, 'tok_delayed', { 'idempotency-key': k2 })
  t.equal(resumed.statusCode, 200, resumed.body)
  t.equal(resumed.json().state, 'succeeded', 'settled from the provider’s record')
  const charges = await dbOf(app).selectFrom('sandbox_charges').select('id').where('reference', '=', c.paymentId).execute()
  t.equal(charges.length, 1, 'not charged again')
  const ledger = await dbOf(app).selectFrom('ledger_entries').select('txn_id').where('payment_id', '=', c.paymentId).groupBy('txn_id').execute()
  t.equal(ledger.length, 1, 'booked once')

  // a cancel that died after committing: the retry answers cancelled
  const d = await hold(app)
  const k3 = `crash-${randomUUID()}`
  const cancel = () => app.inject({ method: 'POST', url: `/api/payments/${d.paymentId}/cancel`, headers: d.mentee.h({ 'idempotency-key': k3 }) })
  t.equal((await cancel()).json().state, 'cancelled')
  await crashed(d.mentee.uid, k3)
  const r3 = await cancel()
  t.equal(r3.statusCode, 200, r3.body)
  t.equal(r3.json().state, 'cancelled')
})
