import type { Database, Tx } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import {
  CatalogEvents,
  type AdminMentor,
  type AdminMentorListItem,
  type MentorStatus,
  type Paged,
  type EventActor,
  type MentorProfilePatch,
  type MyMentorProfile,
} from '@sunbae/contracts'
import { notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from './mentors.repository.ts'
import { toAdminMentor, toMentorProfile, toMyMentorProfile, toProfileEvent } from './mentors.mapper.ts'
import { mentorHead, SITEMAP_MAX_URLS, sitemap } from './page-head.ts'
import type { MentorRow, MentorUpdate } from './mentors.table.ts'
import { assertTimezone } from './timezones.ts'

type Events = FastifyInstance['events']

const mentorNotFound = () => notFound('No such mentor', 'MENTOR_NOT_FOUND')

/**
 * Mentor profiles: the mentor's own view and edits, and the admin's suspend/reinstate. Every change
 * publishes the whole profile through the outbox in the same transaction.
 */
export class MentorsService {
  readonly #db: Database<DB>
  readonly #repo: MentorsRepository
  readonly #events: Events

  constructor(db: Database<DB>, events: Events) {
    this.#db = db
    this.#repo = new MentorsRepository(db)
    this.#events = events
  }

  /** The head of a public mentor page (page-head.ts); unknown and suspended mentors are 404. */
  async pageHead(id: string, origin: string): Promise<string> {
    const row = await this.#repo.findActiveById(id)
    if (!row) throw mentorNotFound()
    return mentorHead(toMentorProfile(row), origin)
  }

  /** The sitemap of the active mentors' pages. */
  async sitemap(origin: string): Promise<string> {
    const rows = await this.#repo.listActiveForSitemap(SITEMAP_MAX_URLS - 1)
    return sitemap(rows.map((r) => ({ id: r.id, updatedAt: new Date(r.updated_at) })), origin)
  }

  /** The profile of the mentor signed in as `uid`: there is no id to pass, so nobody reaches another's. */
  async getMine(uid: string): Promise<MyMentorProfile> {
    const row = await this.#repo.findByUid(uid)
    if (!row) throw notFound('You have no mentor profile: apply first (POST /api/mentors/applications)', 'MENTOR_NOT_FOUND')
    return toMyMentorProfile({ ...row, uid })
  }

  async updateMine(uid: string, patch: MentorProfilePatch, actor: EventActor): Promise<MyMentorProfile> {
    assertTimezone(patch.timezone)
    const changes: MentorUpdate = {}
    if (patch.headline !== undefined) changes.headline = patch.headline
    if (patch.bio !== undefined) changes.bio = patch.bio
    if (patch.skills !== undefined) changes.skills = patch.skills
    if (patch.company !== undefined) changes.company = patch.company
    if (patch.yearsExperience !== undefined) changes.years_experience = patch.yearsExperience
    if (patch.hourlyRate !== undefined) changes.hourly_rate = patch.hourlyRate
    if (patch.languages !== undefined) changes.languages = patch.languages
    if (patch.timezone !== undefined) changes.timezone = patch.timezone
    if (patch.links !== undefined) changes.links = JSON.stringify(patch.links)

    const row = await this.#db.transaction().execute(async (trx) => {
      const mine = await this.#repo.findByUid(uid, trx, { forUpdate: true })
      if (!mine) throw notFound('You have no mentor profile: apply first (POST /api/mentors/applications)', 'MENTOR_NOT_FOUND')
      const updated = (await this.#repo.update(mine.id, changes, trx))!
      await this.#events.publish(trx, CatalogEvents.mentorUpdated, toProfileEvent(updated), { actor, subject: { type: 'mentor', id: updated.id } })
      return updated
    })
    this.#events.flushSoon()
    return toMyMentorProfile({ ...row, uid })
  }

  async getForAdmin(id: string): Promise<AdminMentor> {
    const row = await this.#repo.findById(id)
    if (!row) throw mentorNotFound()
    return toAdminMentor(row)
  }

  /** Hides the mentor from the page and search. Suspending a suspended mentor changes nothing and publishes nothing. */
  suspend(id: string, reason: string, actor: EventActor): Promise<AdminMentor> {
    const meta = { actor, subject: { type: 'mentor', id } }
    return this.#setStatus(id, 'suspended', reason, (row, trx) =>
      this.#events.publish(trx, CatalogEvents.mentorSuspended, { ...toProfileEvent(row), reason }, meta),
    )
  }

  /** Public again; the reason (optional for older clients) goes to the audit trail with the event. */
  reinstate(id: string, actor: EventActor, reason?: string): Promise<AdminMentor> {
    const meta = { actor, subject: { type: 'mentor', id } }
    return this.#setStatus(id, 'active', reason ?? null, (row, trx) =>
      this.#events.publish(trx, CatalogEvents.mentorReinstated, { ...toProfileEvent(row), ...(reason !== undefined ? { reason } : {}) }, meta),
    )
  }

  /** Every mentor, for the admin list (issue 21: no time window, so old suspensions stay reachable). */
  async listForAdmin(query: { q?: string; status?: MentorStatus; page: number; pageSize: number }): Promise<Paged<AdminMentorListItem>> {
    const { rows, total } = await this.#repo.listForAdmin(query)
    return {
      items: rows.map((r) => ({
        ...toAdminMentor(r),
        email: r.email,
        statusChangedAt: new Date(r.status_changed_at).toISOString(),
        statusReason: r.status_reason,
      })),
      total,
      page: query.page,
      pageSize: query.pageSize,
    }
  }

  async #setStatus(
    id: string,
    status: 'active' | 'suspended',
    reason: string | null,
    announce: (row: MentorRow, trx: Tx<DB>) => Promise<void>,
  ): Promise<AdminMentor> {
    let changed = false
    const row = await this.#db.transaction().execute(async (trx) => {
      const current = await this.#repo.findById(id, trx, { forUpdate: true })
      if (!current) throw mentorNotFound()
      if (current.status === status) return current
      const updated = (await this.#repo.update(id, { status, status_changed_at: new Date(), status_reason: reason }, trx))!
      await announce(updated, trx)
      changed = true
      return updated
    })
    if (changed) this.#events.flushSoon()
    return toAdminMentor(row)
  }
}
