import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Recommendation } from '@sunbae/contracts'
import { approve, buildMatching, fields, profile, publishCatalog, unique, user, type User } from './helpers.ts'
import { paramsOf } from './reasons.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMatching()
})
t.teardown(() => app.close())

const recommend = async (who: User, limit = 10): Promise<Recommendation[]> => {
  const res = await app.inject({ url: `/api/matching/recommendations?limit=${limit}`, headers: who.h() })
  if (res.statusCode !== 200) throw new Error(`recommendations: ${res.statusCode} ${res.body}`)
  return res.json().items
}
const ids = (items: Recommendation[]) => items.map((i) => i.mentor.id)
const putPrefs = (who: User, payload: object) => app.inject({ method: 'PUT', url: '/api/matching/preferences', headers: who.h(), payload })

/**
 * Mentors built around words no other test uses (a skill and a goal word), so the expected top
 * result is decided by this test's data alone, whatever else the shared read model holds.
 */
async function scenario() {
  const skill = unique('skill')
  const skill2 = unique('skill')
  const goalWord = unique('목표')
  const best = profile({
    displayName: '이데이터',
    headline: `${goalWord} 전문 데이터 분석가`,
    bio: '추천 시스템과 대시보드를 만들어 왔습니다.',
    skills: ['python', skill, skill2, '데이터 분석'],
    company: 'Toss',
    languages: ['ko', 'en'],
    hourlyRate: 60_000,
    yearsExperience: 8,
    rating: 4.8,
    reviewCount: 30,
  })
  const decoy = profile({
    headline: 'Backend engineer',
    bio: `Servers, and ${goalWord} on weekends.`,
    skills: ['python', skill, skill2],
    company: 'Kakao',
    languages: ['ko'],
    hourlyRate: 60_000,
  })
  const noCommonLanguage = profile({ headline: `${goalWord} expert`, skills: ['python', skill, 'data analysis'], languages: ['ja'] })
  await approve(app, best, decoy, noCommonLanguage)
  const mentee = user()
  const prefs = {
    goals: `${goalWord} 분야로 이직하고 싶어요`,
    skills: ['파이썬', skill, skill2, '데이터 분석'],
    languages: ['ko'],
    budget: { min: 30_000, max: 100_000 },
    careerStage: 'junior',
  }
  const saved = await putPrefs(mentee, prefs)
  if (saved.statusCode !== 200) throw new Error(saved.body)
  return { skill, skill2, goalWord, best, decoy, noCommonLanguage, mentee }
}

t.test('the top result and its reasons correspond to the real overlaps', async (t) => {
  const { skill, skill2, goalWord, best, decoy, noCommonLanguage, mentee } = await scenario()
  const items = await recommend(mentee)
  const top = items[0]!
  t.equal(top.mentor.id, best.id, 'the mentor sharing most is first')
  t.match(top.mentor, { displayName: '이데이터', hourlyRate: 60_000, rating: 4.8, reviewCount: 30, acceptsRequests: true })
  t.notOk(ids(items).includes(noCommonLanguage.id), 'no common language: left out')
  const decoyItem = items[1]!
  t.equal(decoyItem.mentor.id, decoy.id, 'the mentor sharing three skills and the goal word (in the bio) is second')
  t.ok(decoyItem.score < top.score)

  const p = (kind: Parameters<typeof paramsOf>[1]) => paramsOf(top.reasons, kind)
  t.same(
    paramsOf(top.reasons, 'skills'),
    { count: 4, skills: [{ mine: '파이썬', theirs: 'python' }, { mine: skill, theirs: skill }, { mine: skill2, theirs: skill2 }, { mine: '데이터 분석', theirs: '데이터 분석' }] },
    'shared skills by name, Korean ↔ English',
  )
  t.same(paramsOf(top.reasons, 'goals'), { words: [{ word: goalWord, where: 'headline' }] }, 'the goal word found in the headline')
  t.same(p('language'), { languages: ['ko'] }, 'the common language (the mentor also speaks en, the mentee did not ask for it)')
  t.same(p('budget'), { fit: 'within', rate: 60_000, min: 30_000, max: 100_000 })
  t.same(p('rating'), { rating: 4.8, reviewCount: 30 })
  t.match(p('experience'), { years: 8 })
  for (const r of top.reasons) t.notOk('text' in r || 'evidence' in r, `${r.kind}: a code and params, no Korean sentence`)
  t.equal(top.score, Math.round(top.reasons.reduce((s, r) => s + r.points, 0) * 10) / 10, 'the score is the sum of the reasons')
  // the second's reasons are its own: three shared skills, the goal word in its bio
  t.same(paramsOf(decoyItem.reasons, 'skills')?.skills, [{ mine: '파이썬', theirs: 'python' }, { mine: skill, theirs: skill }, { mine: skill2, theirs: skill2 }])
  t.same(paramsOf(decoyItem.reasons, 'goals'), { words: [{ word: goalWord, where: 'bio' }] })
  t.notOk(paramsOf(decoyItem.reasons, 'rating'), 'no reviews, no rating reason')
})

