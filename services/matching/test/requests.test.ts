import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { MentorProfileV1 } from '@sunbae/contracts'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { approve, buildMatching, fields, profile, publishCatalog, readEvents, user, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMatching({ MATCHING_DAILY_REQUEST_LIMIT: '1000' })
})
t.teardown(() => app.close())

/** A mentor in the read model (through a real catalog event) and the account that signs in as them. */
async function mentor(over: Partial<MentorProfileV1> = {}): Promise<{ p: MentorProfileV1; u: User }> {
  const p = profile(over)
  await approve(app, p)
  return { p, u: user('mentor', p.uid!) }
}

const send = (mentee: User, mentorId: string, message = '안녕하세요, 백엔드 이직 상담 부탁드려요.') =>
  app.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId, message } })
const act = (who: User, id: string, action: 'accept' | 'decline' | 'cancel', payload?: object) =>
  app.inject({ method: 'POST', url: `/api/matching/requests/${id}/${action}`, headers: who.h(), ...(payload ? { payload } : {}) })

t.test('a request goes from the mentee to the mentor; acceptance creates a match and publishes both uids once', async (t) => {
  const { p, u: m } = await mentor({ displayName: '박서준' })
  const mentee = user()

  const created = await send(mentee, p.id)
  t.equal(created.statusCode, 201, created.body)
  const req = created.json()
  t.match(req, { state: 'pending', mentor: { id: p.id, uid: p.uid, displayName: '박서준' }, mentee: { uid: mentee.uid, displayName: mentee.name }, reason: null, matchId: null })
  const ttl = Date.parse(req.expiresAt) - Date.parse(req.createdAt)
  t.ok(Math.abs(ttl - 48 * 3600_000) < 5_000, `expires 48 h after creation by default (got ${ttl} ms)`)

  const outbox = await app.inject({ url: '/api/matching/requests?box=outbox', headers: mentee.h() })
  t.same(outbox.json().items.map((r: { id: string }) => r.id), [req.id], "the mentee's outbox")
  const inbox = await app.inject({ url: '/api/matching/requests?box=inbox&state=pending', headers: m.h() })
  t.same(inbox.json().items.map((r: { id: string }) => r.id), [req.id], "the mentor's inbox")
  t.equal(inbox.json().total, 1)

  const accepted = await act(m, req.id, 'accept')
  t.equal(accepted.statusCode, 200, accepted.body)
  t.match(accepted.json(), { state: 'accepted', matchId: String })
  const matchId = accepted.json().matchId

  const mine = await app.inject({ url: '/api/matching/matches', headers: mentee.h() })
  t.match(mine.json(), { total: 1, items: [{ id: matchId, state: 'active', mentor: { id: p.id, displayName: '박서준' }, mentee: { uid: mentee.uid } }] }, 'mentors matched with me')
  const mentees = await app.inject({ url: '/api/matching/matches?as=mentor', headers: m.h() })
  t.match(mentees.json(), { total: 1, items: [{ id: matchId, mentee: { uid: mentee.uid, displayName: mentee.name } }] }, 'my mentees')

  const events = await readEvents(app, 'MATCHING', 'matching.request.>', (e) => e.data.requestId === req.id, { count: 2, settleMs: 1000 })
  t.same(events.map((e) => e.type), ['matching.request.created', 'matching.request.accepted'], 'each transition published once, in order')
  t.match(events[1], {
    source: 'matching',
    actor: { type: 'user', id: p.uid },
    data: { requestId: req.id, matchId, mentorId: p.id, mentorUid: p.uid, menteeUid: mentee.uid, message: req.message },
  })

  const again = await send(mentee, p.id)
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'ALREADY_MATCHED', 'no new request while matched')
})

t.test('an unverified email address may browse but not send a request: 403 EMAIL_UNVERIFIED, nothing stored or published', async (t) => {
  const { p } = await mentor()
  const mentee = user()
  const unverified = identityHeaders({ uid: mentee.uid, name: mentee.name, role: 'mentee', emailVerified: false })
  const message = `검증 전 요청 ${randomUUID()}`

  const browse = await app.inject({ url: '/api/matching/recommendations', headers: unverified })
  t.equal(browse.statusCode, 200, 'recommendations stay open')
  const refused = await app.inject({ method: 'POST', url: '/api/matching/requests', headers: unverified, payload: { mentorId: p.id, message } })
  t.equal(refused.statusCode, 403, refused.body)
  t.equal(refused.json().error.code, 'EMAIL_UNVERIFIED')
  t.match(refused.json().error.message, /verify your email/i)
  const outbox = await app.inject({ url: '/api/matching/requests?box=outbox', headers: unverified })
  t.equal(outbox.json().total, 0, 'nothing stored')

  const created = await send(mentee, p.id, message)
  t.equal(created.statusCode, 201, 'once verified, the same mentee sends it')
  const events = await readEvents(app, 'MATCHING', 'matching.request.created', (e) => e.data.menteeUid === mentee.uid, { count: 2, settleMs: 500 })
  t.same(events.map((e) => e.data.requestId), [created.json().id], 'one request.created: the refused one published nothing')
})

