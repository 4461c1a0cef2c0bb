import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { approve, buildMatching, profile, readEvents, user } from './helpers.ts'

// Two replicas against the same database and NATS, each with its own sweeper running every 50 ms,
// and requests that expire 3.6 s after they are sent.
const config = { MATCHING_REQUEST_TTL_HOURS: '0.001', MATCHING_SWEEP_INTERVAL_MS: '50', MATCHING_SWEEP_BATCH: '7', MATCHING_DAILY_REQUEST_LIMIT: '1000' }
let a: FastifyInstance
let b: FastifyInstance
t.before(async () => {
  ;[a, b] = await Promise.all([buildMatching(config), buildMatching(config)])
})
t.teardown(async () => {
  await Promise.all([a.close(), b.close()])
})

t.test('each request expires exactly once with two replicas sweeping', async (t) => {
  const mentors = Array.from({ length: 6 }, () => profile())
  await approve(a, ...mentors)
  await b.mentorReadModel.settled()
  const startA = a.expiredByThisReplica()
  const startB = b.expiredByThisReplica()

  // 60 requests, sent through both replicas
  const sent: string[] = []
  for (let i = 0; i < 10; i++) {
    const mentee = user()
    for (const [j, m] of mentors.entries()) {
      const via = j % 2 ? a : b
      const res = await via.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: m.id, message: `#${i}.${j}` } })
      t.equal(res.statusCode, 201)
      sent.push(res.json().id)
    }
  }
  t.equal(sent.length, 60)
  const m0 = user('mentor', mentors[0]!.uid!)

  // Wait for the sweepers (and, to make them collide for sure, sweep by hand on both at once too).
  const deadline = Date.now() + 20_000
  for (;;) {
    await Promise.all([a.expirySweeper.run(), b.expirySweeper.run(), a.expirySweeper.run(), b.expirySweeper.run()])
    const pending = await a.db.selectFrom('requests').select((eb) => eb.fn.countAll<string>().as('n')).where('id', 'in', sent).where('state', '=', 'pending').executeTakeFirstOrThrow()
    if (Number(pending.n) === 0 || Date.now() > deadline) break
    await sleep(100)
  }
  const states = await a.db.selectFrom('requests').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).where('id', 'in', sent).groupBy('state').execute()
  t.same(states.map((s) => [s.state, Number(s.n)]), [['expired', 60]], 'all 60 expired')

  const byA = a.expiredByThisReplica() - startA
  const byB = b.expiredByThisReplica() - startB
  t.ok(byA + byB >= 60, `the two replicas expired ${byA} + ${byB} (other tests' overdue requests may add to it)`)

  const events = await readEvents(a, 'MATCHING', 'matching.request.expired', (e) => sent.includes(e.data.requestId), { count: 60, settleMs: 1500, timeoutMs: 20_000 })
  const perRequest = new Map<string, number>()
  for (const e of events) perRequest.set(e.data.requestId, (perRequest.get(e.data.requestId) ?? 0) + 1)
  t.equal(perRequest.size, 60, 'an expired event for every request')
  t.same([...new Set(perRequest.values())], [1], 'and exactly one each')
  // outbox rows: one per request, whichever replica wrote it (the relay's dedup cannot hide a double write here)
  const rows = await a.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('subject', '=', 'matching.request.expired')
    .where(({ eb, ref }) => eb(eb.fn('jsonb_extract_path_text', [ref('payload'), eb.val('data'), eb.val('requestId')]), 'in', sent))
    .executeTakeFirstOrThrow()
  t.equal(Number(rows.n), 60, 'one outbox row per request')

  const tooLate = await b.inject({ method: 'POST', url: `/api/matching/requests/${sent[0]}/accept`, headers: m0.h() })
  t.equal(tooLate.statusCode, 409)
  t.equal(tooLate.json().error.code, 'REQUEST_EXPIRED', 'an expired request cannot be accepted')
})

t.test('expiry and acceptance racing: the request ends in exactly one of the two', async (t) => {
  const mentor = profile()
  await approve(a, mentor)
  await b.mentorReadModel.settled()
  const m = user('mentor', mentor.uid!)
  let accepted = 0
  let expired = 0
  for (let i = 0; i < 8; i++) {
    const res = await a.inject({ method: 'POST', url: '/api/matching/requests', headers: user().h(), payload: { mentorId: mentor.id, message: 'race' } })
    const id = res.json().id as string
    // due within a few milliseconds (varied, so either side can win): the accept and both
    // sweepers go for it at the same moment
    await sql`update requests set expires_at = now() + make_interval(secs => ${(i % 4) * 0.004}) where id = ${id}`.execute(a.db)
    const [acc] = await Promise.all([b.inject({ method: 'POST', url: `/api/matching/requests/${id}/accept`, headers: m.h() }), a.expirySweeper.run(), b.expirySweeper.run()])
    // Both passes may have run before the due time while the accept came after it: refused as
    // expired, the row still pending until the next pass (seen on a loaded machine). One more pass
    // settles it; it cannot touch an accepted request.
    await a.expirySweeper.run()
    const row = await a.db.selectFrom('requests').select(['state']).where('id', '=', id).executeTakeFirstOrThrow()
    if (acc.statusCode === 200) {
      accepted++
      t.equal(row.state, 'accepted')
      // end it, so the mentor never reaches a capacity
      await a.inject({ method: 'POST', url: `/api/matching/matches/${acc.json().matchId}/end`, headers: m.h() })
    } else {
      expired++
      t.equal(acc.statusCode, 409)
      t.equal(row.state, 'expired')
    }
  }
  t.equal(accepted + expired, 8, `accepted ${accepted}, expired ${expired}: never both, never neither`)
})