t.test('suspended mentors disappear after the catalog event and come back when reinstated; ratings and order are respected', async (t) => {
  const { best, mentee } = await scenario()
  t.equal(ids(await recommend(mentee))[0], best.id)

  await publishCatalog(app, 'mentorSuspended', { ...best, status: 'suspended', reason: '신고 검토 중' })
  await app.mentorReadModel.settled()
  t.notOk(ids(await recommend(mentee)).includes(best.id), 'suspended: gone')
  const row = await app.db.selectFrom('mentors').select(['status']).where('mentor_id', '=', best.id).executeTakeFirst()
  t.equal(row?.status, 'suspended', 'the read model in Postgres says so too')

  // an update that happened before the suspension but arrives after it must not revive the mentor
  await publishCatalog(app, 'mentorUpdated', { ...best, headline: 'stale' }, new Date(Date.now() - 60_000))
  await app.mentorReadModel.settled()
  t.notOk(ids(await recommend(mentee)).includes(best.id), 'an older event is ignored')

  await publishCatalog(app, 'mentorReinstated', best)
  await publishCatalog(app, 'mentorRated', { mentorId: best.id, rating: 3.1, reviewCount: 31 })
  await app.mentorReadModel.settled()
  const back = (await recommend(mentee)).find((i) => i.mentor.id === best.id)
  t.ok(back, 'reinstated: back')
  t.equal(back!.mentor.headline, best.headline)
  const rating = back!.reasons.find((r) => r.kind === 'rating')!
  t.same(rating.params, { rating: 3.1, reviewCount: 31 }, 'the new rating, and the reason says it')
  t.ok(rating.points < 0, 'a low rating lowers the score, visibly')
})