t.test('one open request per pair, even when two are sent at once', async (t) => {
  const { p } = await mentor()
  const mentee = user()
  const [a, b] = await Promise.all([send(mentee, p.id), send(mentee, p.id)])
  t.same([a.statusCode, b.statusCode].sort(), [201, 409])
  t.equal((a.statusCode === 409 ? a : b).json().error.code, 'REQUEST_OPEN')
  const third = await send(mentee, p.id)
  t.equal(third.statusCode, 409)
  t.equal(third.json().error.code, 'REQUEST_OPEN')
  // another mentee is not affected
  t.equal((await send(user(), p.id)).statusCode, 201)
  // once cancelled, the pair may open a new one
  const open = (a.statusCode === 201 ? a : b).json()
  t.equal((await act(mentee, open.id, 'cancel')).statusCode, 200)
  t.equal((await send(mentee, p.id)).statusCode, 201)
})

t.test('only the addressed mentor answers; wrong actors get 403, unknown ids 404, bad ids 400', async (t) => {
  const { p, u: m } = await mentor()
  const { u: otherMentor } = await mentor()
  const mentee = user()
  const req = (await send(mentee, p.id)).json()

  for (const who of [otherMentor, user('mentor'), user('admin')]) {
    const res = await act(who, req.id, 'accept')
    t.equal(res.statusCode, 403, `${who.role} ${who.uid.slice(0, 12)} cannot accept`)
    t.equal(res.json().error.code, 'NOT_ADDRESSED_MENTOR')
  }
  t.equal((await act(otherMentor, req.id, 'decline', { reason: 'no' })).statusCode, 403)
  t.equal((await act(mentee, req.id, 'accept')).statusCode, 403, 'the mentee (role mentee) cannot accept their own request')
  t.equal((await app.inject({ method: 'POST', url: `/api/matching/requests/${req.id}/accept`, headers: mentee.h('mentor') })).statusCode, 403, 'nor with a mentor claim')
  t.equal((await act(m, req.id, 'cancel')).statusCode, 403, 'the mentor cannot cancel the mentee\'s request')
  t.equal((await app.inject({ url: `/api/matching/requests/${req.id}`, headers: user().h() })).statusCode, 403, 'strangers cannot read it')
  t.equal((await app.inject({ url: `/api/matching/requests/${req.id}`, headers: m.h() })).statusCode, 200)

  const unknown = await act(m, randomUUID(), 'accept')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'REQUEST_NOT_FOUND')
  const bad = await act(m, 'not-a-uuid', 'accept')
  t.equal(bad.statusCode, 400)
  t.same(fields(bad.json()), ['params/id'])
  t.equal((await app.inject({ method: 'POST', url: `/api/matching/requests/${req.id}/accept` })).statusCode, 401, 'no identity')

  t.equal((await send(mentee, randomUUID())).statusCode, 404, 'request to an unknown mentor')
  const noMessage = await app.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: p.id, message: '   ' } })
  t.equal(noMessage.statusCode, 400)
  t.same(fields(noMessage.json()), ['body/message'])
  const self = await send(m, p.id)
  t.equal(self.statusCode, 409)
  t.equal(self.json().error.code, 'OWN_PROFILE')
})

