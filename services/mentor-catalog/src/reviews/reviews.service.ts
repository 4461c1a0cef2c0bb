import type { Database, Tx } from '@sunbae/db'
import type { FastifyInstance } from 'fastify'
import { v7 as uuidv7 } from 'uuid'
import {
  CatalogEvents,
  type BookingCompletedV1,
  type Identity,
  type MentorPage,
  type Paged,
  type Review,
  type ReviewBody,
} from '@sunbae/contracts'
import { AppError, conflict, notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from '../mentors/mentors.repository.ts'
import { toMentorProfile } from '../mentors/mentors.mapper.ts'
import { UsersRepository } from '../users/users.repository.ts'
import { ReviewsRepository } from './reviews.repository.ts'
import type { ReviewRow } from './reviews.table.ts'

type Events = FastifyInstance['events']

export const RECENT_REVIEWS = 5

function toReview(row: ReviewRow): Review {
  return {
    id: row.id,
    mentorId: row.mentor_id,
    rating: row.rating,
    comment: row.comment,
    authorName: row.author_name,
    createdAt: new Date(row.created_at).toISOString(),
  }
}

// Suspended and unknown mentors look the same from outside.
const mentorNotFound = () => notFound('No such mentor', 'MENTOR_NOT_FOUND')

/**
 * The public mentor page and reviews. A review needs a completed session (projected from
 * meeting.booking.completed) of this mentee with this mentor; one per session; the mentor's
 * aggregates change in the same transaction as the review.
 */
export class ReviewsService {
  readonly #db: Database<DB>
  readonly #repo: ReviewsRepository
  readonly #mentors: MentorsRepository
  readonly #users: UsersRepository
  readonly #events: Events

  constructor(db: Database<DB>, events: Events) {
    this.#db = db
    this.#repo = new ReviewsRepository(db)
    this.#mentors = new MentorsRepository(db)
    this.#users = new UsersRepository(db)
    this.#events = events
  }

  async mentorPage(id: string): Promise<MentorPage> {
    const row = await this.#mentors.findActiveById(id)
    if (!row) throw mentorNotFound()
    const reviews = await this.#repo.recent(id, RECENT_REVIEWS)
    return { ...toMentorProfile(row), recentReviews: reviews.map(toReview) }
  }

  async list(mentorId: string, q: { page: number; pageSize: number }): Promise<Paged<Review>> {
    if (!(await this.#mentors.findActiveById(mentorId))) throw mentorNotFound()
    const [rows, total] = await Promise.all([this.#repo.page(mentorId, q), this.#repo.count(mentorId)])
    return { items: rows.map(toReview), total, page: q.page, pageSize: q.pageSize }
  }

  async create(mentorId: string, identity: Identity, body: ReviewBody): Promise<Review> {
    const review = await this.#db.transaction().execute(async (trx) => {
      if (!(await this.#mentors.findActiveById(mentorId, trx))) throw mentorNotFound()
      const session = await this.#repo.findCompletedSession(body.bookingId, trx)
      if (!session || session.mentee_uid !== identity.uid || session.mentor_id !== mentorId) {
        throw new AppError(403, 'NO_COMPLETED_SESSION', 'You can review a mentor only after a completed session with them')
      }
      const author = await this.#users.findByUid(identity.uid, trx)
      const row = await this.#repo.insert(
        {
          id: uuidv7(),
          mentor_id: mentorId,
          booking_id: body.bookingId,
          mentee_uid: identity.uid,
          author_name: author?.display_name ?? identity.name,
          rating: body.rating,
          comment: body.comment ?? '',
        },
        trx,
      )
      if (!row) throw conflict('This session already has a review', 'REVIEW_EXISTS')
      const mentor = (await this.#mentors.addRating(mentorId, body.rating, trx))!
      const actor = { type: 'user' as const, id: identity.uid, role: identity.role }
      await this.#events.publish(
        trx,
        CatalogEvents.reviewCreated,
        {
          reviewId: row.id,
          mentorId,
          bookingId: row.booking_id,
          menteeUid: row.mentee_uid,
          rating: row.rating,
          comment: row.comment,
          createdAt: new Date(row.created_at).toISOString(),
        },
        { actor, subject: { type: 'review', id: row.id } },
      )
      await this.#events.publish(
        trx,
        CatalogEvents.mentorRated,
        { mentorId, rating: Number(mentor.rating), reviewCount: mentor.review_count },
        { actor, subject: { type: 'mentor', id: mentorId } },
      )
      return row
    })
    this.#events.flushSoon()
    return toReview(review)
  }

  /** Handler of meeting.booking.completed (runs in the consumer's transaction, once per event id; data checked against its schema). */
  async onBookingCompleted(data: BookingCompletedV1, trx: Tx<DB>): Promise<void> {
    await this.#repo.recordCompletedSession(
      { booking_id: data.bookingId, mentee_uid: data.menteeUid, mentor_id: data.mentorId, completed_at: data.completedAt },
      trx,
    )
  }
}
