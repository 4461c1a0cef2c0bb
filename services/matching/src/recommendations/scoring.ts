import type { Budget, CareerStage, RecommendationReason, TimeWindow } from '@sunbae/contracts'
import type { MentorDoc, MentorIndex } from './mentor-index.ts'
import { skillConcept } from './skills.ts'
import { words } from './text.ts'
import { intersect, localWindow, toWeekIntervals, totalMinutes, utcOffsetMinutes, type WeekInterval } from './time.ts'
import { ratingPointsOf, WEIGHTS } from './weights.ts'

export { WEIGHTS }

// Scoring runs in two passes over the same point helpers (below, with the weights in weights.ts):
// a fast numeric pass over every mentor that shares something with the mentee, and a full
// explanation of the best pool. Sharing the helpers is what keeps "score = sum of the reasons".

const STAGE_MIN_YEARS: Record<CareerStage, number> = { student: 2, job_seeker: 2, junior: 4, mid: 7, senior: 12, career_changer: 3 }
export interface MenteePreferences {
  uid: string
  goals: string
  skills: string[]
  languages: string[]
  budget: Budget | null
  timezone: string
  timeWindows: TimeWindow[]
  careerStage: CareerStage | null
}

export interface ScoringContext {
  uid: string
  /** concept → the mentee's own spelling */
  concepts: Map<string, string>
  goalWords: string[]
  languages: Set<string>
  budget: Budget | null
  timezone: string
  offset: number
  windows: WeekInterval[]
  careerStage: CareerStage | null
}

export interface Candidate {
  doc: MentorDoc
  /** everything but time windows, which need the mentor's settings from Postgres */
  base: number
}

export interface Explained {
  doc: MentorDoc
  score: number
  reasons: RecommendationReason[]
}

const r1 = (x: number) => Math.round(x * 10) / 10

export function buildContext(p: MenteePreferences, index: MentorIndex): ScoringContext {
  const concepts = new Map<string, string>()
  for (const s of p.skills) {
    const c = skillConcept(s)
    if (!concepts.has(c)) concepts.set(c, s)
  }
  const common = Math.max(50, index.size * WEIGHTS.goalMaxShare)
  return {
    uid: p.uid,
    concepts,
    goalWords: words(p.goals).filter((w) => index.wordFrequency(w) <= common),
    languages: new Set(p.languages),
    budget: p.budget,
    timezone: p.timezone,
    offset: utcOffsetMinutes(p.timezone),
    windows: toWeekIntervals(p.timeWindows, p.timezone),
    careerStage: p.careerStage,
  }
}

// ---- the points of each reason: used by the fast pass and by the explanation alike ----

const skillPoints = (n: number) => WEIGHTS.skills[Math.min(n, WEIGHTS.skills.length - 1)]!
const goalPoints = (sum: number) => Math.min(WEIGHTS.goalMax, sum)

function budgetPoints(rate: number, b: Budget | null): number {
  if (!b) return 0
  if (rate > b.max) return -r1(Math.min(WEIGHTS.overBudgetMax, b.max === 0 ? WEIGHTS.overBudgetMax : (WEIGHTS.overBudgetMax * (rate - b.max)) / b.max))
  return rate < b.min ? WEIGHTS.budgetBelow : WEIGHTS.budgetWithin
}

const ratingPoints = (doc: MentorDoc) => ratingPointsOf(doc.rating)

const stagePoints = (years: number, stage: CareerStage | null) => (stage && years >= STAGE_MIN_YEARS[stage] ? WEIGHTS.experience : 0)
const sameOffset = (doc: MentorDoc, ctx: ScoringContext) => utcOffsetMinutes(doc.rec.timezone) === ctx.offset
const windowPoints = (shared: number) => r1(Math.min(WEIGHTS.windowMax, (shared / 60) * WEIGHTS.windowPerHour))
function speaksCommon(languages: readonly string[], ctx: ScoringContext): boolean {
  if (ctx.languages.size === 0) return true
  for (const l of languages) if (ctx.languages.has(l)) return true
  return false
}