t.test('declined, cancelled or expired requests cannot be accepted', async (t) => {
  const { p, u: m } = await mentor()
  const first = (await send(user(), p.id)).json()
  const declined = await act(m, first.id, 'decline', { reason: '지금은 일정이 꽉 찼어요' })
  t.equal(declined.statusCode, 200)
  t.match(declined.json(), { state: 'declined', reason: '지금은 일정이 꽉 찼어요' })
  const late = await act(m, first.id, 'accept')
  t.equal(late.statusCode, 409)
  t.equal(late.json().error.code, 'REQUEST_NOT_PENDING')
  t.match(late.json().error.message, /declined/)
  t.equal((await act(m, first.id, 'decline', { reason: 'again' })).statusCode, 409)
  const noReason = await act(m, first.id, 'decline', {})
  t.equal(noReason.statusCode, 400, 'a decline needs a reason')

  const mentee = user()
  const second = (await send(mentee, p.id)).json()
  t.equal((await act(mentee, second.id, 'cancel')).json().state, 'cancelled')
  t.equal((await act(m, second.id, 'accept')).statusCode, 409)

  // past its expiry but not yet swept: refused as expired all the same
  const third = (await send(user(), p.id)).json()
  await app.db.updateTable('requests').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', third.id).execute()
  const expired = await act(m, third.id, 'accept')
  t.equal(expired.statusCode, 409)
  t.equal(expired.json().error.code, 'REQUEST_EXPIRED')
  await app.expirySweeper.run()
  t.equal((await app.inject({ url: `/api/matching/requests/${third.id}`, headers: m.h() })).json().state, 'expired')
  const afterSweep = await act(m, third.id, 'accept')
  t.equal(afterSweep.statusCode, 409)
  t.equal(afterSweep.json().error.code, 'REQUEST_EXPIRED')

  const events = await readEvents(app, 'MATCHING', 'matching.request.>', (e) => [first.id, second.id, third.id].includes(e.data.requestId), { count: 6, settleMs: 1000 })
  const seen = events.map((e) => `${e.data.requestId === first.id ? 1 : e.data.requestId === second.id ? 2 : 3}:${e.type.split('.').pop()}`).sort()
  t.same(seen, ['1:created', '1:declined', '2:cancelled', '2:created', '3:created', '3:expired'], 'every transition published once, no accepted')
  t.match(events.find((e) => e.type === 'matching.request.declined'), { data: { reason: '지금은 일정이 꽉 찼어요', mentorUid: p.uid } })
  t.match(events.find((e) => e.type === 'matching.request.expired'), { actor: { type: 'system' } })
})

t.test('the same request accepted twice at the same moment makes one match', async (t) => {
  const { p, u: m } = await mentor()
  for (let round = 0; round < 5; round++) {
    const req = (await send(user(), p.id)).json()
    const results = await Promise.all([act(m, req.id, 'accept'), act(m, req.id, 'accept'), act(m, req.id, 'accept')])
    t.same(results.map((r) => r.statusCode).sort(), [200, 409, 409], `round ${round}: one accept wins`)
    const rows = await app.db.selectFrom('matches').select('id').where('request_id', '=', req.id).execute()
    t.equal(rows.length, 1, `round ${round}: one match`)
  }
  const s = await app.inject({ url: '/api/matching/mentor-settings', headers: m.h() })
  t.equal(s.json().activeMentees, 5, 'the active count followed every accept exactly')
})