t.test('hidden mentors, open requests and full mentors are left out', async (t) => {
  const { best, mentee } = await scenario()
  const hide = await app.inject({ method: 'POST', url: '/api/matching/recommendations/hidden', headers: mentee.h(), payload: { mentorId: best.id } })
  t.equal(hide.statusCode, 201)
  t.notOk(ids(await recommend(mentee)).includes(best.id), 'hidden')
  t.same((await app.inject({ url: '/api/matching/recommendations/hidden', headers: mentee.h() })).json().map((h: { mentorId: string }) => h.mentorId), [best.id])
  t.equal((await app.inject({ method: 'DELETE', url: `/api/matching/recommendations/hidden/${best.id}`, headers: mentee.h() })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/matching/recommendations/hidden/${best.id}`, headers: mentee.h() })).statusCode, 404)
  t.equal(ids(await recommend(mentee))[0], best.id, 'shown again')

  const req = await app.inject({ method: 'POST', url: '/api/matching/requests', headers: mentee.h(), payload: { mentorId: best.id, message: '상담 부탁드려요' } })
  t.equal(req.statusCode, 201)
  t.notOk(ids(await recommend(mentee)).includes(best.id), 'an open request: left out')
  await app.inject({ method: 'POST', url: `/api/matching/requests/${req.json().id}/cancel`, headers: mentee.h() })
  t.equal(ids(await recommend(mentee))[0], best.id)

  // the mentor fills up with another mentee
  const m = user('mentor', best.uid!)
  await app.inject({ method: 'PUT', url: '/api/matching/mentor-settings', headers: m.h(), payload: { capacity: 1 } })
  const other = user()
  const r2 = await app.inject({ method: 'POST', url: '/api/matching/requests', headers: other.h(), payload: { mentorId: best.id, message: 'hi' } })
  t.equal((await app.inject({ method: 'POST', url: `/api/matching/requests/${r2.json().id}/accept`, headers: m.h() })).statusCode, 200)
  t.notOk(ids(await recommend(mentee)).includes(best.id), 'full: left out')
  t.notOk(ids(await recommend(other)).includes(best.id), 'matched: left out for the matched mentee too')
})

t.test('recommendations follow preference changes at once, and time windows are explained', async (t) => {
  const { best, mentee } = await scenario()
  const newSkill = unique('skill')
  const game = profile({ headline: '게임 클라이언트 개발자', skills: [newSkill, 'unity'], languages: ['ko'] })
  await approve(app, game)
  // the mentor publishes their weekly windows; the mentee's Saturday morning overlaps one hour
  await app.inject({
    method: 'PUT',
    url: '/api/matching/mentor-settings',
    headers: user('mentor', game.uid!).h(),
    payload: { timeWindows: [{ day: 'sat', start: '11:00', end: '13:00' }] },
  })
  t.equal(ids(await recommend(mentee))[0], best.id)
  const put = await putPrefs(mentee, { skills: [newSkill, '유니티'], languages: ['ko'], timeWindows: [{ day: 'sat', start: '10:00', end: '12:00' }] })
  t.equal(put.statusCode, 200)
  const top = (await recommend(mentee))[0]!
  t.equal(top.mentor.id, game.id, 'new preferences, new top result')
  t.same(paramsOf(top.reasons, 'skills')?.skills, [{ mine: newSkill, theirs: newSkill }, { mine: '유니티', theirs: 'unity' }])
  t.same(paramsOf(top.reasons, 'time_windows'), { hoursPerWeek: 1, timezone: 'Asia/Seoul', windows: [{ day: 'sat', start: '11:00', end: '12:00', endsNextDay: false }] })
  t.equal(top.reasons.find((r) => r.kind === 'time_windows')?.points, 4)
})

t.test('preferences: defaults, replacement and clear 400s', async (t) => {
  const mentee = user()
  const empty = await app.inject({ url: '/api/matching/preferences', headers: mentee.h() })
  t.match(empty.json(), { goals: '', skills: [], budget: null, timezone: 'Asia/Seoul', updatedAt: null })
  const saved = await putPrefs(mentee, { goals: '백엔드 이직', skills: ['go'], timezone: 'America/New_York', careerStage: 'mid' })
  t.match(saved.json(), { goals: '백엔드 이직', skills: ['go'], timezone: 'America/New_York', careerStage: 'mid', updatedAt: String })
  const replaced = await putPrefs(mentee, { skills: ['rust'] })
  t.match(replaced.json(), { goals: '', skills: ['rust'], timezone: 'Asia/Seoul', careerStage: null }, 'PUT replaces the whole set')

  const cases: [object, string[]][] = [
    [{ budget: { min: 50_000, max: 10_000 } }, ['body/budget/max']],
    [{ timezone: 'Mars/Olympus' }, ['body/timezone']],
    [{ timeWindows: [{ day: 'mon', start: '20:00', end: '19:00' }] }, ['body/timeWindows/0']],
    [{ timeWindows: [{ day: 'someday', start: '20:00', end: '21:00' }] }, ['body/timeWindows/0/day']],
    [{ languages: ['klingon'] }, ['body/languages/0']],
    [{ careerStage: 'astronaut' }, ['body/careerStage']],
    [{ skills: Array.from({ length: 30 }, (_, i) => `s${i}`) }, ['body/skills']],
    [{ favouriteColour: 'blue' }, ['body/favouriteColour']],
  ]
  for (const [payload, expected] of cases) {
    const res = await putPrefs(mentee, payload)
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60))
    t.same([...new Set(fields(res.json()))].slice(0, 1), expected.slice(0, 1))
  }
  t.equal((await app.inject({ url: '/api/matching/recommendations?limit=0', headers: mentee.h() })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/matching/recommendations?limit=51', headers: mentee.h() })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/matching/recommendations' })).statusCode, 401)
  const hideUnknown = await app.inject({ method: 'POST', url: '/api/matching/recommendations/hidden', headers: mentee.h(), payload: { mentorId: '00000000-0000-4000-8000-000000000000' } })
  t.equal(hideUnknown.statusCode, 404)
})

t.test('a new replica builds its index from Postgres, not from the stream', async (t) => {
  const { best, mentee } = await scenario()
  const second = await buildMatching()
  t.teardown(() => second.close())
  t.ok(second.mentorReadModel.index.get(best.id), 'in the new index')
  const stats = second.mentorReadModel.stats()
  t.ok(stats.followingFromSeq! > 1, `followed from the durable consumer's ack floor (${stats.followingFromSeq}), not the stream start`)
  const res = await second.inject({ url: '/api/matching/recommendations?limit=3', headers: mentee.h() })
  t.equal(res.json().items[0].mentor.id, best.id)
  const admin = await second.inject({ url: '/api/admin/matching/stats', headers: user('admin').h() })
  t.equal(admin.statusCode, 200)
  t.ok(admin.json().readModel.mentors >= 3)
  t.equal((await second.inject({ url: '/api/admin/matching/stats', headers: mentee.h() })).statusCode, 403)
})

t.test('every route is in the OpenAPI document', async (t) => {
  const doc = (await app.inject('/openapi.json')).json()
  for (const path of [
    '/api/matching/preferences',
    '/api/matching/recommendations',
    '/api/matching/recommendations/hidden',
    '/api/matching/requests',
    '/api/matching/requests/{id}/accept',
    '/api/matching/matches',
    '/api/matching/matches/{id}/end',
    '/api/matching/mentor-settings',
    '/api/admin/matching/stats',
  ]) {
    // routes at a prefix's root are documented with the trailing slash, as in every service
    t.ok(doc.paths[path] ?? doc.paths[`${path}/`], path)
  }
})

