// /api/admin/dead-letters: the admin API over the DEADLETTER stream (what `npm run dlq` does), on this
// file's own NATS (ownInfrastructure), so the stream holds only what this file dead-letters.
import t from 'tap'
import { createEvent, ensureStreams } from '@sunbae/bus'
import { STREAMS } from '@sunbae/contracts'
import { admin, buildTracking, mentee, testBus, uniq } from './helpers.ts'

const bus = await testBus('tracking-dead-letters-test')
const app = await buildTracking({ TRACKING_DURABLE_PREFIX: `dlq_${uniq()}` })
t.teardown(async () => {
  await app.close()
  await bus.close()
})
await ensureStreams(bus.jsm, [STREAMS.deadLetter, STREAMS.catalog])

const event = createEvent({ type: 'catalog.mentor.approved', version: 1, source: 'mentor-catalog', actor: { type: 'system', id: null }, data: { mentorId: 'm1' } })
await bus.js.publish(
  `dlq.matching_catalog.${event.type}`,
  JSON.stringify({ event, error: { name: 'Error', message: 'a broken invariant', stack: 'Error: a broken invariant\n    at handler' }, consumer: 'matching_catalog', deliveries: 5, failedAt: new Date().toISOString() }),
)
await bus.js.publish('dlq.tracking_access.telemetry.access.batch', JSON.stringify({ raw: '{"not":"an event"', error: { name: 'SyntaxError', message: 'Unexpected end of JSON input' }, consumer: 'tracking_access', deliveries: 1 }))

t.test('admins list, filter and open dead letters; others are refused', async (t) => {
  const page = (await app.inject({ url: '/api/admin/dead-letters', headers: admin() })).json()
  t.equal(page.total, 2)
  t.match(page.items, [
    { consumer: 'matching_catalog', originalSubject: 'catalog.mentor.approved', eventId: event.id, deliveries: 5, error: { message: 'a broken invariant' }, redrivable: true },
    { consumer: 'tracking_access', originalSubject: 'telemetry.access.batch', eventId: null, redrivable: false },
  ])
  const filtered = (await app.inject({ url: '/api/admin/dead-letters?durable=matching_catalog', headers: admin() })).json()
  t.same(filtered.items.map((d: { eventId: string }) => d.eventId), [event.id])
  const one = await app.inject({ url: `/api/admin/dead-letters/${page.items[0].seq}`, headers: admin() })
  t.equal(one.statusCode, 200)
  t.match(one.json().body, { error: { stack: /at handler/ }, event: { id: event.id } })
  t.equal((await app.inject({ url: '/api/admin/dead-letters/999999', headers: admin() })).json().error.code, 'DEAD_LETTER_NOT_FOUND')
  t.equal((await app.inject({ url: '/api/admin/dead-letters', headers: mentee() })).statusCode, 403)
  t.equal((await app.inject({ url: '/api/admin/dead-letters?subject=a%20b', headers: admin() })).statusCode, 400, 'a malformed subject filter')
  t.equal((await app.inject({ url: '/api/admin/dead-letters/1e400', headers: admin() })).statusCode, 400)
})

t.test('redrive: the event is published again on its original subject and leaves the stream; a raw payload is skipped', async (t) => {
  const nothing = await app.inject({ method: 'POST', url: '/api/admin/dead-letters/redrive', headers: admin(), payload: {} })
  t.equal(nothing.statusCode, 400, 'which ones must be said')
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/dead-letters/redrive', headers: mentee(), payload: { durable: 'matching_catalog', reason: 'x' } })).statusCode, 403)
  const before = (await bus.jsm.streams.info(STREAMS.catalog.name)).state.messages
  const all = (await app.inject({ url: '/api/admin/dead-letters', headers: admin() })).json().items as { seq: number }[]
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/dead-letters/redrive', headers: admin(), payload: { seqs: all.map((d) => d.seq) } })).statusCode, 400, 'a reason is required')
  const res = await app.inject({ method: 'POST', url: '/api/admin/dead-letters/redrive', headers: admin(), payload: { seqs: all.map((d) => d.seq), reason: '카탈로그 소비자 버그 수정 후' } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { redriven: [all[0]!.seq], skipped: [{ seq: all[1]!.seq, reason: 'not an event envelope: nothing to publish again' }] })
  const info = await bus.jsm.streams.info(STREAMS.catalog.name)
  t.equal(info.state.messages, before + 1, 'published again on catalog.mentor.approved')
  const copy = await bus.jsm.streams.getMessage(STREAMS.catalog.name, { seq: info.state.last_seq })
  t.equal(copy?.json<{ id: string }>().id, event.id, 'the same event')
  t.equal((await app.inject({ url: '/api/admin/dead-letters', headers: admin() })).json().total, 1, 'only the raw one is left')
  const audit = (await app.inject({ url: '/api/admin/tracking/audit?type=tracking.dead_letters.redriven', headers: admin() })).json().items
  t.equal(audit.length, 1, 'the redrive is in the audit trail')
  t.match(audit[0], {
    actor: { type: 'user', role: 'admin' },
    entity: { type: 'dead_letters', id: all.map((d) => d.seq).join(',') },
    payload: { reason: '카탈로그 소비자 버그 수정 후', redriven: [all[0]!.seq], skipped: [{ seq: all[1]!.seq }] },
  })
})