/** The most candidates one request explains and re-ranks, whatever pool it asks for. */
export const MAX_POOL = 1_000

/**
 * The fast pass: a score without reasons for every mentor sharing a skill concept or a goal word
 * with the mentee (and for the rest only when that gives fewer than the pool, e.g. empty
 * preferences), and the best `poolSize` of them. Excluded mentors, the mentee's own profile and
 * mentors without a common language are skipped. It reads only the index's typed columns and
 * allocates nothing per mentor: at 100,000 mentors it touches tens of thousands of them.
 */
export function topCandidates(index: MentorIndex, ctx: ScoringContext, excluded: ReadonlySet<string>, poolSize: number): { pool: Candidate[]; scored: number } {
  const cap = index.capacity
  const cols = index.cols
  // Scratch space reused across calls (the pass is synchronous): allocating 100,000-slot arrays per
  // request costs more in garbage collection than the pass itself. Every slot set here is reset below.
  const { hits, goal, skip, touched } = scratch(cap)
  let nTouched = 0
  for (const c of ctx.concepts.keys()) {
    const list = index.withSkill(c)
    for (let i = 0; i < list.length; i++) {
      const slot = list[i]!
      if (hits[slot] === 0 && goal[slot] === 0) touched[nTouched++] = slot
      hits[slot]!++
    }
  }
  for (const w of ctx.goalWords) {
    for (const [list, points] of [
      [index.withHeadlineWord(w), WEIGHTS.goalHeadline],
      [index.withBioWord(w), WEIGHTS.goalBio],
    ] as const) {
      for (let i = 0; i < list.length; i++) {
        const slot = list[i]!
        if (hits[slot] === 0 && goal[slot] === 0) touched[nTouched++] = slot
        goal[slot]! += points
      }
    }
  }

  const skipped: number[] = []
  for (const id of excluded) {
    const d = index.get(id)
    if (d) skipped.push(d.slot)
  }
  const own = index.slotOfUid(ctx.uid)
  if (own !== undefined) skipped.push(own)
  for (const slot of skipped) skip[slot] = 1
  // per time zone, not per mentor: whether it has the mentee's UTC offset now
  const sameTz = index.timezones.map((tz) => utcOffsetMinutes(tz) === ctx.offset)
  const filterLanguages = ctx.languages.size > 0
  const { mask, exact } = index.languageMask(ctx.languages)
  const languagePoints = filterLanguages ? WEIGHTS.language : 0
  const stageMin = ctx.careerStage ? STAGE_MIN_YEARS[ctx.careerStage] : Infinity
  const budget = ctx.budget

  // a pool the size of the index would make diversify() O(n²) over every mentor
  const size = Math.min(Number.isFinite(poolSize) ? Math.max(1, Math.trunc(poolSize)) : MAX_POOL, MAX_POOL)
  const heap = new TopK(size)
  let scored = 0
  const consider = (slot: number) => {
    if (skip[slot] === 1) return
    if (filterLanguages) {
      const common = cols.langMask[slot]! & mask
      if (common === 0) return
      // only the shared "other languages" bit in common: look at the real list
      if (!exact && common >>> 0 === 0x80000000 && !speaksCommon(index.doc(slot)!.rec.languages, ctx)) return
    }
    scored++
    const n = hits[slot]!
    const base = r1(
      (n ? skillPoints(n) : 0) +
        goalPoints(goal[slot]!) +
        languagePoints +
        budgetPoints(cols.rate[slot]!, budget) +
        (sameTz[cols.tz[slot]!] ? WEIGHTS.sameOffset : 0) +
        cols.ratingPoints[slot]! +
        (cols.years[slot]! >= stageMin ? WEIGHTS.experience : 0),
    )
    if (heap.size >= size && base < heap.minBase) return
    heap.offer(index.doc(slot)!, base)
  }
  for (let i = 0; i < nTouched; i++) consider(touched[i]!)
  // Too few share anything (or the mentee said nothing yet): the others compete on language,
  // budget, rating and experience. The whole index only in that case, never on the common path.
  if (heap.size < size) {
    for (let slot = 0; slot < cap; slot++) if (cols.alive[slot] === 1 && hits[slot] === 0 && goal[slot] === 0) consider(slot)
  }
  for (let i = 0; i < nTouched; i++) {
    hits[touched[i]!] = 0
    goal[touched[i]!] = 0
  }
  for (const slot of skipped) skip[slot] = 0
  return { pool: heap.sorted(), scored }
}

