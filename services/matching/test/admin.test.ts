// Issue 21: an admin lists every 1:1 chat request and match (state, mentor, mentee, creation time)
// and ends a match with a reason — matching.match.ended with endedBy admin and the admin as actor
// (the audit trail's record), the mentor's place freed.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { MentorProfileV1 } from '@sunbae/contracts'
import { approve, buildMatching, profile, readEvents, user, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMatching({ MATCHING_DAILY_REQUEST_LIMIT: '1000' })
})
t.teardown(() => app.close())

async function mentor(over: Partial<MentorProfileV1> = {}): Promise<{ p: MentorProfileV1; u: User }> {
  const p = profile(over)
  await approve(app, p)
  return { p, u: user('mentor', p.uid!) }
}
const send = async (mentee: User, mentorId: string) => {
  const res = await app.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId, message: '상담 부탁드려요.' } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().id as string
}
const act = (who: User, id: string, action: 'accept' | 'decline') => app.inject({ method: 'POST', url: `/api/matching/requests/${id}/${action}`, headers: who.h(), ...(action === 'decline' ? { payload: { reason: '일정이 꽉 찼어요' } } : {}) })
const admin = user('admin')
const get = (who: User, url: string) => app.inject({ method: 'GET', url, headers: who.h() })

t.test('admin requests and matches', async (t) => {
  const { p, u: m } = await mentor()
  const [a, b, c] = [user(), user(), user()]
  const ra = await send(a, p.id)
  const rb = await send(b, p.id)
  const rc = await send(c, p.id)
  const cap = await app.inject({ method: 'PUT', url: '/api/matching/mentor-settings', headers: m.h(), payload: { capacity: 1 } })
  t.equal(cap.statusCode, 200, cap.body)
  const accepted = await act(m, ra, 'accept')
  const matchId = accepted.json().matchId as string
  await act(m, rb, 'decline')

  await t.test('a mentee and a mentor get 403', async (t) => {
    for (const who of [a, m]) {
      t.equal((await get(who, '/api/admin/matching/requests')).statusCode, 403)
      t.equal((await get(who, '/api/admin/matching/matches')).statusCode, 403)
      t.equal((await app.inject({ method: 'POST', url: `/api/admin/matching/matches/${matchId}/end`, headers: who.h(), payload: { reason: 'x' } })).statusCode, 403)
    }
  })

  await t.test('requests by mentor, state, mentee and time', async (t) => {
    const all = (await get(admin, `/api/admin/matching/requests?mentorId=${p.id}`)).json()
    t.equal(all.total, 3)
    t.same(all.items.map((r: { id: string }) => r.id), [rc, rb, ra], 'newest first')
    t.same((await get(admin, `/api/admin/matching/requests?mentorUid=${p.uid}&state=declined`)).json().items.map((r: { id: string }) => r.id), [rb])
    t.same((await get(admin, `/api/admin/matching/requests?menteeUid=${c.uid}`)).json().items.map((r: { id: string }) => r.id), [rc])
    const future = new Date(Date.now() + 3_600_000).toISOString()
    t.equal((await get(admin, `/api/admin/matching/requests?mentorId=${p.id}&from=${encodeURIComponent(future)}`)).json().total, 0)
    t.equal((await get(admin, `/api/admin/matching/requests?mentorId=${p.id}&to=${encodeURIComponent(future)}&pageSize=1&page=3`)).json().items[0].id, ra)
  })

  await t.test('matches by mentor and state; an admin ends one with a reason', async (t) => {
    const active = (await get(admin, `/api/admin/matching/matches?mentorId=${p.id}&state=active`)).json()
    t.same(active.items.map((x: { id: string }) => x.id), [matchId])
    t.equal((await app.inject({ method: 'POST', url: `/api/admin/matching/matches/${matchId}/end`, headers: admin.h(), payload: {} })).statusCode, 400, 'a reason is required')
    const full = await act(m, rc, 'accept')
    t.equal(full.statusCode, 409, 'the mentor is at capacity before')
    const ended = await app.inject({ method: 'POST', url: `/api/admin/matching/matches/${matchId}/end`, headers: admin.h(), payload: { reason: '부적절한 대화 신고' } })
    t.equal(ended.statusCode, 200, ended.body)
    t.match(ended.json(), { id: matchId, state: 'ended', endedBy: 'admin', endReason: '부적절한 대화 신고' })
    const [ev] = await readEvents(app, 'MATCHING', 'matching.match.ended', (e) => e.data.matchId === matchId)
    t.match(ev, { actor: { type: 'user', id: admin.uid, role: 'admin' }, subject: { type: 'match', id: matchId } })
    t.match(ev!.data, { endedBy: 'admin', reason: '부적절한 대화 신고', menteeUid: a.uid })
    t.equal((await act(m, rc, 'accept')).statusCode, 200, "the mentor's place is free again")
    const again = await app.inject({ method: 'POST', url: `/api/admin/matching/matches/${matchId}/end`, headers: admin.h(), payload: { reason: '또' } })
    t.equal(again.json().error.code, 'MATCH_ENDED')
    t.equal((await get(admin, `/api/admin/matching/matches?mentorId=${p.id}&state=ended`)).json().items[0].id, matchId)
    t.equal((await app.inject({ method: 'POST', url: '/api/admin/matching/matches/00000000-0000-4000-8000-000000000000/end', headers: admin.h(), payload: { reason: 'x' } })).statusCode, 404)
  })
})
