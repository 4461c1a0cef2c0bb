// Delete my account (issue 21): catalog.user.deleted in → matching's API no longer shows the mentee's
// name or message, their preferences are gone, the request keeps its state; redelivery is harmless and
// an older rename cannot bring the name back.
import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { createEvent } from '@sunbae/bus'
import { BUS_CONSUMERS, CatalogEvents, type DomainEvent } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { approve, buildMatching, profile, user, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMatching({ MATCHING_DAILY_REQUEST_LIMIT: '1000' })
})
t.teardown(() => app.close())

async function publish(type: string, data: unknown, at = new Date(), id?: string): Promise<DomainEvent> {
  const event = createEvent({ type, version: 1, source: 'mentor-catalog', actor: { type: 'system', id: null }, data })
  event.occurredAt = at.toISOString()
  if (id) event.id = id
  await app.bus.js.publish(event.type, JSON.stringify(event), { msgID: `${event.id}:${Math.random()}` })
  return event
}

async function handled(event: DomainEvent, times = 1): Promise<void> {
  await waitFor(async () => {
    const r = await sql<{ n: number }>`select count(*)::int as n from processed_events where consumer = ${BUS_CONSUMERS.matching.catalogUsers.durable} and event_id = ${event.id}`.execute(app.db)
    return r.rows[0]!.n >= times
  }, 20_000)
}

t.test('a deleted mentee: no name or message in the inbox, preferences gone, request kept; redelivery and an older rename change nothing', async (t) => {
  const p = profile()
  await approve(app, p)
  const mentorUser = user('mentor', p.uid!)
  const mentee: User = user()
  const prefs = await app.inject({ method: 'PUT', url: '/api/matching/preferences', headers: mentee.h(), payload: { skills: ['python'], goals: '이직 준비', languages: ['ko'] } })
  t.ok(prefs.statusCode < 300, `preferences saved: ${prefs.statusCode} ${prefs.body}`)
  const sent = await app.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: p.id, message: '제 번호는 010-1234-5678 입니다' } })
  t.equal(sent.statusCode, 201, sent.body)
  const before = JSON.stringify((await app.inject({ url: '/api/matching/requests?box=inbox', headers: mentorUser.h() })).json())
  t.match(before, '010-1234-5678', 'the inbox shows the message before')

  const deleted = await publish(CatalogEvents.userDeleted.type, { uid: mentee.uid, deletedAt: new Date().toISOString() })
  await handled(deleted)
  const inbox = (await app.inject({ url: '/api/matching/requests?box=inbox', headers: mentorUser.h() })).json()
  const item = inbox.items.find((x: { id: string }) => x.id === sent.json().id)
  t.ok(item, 'the request is still listed (its state is history the mentor keeps)')
  t.equal(item.mentee.displayName, null, 'no name')
  t.equal(item.message, '', 'no message')
  t.notMatch(JSON.stringify(inbox), '010-1234-5678')
  const left = await sql<{ n: number }>`select count(*)::int as n from preferences where mentee_uid = ${mentee.uid}`.execute(app.db)
  t.equal(left.rows[0]!.n, 0, 'preferences erased')

  // the same event again (a redelivery) and a rename from before the deletion: still nothing
  await publish(CatalogEvents.userDeleted.type, deleted.data, new Date(deleted.occurredAt), deleted.id)
  const old = await publish(CatalogEvents.userUpdated.type, { uid: mentee.uid, email: 'old@example.com', displayName: '옛 이름', role: 'mentee' }, new Date(Date.now() - 60_000))
  await handled(old)
  const after = (await app.inject({ url: '/api/matching/requests?box=inbox', headers: mentorUser.h() })).json()
  t.equal(after.items.find((x: { id: string }) => x.id === sent.json().id).mentee.displayName, null, 'an older rename does not bring the name back')
})
