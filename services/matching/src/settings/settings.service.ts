import type { Database } from '@sunbae/db'
import type { Identity, MentorSettings, MentorSettingsBody, TimeWindow } from '@sunbae/contracts'
import { forbidden } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { assertSchedule } from '../preferences/preferences.service.ts'
import type { MentorsRepository } from '../readmodel/mentors.repository.ts'
import type { MentorRecord } from '../recommendations/mentor-index.ts'
import { SettingsRepository } from './settings.repository.ts'
import type { SettingsRow } from './settings.table.ts'

function toSettings(mentor: MentorRecord, row: SettingsRow | undefined): MentorSettings {
  return {
    mentorId: mentor.id,
    capacity: row?.capacity ?? null,
    activeMentees: row?.active_mentees ?? 0,
    full: row?.is_full ?? false,
    timeWindows: (row?.time_windows ?? []) as TimeWindow[],
    timezone: row?.timezone ?? mentor.timezone,
    updatedAt: row?.updated_at ? new Date(row.updated_at).toISOString() : null,
  }
}

/** A mentor's own matching settings: capacity (maximum active mentees) and weekly time windows. */
export class SettingsService {
  readonly #repo: SettingsRepository
  readonly #mentors: MentorsRepository

  constructor(db: Database<DB>, mentors: MentorsRepository) {
    this.#repo = new SettingsRepository(db)
    this.#mentors = mentors
  }

  /**
   * The caller's mentor profile, found by uid in the read model — never by an id from the request,
   * so a mentor can only ever address their own settings.
   */
  async #myProfile(identity: Identity): Promise<MentorRecord> {
    const mentor = await this.#mentors.findByUid(identity.uid)
    if (!mentor) throw forbidden('Only mentors have matching settings (no mentor profile for this account)', 'NOT_A_MENTOR')
    return mentor
  }

  async get(identity: Identity): Promise<MentorSettings> {
    const mentor = await this.#myProfile(identity)
    return toSettings(mentor, await this.#repo.find(mentor.id))
  }

  /**
   * Lowering the capacity below the current number of active mentees ends nobody's match: the
   * mentor is simply full until enough matches end.
   */
  async put(identity: Identity, body: MentorSettingsBody): Promise<MentorSettings> {
    assertSchedule(body.timezone, body.timeWindows)
    const mentor = await this.#myProfile(identity)
    const row = await this.#repo.save({
      mentorId: mentor.id,
      mentorUid: identity.uid,
      capacity: body.capacity ?? null,
      timeWindows: body.timeWindows ?? [],
      timezone: body.timezone ?? null,
    })
    return toSettings(mentor, row)
  }
}
