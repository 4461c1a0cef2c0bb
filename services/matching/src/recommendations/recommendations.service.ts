import type { Database } from '@sunbae/db'
import { MATCHING_LIMITS, type Recommendation, type RecommendationsResponse, type TimeWindow } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import type { PreferencesService } from '../preferences/preferences.service.ts'
import type { MentorReadModel } from '../readmodel/readmodel.plugin.ts'
import { RequestsRepository } from '../requests/requests.repository.ts'
import { SettingsRepository } from '../settings/settings.repository.ts'
import type { MentorDoc } from './mentor-index.ts'
import { buildContext, diversify, explain, topCandidates, type Explained } from './scoring.ts'
import { toWeekIntervals, type WeekInterval } from './time.ts'

/** How many more candidates than asked for are explained, for the diversity re-ranking. */
const POOL_FACTOR = 5
const MIN_POOL = 50
/** The schema bounds `limit`; this holds even for a caller that skips the schema (the pool is O(n²) to diversify). */
const MAX_LIMIT = MATCHING_LIMITS.recommendations

function toItem(e: Explained): Recommendation {
  const r = e.doc.rec
  return {
    mentor: {
      id: r.id,
      displayName: r.displayName,
      headline: r.headline,
      company: r.company,
      skills: r.skills,
      languages: r.languages,
      yearsExperience: r.yearsExperience,
      hourlyRate: r.hourlyRate,
      rating: e.doc.rating.rating,
      reviewCount: e.doc.rating.reviewCount,
      timezone: r.timezone,
      acceptsRequests: r.uid !== null,
    },
    score: e.score,
    reasons: e.reasons,
  }
}

/**
 * "Mentors matched with me", computed on every request from the mentee's current preferences and
 * this replica's in-memory index (kept current from catalog events): nothing is cached, so a
 * change of preferences, of a mentor, or of who is full shows up at once.
 *
 * Steps: preferences and exclusions from Postgres (one query each, in parallel) → the fast pass
 * over mentors sharing a skill or goal word → the best pool gets the mentors' time windows from
 * Postgres and is explained reason by reason → diversity re-ranking → `limit` results.
 */
export class RecommendationsService {
  readonly #readModel: MentorReadModel
  readonly #preferences: PreferencesService
  readonly #requests: RequestsRepository
  readonly #settings: SettingsRepository

  constructor(db: Database<DB>, readModel: MentorReadModel, preferences: PreferencesService) {
    this.#readModel = readModel
    this.#preferences = preferences
    this.#requests = new RequestsRepository(db)
    this.#settings = new SettingsRepository(db)
  }

  async forMentee(uid: string, limit: number): Promise<RecommendationsResponse> {
    if (!this.#readModel.ready) {
      throw new AppError(503, 'NOT_READY', 'Recommendations are warming up; try again in a few seconds', { headers: { 'retry-after': '5' } })
    }
    const [prefs, excluded] = await Promise.all([this.#preferences.forScoring(uid), this.#requests.exclusionsFor(uid)])
    const index = this.#readModel.index
    const ctx = buildContext(prefs, index)
    const n = Number.isFinite(limit) ? Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT) : MAX_LIMIT
    const { pool, scored } = topCandidates(index, ctx, excluded, Math.max(MIN_POOL, n * POOL_FACTOR))

    const windows = new Map<string, WeekInterval[]>()
    if (ctx.windows.length && pool.length) {
      const rows = await this.#settings.windowsOf(pool.map((c) => c.doc.rec.id))
      for (const r of rows) {
        const doc = index.get(r.mentor_id)
        windows.set(r.mentor_id, toWeekIntervals(r.time_windows as TimeWindow[], r.timezone ?? doc?.rec.timezone ?? 'UTC'))
      }
    }
    // Events may have been applied during that await: explain the mentor as they are now, and not
    // at all if suspended meanwhile.
    const live = pool.map((c) => index.get(c.doc.rec.id)).filter((d): d is MentorDoc => d !== undefined)
    const explained = live.map((doc) => explain(doc, ctx, windows.get(doc.rec.id) ?? null))
    return { items: diversify(explained, n).map(toItem), candidates: scored, computedAt: new Date().toISOString() }
  }
}
