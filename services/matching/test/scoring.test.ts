import t from 'tap'
import { randomUUID } from 'node:crypto'
import { MentorIndex, type MentorRecord } from '../src/recommendations/mentor-index.ts'
import { buildContext, diversify, explain, MAX_POOL, topCandidates, type MenteePreferences } from '../src/recommendations/scoring.ts'
import { skillConcept } from '../src/recommendations/skills.ts'
import { words } from '../src/recommendations/text.ts'
import { describeInterval, intersect, localWindow, toWeekIntervals } from '../src/recommendations/time.ts'
import { paramsOf } from './reasons.ts'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { RecommendationReason } from '@sunbae/contracts'
import { decodeCatalogEvent, latestPerMentor } from '../src/readmodel/catalog-events.ts'

const rec = (over: Partial<MentorRecord> = {}): MentorRecord => ({
  id: randomUUID(),
  uid: `m-${randomUUID()}`,
  displayName: 'M',
  headline: 'Backend engineer',
  bio: 'I build servers.',
  skills: ['java'],
  company: 'Naver',
  yearsExperience: 5,
  hourlyRate: 50_000,
  languages: ['ko'],
  timezone: 'Asia/Seoul',
  status: 'active',
  approvedAt: new Date().toISOString(),
  ...over,
})
const prefs = (over: Partial<MenteePreferences> = {}): MenteePreferences => ({
  uid: 'mentee',
  goals: '',
  skills: [],
  languages: [],
  budget: null,
  timezone: 'Asia/Seoul',
  timeWindows: [],
  careerStage: null,
  ...over,
})
let clock = 1
const v = () => ({ at: Date.now() + clock++, id: randomUUID() })

t.test('Korean and English skill names are one concept; unknown names match only themselves', async (t) => {
  t.equal(skillConcept('파이썬'), skillConcept('Python'))
  t.equal(skillConcept('데이터 분석'), skillConcept('data analysis'))
  t.equal(skillConcept('면접'), skillConcept('mock interview'))
  t.equal(skillConcept('Node.js'), skillConcept('nodejs'))
  t.equal(skillConcept('코딩테스트'), skillConcept('코딩 테스트'))
  t.not(skillConcept('aws'), skillConcept('클라우드'), 'related is not the same')
  t.equal(skillConcept('Quantum Basket Weaving'), skillConcept('quantum basket  weaving'))
})

t.test('goal words: particles stripped, stopwords and numbers dropped', async (t) => {
  t.same(words('데이터 분석가로 이직하고 싶어요'), ['데이터', '분석', '이직'])
  t.same(words('데이터 분석가'), ['데이터', '분석'], 'the same stem with or without the particle')
  t.same(words('I want to become a Backend engineer at a startup in 2025'), ['backend', 'engineer', 'startup'])
  t.same(words('python와 c++, node.js를 씁니다'), ['python', 'c++', 'node.js', '씁니다'])
})

t.test('time windows are compared in UTC and described in the mentee zone', async (t) => {
  const mentee = toWeekIntervals([{ day: 'tue', start: '19:00', end: '22:00' }], 'Asia/Seoul')
  // 10:00–12:00 UTC on Tuesday is 19:00–21:00 in Seoul
  const mentor = toWeekIntervals([{ day: 'tue', start: '10:00', end: '12:00' }], 'UTC')
  const overlap = intersect(mentee, mentor)
  t.same(overlap.map((iv) => describeInterval(iv, 'Asia/Seoul')), ['tue 19:00–21:00'])
  t.same(overlap.map((iv) => localWindow(iv, 'Asia/Seoul')), [{ day: 'tue', start: '19:00', end: '21:00', endsNextDay: false }], 'what a reason carries')
  const late = toWeekIntervals([{ day: 'fri', start: '23:00', end: '24:00' }, { day: 'sat', start: '00:00', end: '01:00' }], 'Asia/Seoul')
  t.same(late.map((iv) => localWindow(iv, 'Asia/Seoul')), [{ day: 'fri', start: '23:00', end: '01:00', endsNextDay: true }], 'past midnight ends the next day')
  // Monday 01:00 in Seoul is Sunday 16:00 UTC: the week wraps correctly
  const wrap = toWeekIntervals([{ day: 'mon', start: '00:00', end: '02:00' }], 'Asia/Seoul')
  t.same(wrap, [[6 * 1440 + 15 * 60, 6 * 1440 + 17 * 60]])
})

