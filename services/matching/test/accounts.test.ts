// Rename propagation (issue 21): catalog.user.updated in → the new name out of matching's API — the
// mentor's inbox, both parties' match lists (meeting stores no names: the web's sessions tab names the
// other party from these match lists) — and an older event never brings an old name back.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { createEvent } from '@sunbae/bus'
import { BUS_CONSUMERS, CatalogEvents, type DomainEvent, type UserAccountV1 } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { approve, buildMatching, profile, user, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMatching({ MATCHING_DAILY_REQUEST_LIMIT: '1000' })
})
t.teardown(() => app.close())

/** Publishes catalog.user.updated exactly as the catalog's outbox relay does (event id = message id). */
async function renamed(u: User, displayName: string, at: Date): Promise<DomainEvent> {
  const data: UserAccountV1 = { uid: u.uid, email: `${u.uid}@example.com`, displayName, role: u.role, locale: 'en', timeZone: 'Asia/Seoul' }
  const event = createEvent({ type: CatalogEvents.userUpdated.type, version: CatalogEvents.userUpdated.version, source: 'mentor-catalog', actor: { type: 'user', id: u.uid }, data })
  event.occurredAt = at.toISOString()
  await app.bus.js.publish(event.type, JSON.stringify(event), { msgID: event.id })
  return event
}

/** Resolves once matching's account consumer has committed the event (its processed-event mark). */
async function handled(event: DomainEvent): Promise<void> {
  await waitFor(async () => {
    const r = await sql<{ n: number }>`select count(*)::int as n from processed_events where consumer = ${BUS_CONSUMERS.matching.catalogUsers.durable} and event_id = ${event.id}`.execute(app.db)
    return r.rows[0]!.n === 1
  }, 20_000)
}

async function mentor(): Promise<{ id: string; u: User }> {
  const p = profile()
  await approve(app, p)
  return { id: p.id, u: user('mentor', p.uid!) }
}

const send = async (mentee: User, mentorId: string, headers = mentee.h()) => {
  const r = await app.inject({ method: 'POST', url: '/api/matching/requests', headers, payload: { mentorId, message: '이직 상담 부탁드려요.' } })
  if (r.statusCode !== 201) throw new Error(`request: ${r.statusCode} ${r.body}`)
  return r.json() as { id: string }
}
const inboxNames = async (m: User) => {
  const r = await app.inject({ url: '/api/matching/requests?box=inbox', headers: m.h() })
  return Object.fromEntries(r.json().items.map((x: { mentee: { uid: string; displayName: string | null } }) => [x.mentee.uid, x.mentee.displayName]))
}
const menteeNames = async (m: User) => {
  const r = await app.inject({ url: '/api/matching/matches?as=mentor', headers: m.h() })
  return Object.fromEntries(r.json().items.map((x: { mentee: { uid: string; displayName: string | null } }) => [x.mentee.uid, x.mentee.displayName]))
}

t.test('a renamed mentee: the mentor inbox, the match lists and the outbox show the new name; an older event changes nothing', async (t) => {
  const m = await mentor()
  const pending = user()
  const matched = user()
  const req = await send(pending, m.id)
  const toAccept = await send(matched, m.id)
  const accepted = await app.inject({ method: 'POST', url: `/api/matching/requests/${toAccept.id}/accept`, headers: m.u.h() })
  t.equal(accepted.statusCode, 200, accepted.body)
  t.same(await inboxNames(m.u), { [pending.uid]: pending.name, [matched.uid]: matched.name }, 'before: the names the requests were sent with')

  const now = Date.now()
  const e1 = await renamed(pending, 'Kim Minji', new Date(now))
  const e2 = await renamed(matched, '이서연 (Seoyeon)', new Date(now))
  await handled(e1)
  await handled(e2)

  t.same(await inboxNames(m.u), { [pending.uid]: 'Kim Minji', [matched.uid]: '이서연 (Seoyeon)' }, "the mentor's inbox shows the new names")
  t.same(await menteeNames(m.u), { [matched.uid]: '이서연 (Seoyeon)' }, "the mentor's mentees (and the sessions tab that names bookings from them)")
  const outbox = await app.inject({ url: '/api/matching/requests?box=outbox', headers: pending.h() })
  t.match(outbox.json().items, [{ id: req.id, mentee: { uid: pending.uid, displayName: 'Kim Minji' } }], "the mentee's own outbox")
  const mine = await app.inject({ url: '/api/matching/matches', headers: matched.h() })
  t.match(mine.json().items, [{ mentee: { uid: matched.uid, displayName: '이서연 (Seoyeon)' } }], "the mentee's own match")

  // an event from before the rename arrives late (a replay, a redrive): the newer name stays
  const stale = await renamed(pending, 'Old Name', new Date(now - 60_000))
  await handled(stale)
  t.equal((await inboxNames(m.u))[pending.uid], 'Kim Minji', 'an older event does not bring the old name back')

  // the same event delivered again (a redrive publishes it under a new message id) is skipped
  await app.bus.js.publish(e1.type, JSON.stringify({ ...e1 }), { msgID: randomUUID() })
  const later = await renamed(pending, 'Kim Minji 2', new Date(now + 1_000))
  await handled(later)
  t.equal((await inboxNames(m.u))[pending.uid], 'Kim Minji 2', 'a newer rename wins')
})

t.test("a request sent after the rename with a token that still carries the old name shows the account's name", async (t) => {
  const m = await mentor()
  const mentee = user()
  await handled(await renamed(mentee, 'Park Jiwoo', new Date()))
  // ID tokens live up to an hour: the name in this one predates the rename
  await send(mentee, m.id)
  t.equal((await inboxNames(m.u))[mentee.uid], 'Park Jiwoo')
})
