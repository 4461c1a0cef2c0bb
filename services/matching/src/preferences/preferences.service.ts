import type { Database } from '@sunbae/db'
import type { Budget, CareerStage, HiddenMentor, Preferences, PreferencesBody, TimeWindow } from '@sunbae/contracts'
import { AppError, notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import type { MenteePreferences } from '../recommendations/scoring.ts'
import { isTimezone } from '../recommendations/time.ts'
import type { MentorsRepository } from '../readmodel/mentors.repository.ts'
import { PreferencesRepository } from './preferences.repository.ts'
import type { PreferencesRow } from './preferences.table.ts'

export const DEFAULT_TIMEZONE = 'Asia/Seoul'

const invalid = (field: string, message: string) =>
  new AppError(400, 'VALIDATION_FAILED', 'The request is invalid', { details: [{ field, message }] })

/** 400 unless the zone is IANA and every window ends after it starts. */
export function assertSchedule(timezone: string | undefined, windows: readonly TimeWindow[] | undefined, prefix = 'body'): void {
  if (timezone !== undefined && !isTimezone(timezone)) throw invalid(`${prefix}/timezone`, 'must be an IANA time zone, e.g. Asia/Seoul')
  windows?.forEach((w, i) => {
    if (w.end <= w.start) throw invalid(`${prefix}/timeWindows/${i}`, 'end must be after start (split a window that crosses midnight)')
  })
}

function toPreferences(row: PreferencesRow | undefined): Preferences {
  if (!row) {
    return { goals: '', skills: [], languages: [], budget: null, timezone: DEFAULT_TIMEZONE, timeWindows: [], careerStage: null, updatedAt: null }
  }
  return {
    goals: row.goals,
    skills: row.skills,
    languages: row.languages,
    budget: row.budget_min !== null && row.budget_max !== null ? { min: row.budget_min, max: row.budget_max } : null,
    timezone: row.timezone,
    timeWindows: row.time_windows as TimeWindow[],
    careerStage: row.career_stage as CareerStage | null,
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

/** What a mentee is looking for, and the mentors they do not want recommended again. */
export class PreferencesService {
  readonly #repo: PreferencesRepository
  readonly #mentors: MentorsRepository

  constructor(db: Database<DB>, mentors: MentorsRepository) {
    this.#repo = new PreferencesRepository(db)
    this.#mentors = mentors
  }

  async get(uid: string): Promise<Preferences> {
    return toPreferences(await this.#repo.find(uid))
  }

  /** The mentee's preferences as scoring reads them (defaults when never saved). */
  async forScoring(uid: string): Promise<MenteePreferences> {
    const p = await this.get(uid)
    return { uid, goals: p.goals, skills: p.skills, languages: p.languages, budget: p.budget, timezone: p.timezone, timeWindows: p.timeWindows, careerStage: p.careerStage }
  }

  /** Replaces the whole set: an omitted field goes back to its default. */
  async put(uid: string, body: PreferencesBody): Promise<Preferences> {
    assertSchedule(body.timezone, body.timeWindows)
    const budget: Budget | null = body.budget ?? null
    if (budget && budget.min > budget.max) throw invalid('body/budget/max', 'must be at least min')
    const row = await this.#repo.upsert({
      mentee_uid: uid,
      goals: (body.goals ?? '').trim(),
      skills: (body.skills ?? []).map((s) => s.trim()),
      languages: body.languages ?? [],
      budget_min: budget?.min ?? null,
      budget_max: budget?.max ?? null,
      timezone: body.timezone ?? DEFAULT_TIMEZONE,
      time_windows: JSON.stringify(body.timeWindows ?? []),
      career_stage: body.careerStage ?? null,
    })
    return toPreferences(row)
  }

  async hide(uid: string, mentorId: string): Promise<HiddenMentor> {
    if (!(await this.#mentors.findById(mentorId))) throw notFound('No such mentor', 'MENTOR_NOT_FOUND')
    const row = await this.#repo.hide(uid, mentorId)
    return { mentorId: row.mentor_id, hiddenAt: new Date(row.created_at).toISOString() }
  }

  async unhide(uid: string, mentorId: string): Promise<void> {
    if (!(await this.#repo.unhide(uid, mentorId))) throw notFound('This mentor is not hidden', 'NOT_HIDDEN')
  }

  async listHidden(uid: string): Promise<HiddenMentor[]> {
    return (await this.#repo.listHidden(uid)).map((r) => ({ mentorId: r.mentor_id, hiddenAt: new Date(r.created_at).toISOString() }))
  }
}