t.test('the score is the sum of its reasons, and each reason names the real overlap', async (t) => {
  const index = new MentorIndex()
  const best = rec({
    headline: '데이터 분석가 | 토스',
    bio: '추천 시스템과 SQL 경험을 바탕으로 면접 준비를 도와드립니다.',
    skills: ['python', 'data analysis', 'mock interview', 'tableau'],
    languages: ['ko', 'en'],
    hourlyRate: 60_000,
    yearsExperience: 8,
  })
  const other = rec({ skills: ['python'], hourlyRate: 200_000, languages: ['en'] })
  const silent = rec({ skills: ['figma'], languages: ['ja'] })
  for (const r of [best, other, silent]) index.applyProfile(r, v())
  index.applyRating(best.id, { rating: 4.9, reviewCount: 40 }, v())

  const ctx = buildContext(
    prefs({
      goals: '데이터 분석가로 취업하고 싶어요',
      skills: ['파이썬', '데이터 분석', '면접'],
      languages: ['ko', 'en'],
      budget: { min: 30_000, max: 100_000 },
      careerStage: 'job_seeker',
      timeWindows: [{ day: 'sat', start: '10:00', end: '12:00' }],
    }),
    index,
  )
  const { pool } = topCandidates(index, ctx, new Set(), 10)
  t.same(pool.map((c) => c.doc.rec.id), [best.id, other.id], 'the mentor without a common language is left out')

  const mentorWindows = toWeekIntervals([{ day: 'sat', start: '11:00', end: '13:00' }], 'Asia/Seoul')
  const e = explain(index.get(best.id)!, ctx, mentorWindows)
  const sum = Math.round(e.reasons.reduce((s, r) => s + r.points, 0) * 10) / 10
  t.equal(e.score, sum, 'score = sum of reasons')
  const base = pool[0]!.base
  t.equal(Math.round((e.score - base) * 10) / 10, 4, 'the fast pass agrees with the explanation (plus one shared hour)')
  t.same(paramsOf(e.reasons, 'skills'), {
    count: 3,
    skills: [
      { mine: '파이썬', theirs: 'python' },
      { mine: '데이터 분석', theirs: 'data analysis' },
      { mine: '면접', theirs: 'mock interview' },
    ],
  })
  t.equal(e.reasons.find((r) => r.kind === 'skills')!.points, 50)
  t.same(paramsOf(e.reasons, 'goals'), { words: [{ word: '데이터', where: 'headline' }, { word: '분석', where: 'headline' }] })
  t.same(paramsOf(e.reasons, 'language'), { languages: ['ko', 'en'] })
  t.same(paramsOf(e.reasons, 'budget'), { fit: 'within', rate: 60_000, min: 30_000, max: 100_000 })
  t.same(paramsOf(e.reasons, 'time_windows'), { hoursPerWeek: 1, timezone: 'Asia/Seoul', windows: [{ day: 'sat', start: '11:00', end: '12:00', endsNextDay: false }] })
  t.same(paramsOf(e.reasons, 'rating'), { rating: 4.9, reviewCount: 40 })
  t.same(paramsOf(e.reasons, 'experience'), { years: 8, stage: 'job_seeker', minYears: 2 })
  t.same(paramsOf(e.reasons, 'timezone'), { timezone: best.timezone }, 'same zone')
  t.ok(Value.Check(Type.Array(RecommendationReason), e.reasons), 'every reason fits its schema')

  const over = explain(index.get(other.id)!, ctx, null)
  const overBudget = over.reasons.find((r) => r.kind === 'over_budget')!
  t.ok(overBudget.points < 0, 'over budget costs points, and says so')
  t.same(overBudget.params, { rate: 200_000, max: 100_000, over: 100_000 })
  t.ok(Value.Check(Type.Array(RecommendationReason), over.reasons))
  t.notOk(over.reasons.some((r) => r.kind === 'goals'), 'no goal word in its text, no goal reason')
})