t.test('capacity: a full mentor refuses new requests and accepts with 409; ending a match frees a place', async (t) => {
  const { p, u: m } = await mentor()
  const set = await app.inject({ method: 'PUT', url: '/api/matching/mentor-settings', headers: m.h(), payload: { capacity: 1 } })
  t.equal(set.statusCode, 200, set.body)
  t.match(set.json(), { mentorId: p.id, capacity: 1, activeMentees: 0, full: false })

  const [a, b] = [user(), user()]
  const ra = (await send(a, p.id)).json()
  const rb = (await send(b, p.id)).json()
  // two different requests accepted at once against one place: the settings row lock lets one through
  const both = await Promise.all([act(m, ra.id, 'accept'), act(m, rb.id, 'accept')])
  t.same(both.map((r) => r.statusCode).sort(), [200, 409])
  const loser = both.find((r) => r.statusCode === 409)!
  t.equal(loser.json().error.code, 'MENTOR_FULL')
  t.match((await app.inject({ url: '/api/matching/mentor-settings', headers: m.h() })).json(), { activeMentees: 1, full: true })

  const c = user()
  const refused = await send(c, p.id)
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().error.code, 'MENTOR_FULL')
  t.match(refused.json().error.message, /full/)

  const winner = both[0]!.statusCode === 200 ? both[0]!.json() : both[1]!.json()
  const winnerMentee = winner.id === ra.id ? a : b
  const ended = await app.inject({ method: 'POST', url: `/api/matching/matches/${winner.matchId}/end`, headers: winnerMentee.h(), payload: { reason: '목표를 이뤘어요' } })
  t.equal(ended.statusCode, 200, ended.body)
  t.match(ended.json(), { state: 'ended', endedBy: 'mentee', endReason: '목표를 이뤘어요' })
  t.equal((await app.inject({ method: 'POST', url: `/api/matching/matches/${winner.matchId}/end`, headers: m.h() })).statusCode, 409, 'ended once')
  t.equal((await app.inject({ method: 'POST', url: `/api/matching/matches/${winner.matchId}/end`, headers: user().h() })).statusCode, 403)
  t.match((await app.inject({ url: '/api/matching/mentor-settings', headers: m.h() })).json(), { activeMentees: 0, full: false })
  t.equal((await send(c, p.id)).statusCode, 201, 'a place is free again')

  const [endedEvent] = await readEvents(app, 'MATCHING', 'matching.match.ended', (e) => e.data.matchId === winner.matchId)
  t.match(endedEvent, { data: { mentorId: p.id, mentorUid: p.uid, menteeUid: winnerMentee.uid, endedBy: 'mentee', reason: '목표를 이뤘어요' } })

  t.equal((await app.inject({ method: 'PUT', url: '/api/matching/mentor-settings', headers: user('mentor').h(), payload: { capacity: 3 } })).statusCode, 403, 'no profile, no settings')
  t.equal((await app.inject({ method: 'PUT', url: '/api/matching/mentor-settings', headers: user().h(), payload: { capacity: 3 } })).statusCode, 403, 'mentees have none')
  const bad = await app.inject({ method: 'PUT', url: '/api/matching/mentor-settings', headers: m.h(), payload: { capacity: 0 } })
  t.equal(bad.statusCode, 400)
  t.same(fields(bad.json()), ['body/capacity'])
})

t.test('the daily request limit refuses with 429', async (t) => {
  const limited = await buildMatching({ MATCHING_DAILY_REQUEST_LIMIT: '2' })
  t.teardown(() => limited.close())
  const mentors = [profile(), profile(), profile()]
  await approve(limited, ...mentors)
  await app.mentorReadModel.settled()
  const mentee = user()
  const codes: number[] = []
  for (const p of mentors) {
    codes.push((await limited.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: p.id, message: 'hi' } })).statusCode)
  }
  t.same(codes, [201, 201, 429])
  const res = await limited.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: mentors[2]!.id, message: 'hi' } })
  t.equal(res.json().error.code, 'DAILY_REQUEST_LIMIT')
  // cancelling does not give a request back: the limit counts what was sent
  const sent = (await limited.inject({ url: '/api/matching/requests', headers: mentee.h() })).json().items
  await limited.inject({ method: 'POST', url: `/api/matching/requests/${sent[0].id}/cancel`, headers: mentee.h() })
  t.equal((await limited.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: mentors[2]!.id, message: 'hi' } })).statusCode, 429)
  t.equal((await limited.inject({ method: 'POST', url: '/api/matching/requests', headers: user().h(), payload: { mentorId: mentors[2]!.id, message: 'hi' } })).statusCode, 201, 'another mentee is not limited')
})

t.test('imported mentors without an account and suspended mentors cannot be sent requests', async (t) => {
  const imported = profile({ uid: null })
  const suspended = profile()
  await approve(app, imported, suspended)
  const res = await send(user(), imported.id)
  t.equal(res.statusCode, 409)
  t.equal(res.json().error.code, 'MENTOR_UNREACHABLE')
  await publishCatalog(app, 'mentorSuspended', { ...suspended, status: 'suspended', reason: 'test' })
  await app.mentorReadModel.settled()
  t.equal((await send(user(), suspended.id)).statusCode, 404)
})

t.test('lists are paginated with bounds', async (t) => {
  const mentee = user()
  for (let i = 0; i < 3; i++) {
    const { p } = await mentor()
    await send(mentee, p.id)
  }
  const page = await app.inject({ url: '/api/matching/requests?pageSize=2&page=2', headers: mentee.h() })
  t.match(page.json(), { total: 3, page: 2, pageSize: 2 })
  t.equal(page.json().items.length, 1)
  t.equal((await app.inject({ url: '/api/matching/requests?pageSize=1000', headers: mentee.h() })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/matching/requests?box=sideways', headers: mentee.h() })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/matching/requests?box=inbox', headers: mentee.h() })).statusCode, 403, 'an inbox is for mentors')
  t.equal((await app.inject({ url: '/api/matching/matches?as=mentor', headers: mentee.h() })).statusCode, 403)
})
