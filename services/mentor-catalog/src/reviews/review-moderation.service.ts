import type { Database, Tx } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import { CatalogEvents, type AdminReview, type AdminReviewListQuery, type EventActor, type Paged } from '@sunbae/contracts'
import { notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from '../mentors/mentors.repository.ts'
import { ReviewModerationRepository } from './review-moderation.repository.ts'
import type { ReviewRow } from './reviews.table.ts'

function toAdminReview(row: ReviewRow, mentorName: string): AdminReview {
  return {
    id: row.id,
    mentorId: row.mentor_id,
    mentorName,
    bookingId: row.booking_id,
    menteeUid: row.mentee_uid,
    authorName: row.author_name,
    rating: row.rating,
    comment: row.comment,
    createdAt: new Date(row.created_at).toISOString(),
    visibility: row.hidden_at ? 'hidden' : 'visible',
    hiddenAt: row.hidden_at ? new Date(row.hidden_at).toISOString() : null,
    hiddenReason: row.hidden_reason,
  }
}

/**
 * Admin moderation of reviews: a hidden review leaves the mentor page and the mentor's rating (the
 * aggregates are recomputed from the reviews that count, in the same transaction), and comes back
 * with both when restored. Each change publishes catalog.review.hidden / .restored with the reason
 * (the audit trail's entry) and catalog.mentor.rated with the new aggregates.
 */
export class ReviewModerationService {
  readonly #db: Database<DB>
  readonly #repo: ReviewModerationRepository
  readonly #mentors: MentorsRepository
  readonly #events: FastifyInstance['events']

  constructor(db: Database<DB>, events: FastifyInstance['events']) {
    this.#db = db
    this.#repo = new ReviewModerationRepository(db)
    this.#mentors = new MentorsRepository(db)
    this.#events = events
  }

  async list(query: AdminReviewListQuery & { page: number; pageSize: number }): Promise<Paged<AdminReview>> {
    const { rows, total } = await this.#repo.list(query)
    return { items: rows.map((r) => toAdminReview(r, r.mentor_name)), total, page: query.page, pageSize: query.pageSize }
  }

  hide(id: string, reason: string, actor: EventActor): Promise<AdminReview> {
    return this.#moderate(id, true, reason, actor)
  }

  restore(id: string, reason: string, actor: EventActor): Promise<AdminReview> {
    return this.#moderate(id, false, reason, actor)
  }

  /** Hiding a hidden review (or restoring a visible one) changes nothing and publishes nothing. */
  async #moderate(id: string, hide: boolean, reason: string, actor: EventActor): Promise<AdminReview> {
    let published = false
    const { row, mentorName } = await this.#db.transaction().execute(async (trx: Tx<DB>) => {
      const current = await this.#repo.findForUpdate(id, trx)
      if (!current) throw notFound('No such review', 'REVIEW_NOT_FOUND')
      const mentorName = (await this.#repo.mentorName(current.mentor_id, trx)) ?? ''
      if ((current.hidden_at !== null) === hide) return { row: current, mentorName }
      const row = (await this.#repo.setHidden(id, hide ? { reason } : null, trx))!
      const mentor = (await this.#mentors.recomputeRating(row.mentor_id, trx))!
      const meta = { actor, subject: { type: 'review', id } }
      await this.#events.publish(trx, hide ? CatalogEvents.reviewHidden : CatalogEvents.reviewRestored, { reviewId: id, mentorId: row.mentor_id, reason }, meta)
      await this.#events.publish(
        trx,
        CatalogEvents.mentorRated,
        { mentorId: row.mentor_id, rating: Number(mentor.rating), reviewCount: mentor.review_count },
        { actor, subject: { type: 'mentor', id: row.mentor_id } },
      )
      published = true
      return { row, mentorName }
    })
    if (published) this.#events.flushSoon()
    return toAdminReview(row, mentorName)
  }
}