t.test('older and repeated events are ignored; suspension removes; diversity spreads headlines', async (t) => {
  const index = new MentorIndex()
  const r = rec({ skills: ['go'] })
  const newer = { at: 2_000, id: randomUUID() }
  t.ok(index.applyProfile({ ...r, headline: 'new' }, newer))
  t.notOk(index.applyProfile({ ...r, headline: 'old' }, { at: 1_000, id: randomUUID() }), 'older ignored')
  t.notOk(index.applyProfile({ ...r, headline: 'new' }, newer), 'the same event twice is a no-op')
  t.equal(index.get(r.id)!.rec.headline, 'new')
  t.ok(index.applyProfile({ ...r, status: 'suspended' }, { at: 3_000, id: randomUUID() }))
  t.equal(index.get(r.id), undefined)
  t.equal(index.withSkill(skillConcept('go')).length, 0, 'postings cleaned')
  t.notOk(index.applyProfile({ ...r, headline: 'stale' }, { at: 2_500, id: randomUUID() }), 'a stale update does not revive a suspended mentor')

  const same = Array.from({ length: 4 }, () => rec({ headline: 'Senior Backend Engineer at Naver', skills: ['kotlin', 'spring'] }))
  const different = rec({ headline: 'Staff engineer', company: 'Kakao', skills: ['kotlin'] })
  for (const m of [...same, different]) index.applyProfile(m, v())
  const ctx = buildContext(prefs({ skills: ['kotlin', 'spring'] }), index)
  const explained = topCandidates(index, ctx, new Set(), 10).pool.map((c) => explain(c.doc, ctx, null))
  // one and two shared skills, plus the same time zone (3) for all
  t.equal(explained.find((x) => x.doc.rec.id === different.id)!.score, 28)
  t.equal(explained.find((x) => x.doc.rec.id === same[0]!.id)!.score, 43)
  const top = diversify(explained, 3)
  t.same(top.map((x) => x.doc.rec.id === different.id), [false, true, false], 'the different headline comes second despite a lower score')
})

t.test('catalog events decode by contract; a batch folds to the newest per mentor', async (t) => {
  const id = randomUUID()
  const data = { ...rec({ id }), links: [], rating: 4.5, reviewCount: 2 }
  const env = (type: string, at: string, d: unknown) => ({ id: randomUUID(), type, occurredAt: at, data: d })
  const a = decodeCatalogEvent(env('catalog.mentor.approved', '2026-01-01T00:00:00.000Z', data))!
  const b = decodeCatalogEvent(env('catalog.mentor.suspended', '2026-01-02T00:00:00.000Z', { ...data, status: 'active', reason: 'x' }))!
  const c = decodeCatalogEvent(env('catalog.mentor.rated', '2026-01-03T00:00:00.000Z', { mentorId: id, rating: 3.2, reviewCount: 3 }))!
  t.equal(decodeCatalogEvent(env('catalog.mentor.something_new', '2026-01-01T00:00:00.000Z', {})), undefined, 'unknown kinds are skipped')
  t.throws(() => decodeCatalogEvent(env('catalog.mentor.updated', '2026-01-01T00:00:00.000Z', { id })), /updated: data/, 'a broken payload is an error')
  const { profiles, ratings } = latestPerMentor([c, b, a])
  t.equal(profiles.get(id)!.rec.status, 'suspended', 'the subject decides a suspension')
  t.same(ratings.get(id)!.rating, { rating: 3.2, reviewCount: 3 })
})

// Issue 16: `?limit=1e400` made the pool `limit × 5` = Infinity, i.e. every mentor, and diversify()
// is quadratic in the pool. Whatever size is asked for, the pool stays bounded.
t.test('the candidate pool is bounded whatever size a caller asks for', async (t) => {
  const index = new MentorIndex()
  for (let i = 0; i < MAX_POOL + 200; i++) index.applyProfile(rec({ skills: ['java'] }), v())
  const ctx = buildContext(prefs({ skills: ['java'] }), index)
  for (const size of [Infinity, MAX_POOL * 10, Number.MAX_SAFE_INTEGER]) {
    const { pool, scored } = topCandidates(index, ctx, new Set(), size)
    t.equal(scored, MAX_POOL + 200, 'every mentor sharing the skill is scored')
    t.equal(pool.length, MAX_POOL, `pool for ${size}: at most ${MAX_POOL}`)
  }
  t.equal(topCandidates(index, ctx, new Set(), 10).pool.length, 10, 'a small pool is as asked')
})