let scratchSpace: { hits: Uint8Array; goal: Float64Array; skip: Uint8Array; touched: Int32Array } | null = null

function scratch(cap: number) {
  if (!scratchSpace || scratchSpace.hits.length < cap) {
    const n = Math.max(cap, 1024) * 2
    scratchSpace = { hits: new Uint8Array(n), goal: new Float64Array(n), skip: new Uint8Array(n), touched: new Int32Array(n) }
  }
  return scratchSpace
}

/**
 * The full score of one mentor with every reason spelled out — as a code and its facts (the shared
 * skills, the words found, the amounts, the windows), which the web words in the reader's language;
 * `mentorWindows` from their settings.
 */
export function explain(doc: MentorDoc, ctx: ScoringContext, mentorWindows: readonly WeekInterval[] | null): Explained {
  const reasons: RecommendationReason[] = []
  const rec = doc.rec

  const shared: Array<{ mine: string; theirs: string }> = []
  for (const [concept, theirs] of doc.concepts) {
    const mine = ctx.concepts.get(concept)
    if (mine !== undefined) shared.push({ mine, theirs })
  }
  if (shared.length) {
    reasons.push({ kind: 'skills', points: skillPoints(shared.length), params: { count: shared.length, skills: shared } })
  }

  let goalSum = 0
  const found: Array<{ word: string; where: 'headline' | 'bio' }> = []
  for (const w of ctx.goalWords) {
    const inHeadline = doc.headlineWords.includes(w)
    if (!inHeadline && !doc.bioWords.includes(w)) continue
    goalSum += inHeadline ? WEIGHTS.goalHeadline : WEIGHTS.goalBio
    found.push({ word: w, where: inHeadline ? 'headline' : 'bio' })
  }
  if (found.length) {
    reasons.push({ kind: 'goals', points: goalPoints(goalSum), params: { words: found } })
  }

  if (ctx.languages.size) {
    const common = rec.languages.filter((l) => ctx.languages.has(l))
    reasons.push({ kind: 'language', points: WEIGHTS.language, params: { languages: common } })
  }

  if (ctx.budget) {
    const b = ctx.budget
    const points = budgetPoints(rec.hourlyRate, b)
    const rate = rec.hourlyRate
    if (rate > b.max) {
      reasons.push({ kind: 'over_budget', points, params: { rate, max: b.max, over: rate - b.max } })
    } else {
      reasons.push({ kind: 'budget', points, params: { fit: rate < b.min ? 'below' : 'within', rate, min: b.min, max: b.max } })
    }
  }

  if (mentorWindows && mentorWindows.length && ctx.windows.length) {
    const overlap = intersect(ctx.windows, mentorWindows)
    const minutes = totalMinutes(overlap)
    if (minutes > 0) {
      reasons.push({
        kind: 'time_windows',
        points: windowPoints(minutes),
        params: { hoursPerWeek: r1(minutes / 60), timezone: ctx.timezone, windows: overlap.map((iv) => localWindow(iv, ctx.timezone)) },
      })
    }
  }
  if (sameOffset(doc, ctx)) {
    reasons.push({ kind: 'timezone', points: WEIGHTS.sameOffset, params: { timezone: rec.timezone } })
  }

  const rp = ratingPoints(doc)
  if (doc.rating.reviewCount > 0) {
    reasons.push({ kind: 'rating', points: rp, params: { rating: Math.round(doc.rating.rating * 100) / 100, reviewCount: doc.rating.reviewCount } })
  }

  if (ctx.careerStage && stagePoints(rec.yearsExperience, ctx.careerStage)) {
    reasons.push({
      kind: 'experience',
      points: WEIGHTS.experience,
      params: { years: rec.yearsExperience, stage: ctx.careerStage, minYears: STAGE_MIN_YEARS[ctx.careerStage] },
    })
  }

  return { doc, score: r1(reasons.reduce((s, r) => s + r.points, 0)), reasons }
}

