import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { MeetingEvents, STREAMS } from '@sunbae/contracts'
import type { DB } from '../../db/types.ts'
import { ApplicationsService } from '../../applications/applications.service.ts'
import { MentorsService } from '../../mentors/mentors.service.ts'
import { ReviewsService } from '../../reviews/reviews.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    mentors: MentorsService
    applications: ApplicationsService
    reviews: ReviewsService
  }
}

/** Mentor profiles, applications and reviews, and every event subscription of the catalog. */
export default fp(
  async function catalog(app: FastifyInstance) {
    const db = app.db as Kysely<DB>
    app.decorate('mentors', new MentorsService(db, app.events))
    app.decorate('applications', new ApplicationsService(db, app.events, app.users))
    app.decorate('reviews', new ReviewsService(db, app.events))

    // A completed session is what allows a review.
    app.consumers.add({
      stream: STREAMS.meeting,
      durable: 'catalog_meeting_completed',
      filterSubject: MeetingEvents.bookingCompleted.type,
      handler: (event, { trx }) => app.reviews.onBookingCompleted(event.data, trx),
    })
  },
  { name: 'catalog', dependencies: ['sunbae-platform', 'users'] },
)
