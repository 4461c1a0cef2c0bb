import t from 'tap'
import { Value } from 'typebox/value'
import { RecommendationReason } from '@sunbae/contracts'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'
import { languageName, reasonView } from '../src/lib/reasons.ts'

const DICTS = { ko, en }

// One reason of every kind, as matching sends them (checked against the route's schema below).
const reasons: RecommendationReason[] = [
  { kind: 'skills', points: 50, params: { count: 2, skills: [{ mine: '파이썬', theirs: 'python' }, { mine: 'SQL', theirs: 'sql' }] } },
  { kind: 'goals', points: 12, params: { words: [{ word: '데이터', where: 'headline' }, { word: '이직', where: 'bio' }] } },
  { kind: 'language', points: 10, params: { languages: ['ko', 'en'] } },
  { kind: 'budget', points: 10, params: { fit: 'within', rate: 60_000, min: 30_000, max: 100_000 } },
  { kind: 'budget', points: 5, params: { fit: 'below', rate: 20_000, min: 30_000, max: 100_000 } },
  { kind: 'over_budget', points: -10, params: { rate: 200_000, max: 100_000, over: 100_000 } },
  { kind: 'time_windows', points: 4, params: { hoursPerWeek: 1.5, timezone: 'Asia/Seoul', windows: [{ day: 'sat', start: '11:00', end: '12:30', endsNextDay: false }, { day: 'fri', start: '23:00', end: '01:00', endsNextDay: true }] } },
  { kind: 'timezone', points: 3, params: { timezone: 'Asia/Seoul' } },
  { kind: 'rating', points: 8, params: { rating: 4.9, reviewCount: 40 } },
  { kind: 'experience', points: 5, params: { years: 8, stage: 'job_seeker', minYears: 2 } },
]

t.test('the fixtures are what the API sends', async (t) => {
  for (const r of reasons) t.ok(Value.Check(RecommendationReason, r), `${r.kind} fits the schema`)
  t.notOk(Value.Check(RecommendationReason, { kind: 'skills', points: 1, text: '관심 기술', evidence: [] }), 'the old sentence shape is gone')
})

/** What the reasons above read as in each language, and the tags of the skills, goals and time windows. */
const wording = {
  ko: {
    name: 'Korean',
    texts: [
      '관심 기술 2개가 겹쳐요',
      '목표에 쓴 단어가 멘토 소개에 있어요',
      '공통 언어: 한국어, 영어',
      '시간당 60,000원 — 예산 30,000원–100,000원 안이에요',
      '시간당 20,000원 — 예산 최소 30,000원보다 낮아요',
      '시간당 200,000원 — 예산 최대 100,000원보다 100,000원 높아요',
      '원하는 시간이 멘토의 가능한 시간과 겹쳐요 (주 1.5시간, Asia/Seoul 기준)',
      '같은 시간대예요 (Asia/Seoul)',
      '평점 4.90 (리뷰 40개)',
      '경력 8년 — 취업 준비 단계에 맞는 경력(2년 이상)이에요',
    ],
    goalTags: ['데이터 (헤드라인)', '이직 (소개)'],
    windowTags: ['토 11:00–12:30', '금 23:00–01:00 (다음 날)'],
  },
  en: {
    name: 'English',
    texts: [
      'You share 2 skills of interest',
      "Words from your goals appear in the mentor's profile",
      'Languages you share: Korean, English',
      '₩60,000 an hour — within your budget of ₩30,000–₩100,000',
      "₩20,000 an hour — below your budget's minimum of ₩30,000",
      "₩200,000 an hour — ₩100,000 above your budget's maximum of ₩100,000",
      "Your preferred times overlap the mentor's (1.5 h a week, Asia/Seoul time)",
      'Same time zone (Asia/Seoul)',
      'Rated 4.90 (40 reviews)',
      '8 years of experience — right for the job seeker stage (2+ years)',
    ],
    goalTags: ['데이터 (headline)', '이직 (bio)'],
    windowTags: ['Sat 11:00–12:30', 'Fri 23:00–01:00 (next day)'],
  },
}

for (const locale of ['ko', 'en'] as const) {
  const want = wording[locale]
  t.test(want.name, async (t) => {
    const views = reasons.map((r) => reasonView(r, DICTS[locale], locale))
    t.same(views.map((v) => v.text), want.texts)
    t.same(views[0]!.tags, ['파이썬 ↔ python', 'sql'], 'a skill spelled alike on both sides is named once')
    t.same(views[1]!.tags, want.goalTags)
    t.same(views[6]!.tags, want.windowTags)
  })
}

t.test('English counts one of a thing in the singular', async (t) => {
  t.equal(reasonView({ kind: 'skills', points: 30, params: { count: 1, skills: [{ mine: 'go', theirs: 'go' }] } }, DICTS.en, 'en').text, 'You share 1 skill of interest')
  t.equal(reasonView({ kind: 'rating', points: 1, params: { rating: 5, reviewCount: 1 } }, DICTS.en, 'en').text, 'Rated 5.00 (1 review)')
})

t.test('no reason is worded in the other language, and an unknown kind does not show its code', async (t) => {
  for (const r of reasons) {
    t.notMatch(reasonView(r, DICTS.en, 'en').text, /[가-힣]/, `${r.kind} in English has no Hangul`)
    t.notOk(/[A-Za-z]{4,}/.test(reasonView(r, DICTS.ko, 'ko').text.replace(/Asia\/Seoul/g, '')), `${r.kind} in Korean has no English words`)
  }
  const future = { kind: 'mentor_of_the_month', points: 1, params: {} } as unknown as RecommendationReason
  t.same(reasonView(future, DICTS.ko, 'ko'), { text: '그 밖의 이유', tags: [] })
  t.same(reasonView(future, DICTS.en, 'en'), { text: 'Another reason', tags: [] })
  t.equal(languageName('ja', 'ko'), '일본어')
  t.equal(languageName('xx-not-a-language-!', 'en'), 'xx-not-a-language-!', 'a code Intl refuses stays a code')
})