/** Best first, breaking ties by id so every replica answers alike. */
export const byScore = (a: { score: number; doc: MentorDoc }, b: { score: number; doc: MentorDoc }) =>
  b.score - a.score || (a.doc.rec.id < b.doc.rec.id ? -1 : 1)

/**
 * Picks `limit` results greedily (MMR-style): each step takes the highest score after subtracting a
 * penalty per already-picked result with the same headline or the same company, so ten copies of
 * "Senior backend engineer at Naver" do not fill the page. Scores themselves are not changed.
 */
export function diversify(items: Explained[], limit: number): Explained[] {
  const rest = [...items].sort(byScore)
  const picked: Explained[] = []
  const headlines = new Map<string, number>()
  const companies = new Map<string, number>()
  while (picked.length < limit && rest.length) {
    let best = 0
    let bestValue = -Infinity
    for (let i = 0; i < rest.length; i++) {
      const d = rest[i]!.doc
      const value =
        rest[i]!.score - WEIGHTS.sameHeadline * (headlines.get(d.headlineKey) ?? 0) - (d.companyKey ? WEIGHTS.sameCompany * (companies.get(d.companyKey) ?? 0) : 0)
      // rest is sorted, so the first of equal values is the better-scored one
      if (value > bestValue) {
        best = i
        bestValue = value
      }
    }
    const [chosen] = rest.splice(best, 1)
    picked.push(chosen!)
    headlines.set(chosen!.doc.headlineKey, (headlines.get(chosen!.doc.headlineKey) ?? 0) + 1)
    if (chosen!.doc.companyKey) companies.set(chosen!.doc.companyKey, (companies.get(chosen!.doc.companyKey) ?? 0) + 1)
  }
  return picked
}

/** A bounded min-heap of the best candidates seen. */
class TopK {
  readonly #k: number
  readonly #items: Candidate[] = []
  constructor(k: number) {
    this.#k = Math.max(1, k)
  }

  // "less" = worse: lower score, or equal score and larger id
  static #worse(a: Candidate, b: Candidate): boolean {
    return a.base < b.base || (a.base === b.base && a.doc.rec.id > b.doc.rec.id)
  }

  get size(): number {
    return this.#items.length
  }

  /** The worst score held (the one a newcomer must beat once the heap is full). */
  get minBase(): number {
    return this.#items[0]?.base ?? -Infinity
  }

  offer(doc: MentorDoc, base: number): void {
    const h = this.#items
    if (h.length < this.#k) {
      h.push({ doc, base })
      this.#up(h.length - 1)
      return
    }
    const c = { doc, base }
    if (!TopK.#worse(h[0]!, c)) return
    h[0] = c
    this.#down(0)
  }

  sorted(): Candidate[] {
    return [...this.#items].sort((a, b) => b.base - a.base || (a.doc.rec.id < b.doc.rec.id ? -1 : 1))
  }

  #up(i: number): void {
    const h = this.#items
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!TopK.#worse(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  #down(i: number): void {
    const h = this.#items
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && TopK.#worse(h[l]!, h[m]!)) m = l
      if (r < h.length && TopK.#worse(h[r]!, h[m]!)) m = r
      if (m === i) return
      ;[h[i], h[m]] = [h[m]!, h[i]!]
      i = m
    }
  }
}
