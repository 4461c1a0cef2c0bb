import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import { ApplicationsService } from '../../applications/applications.service.ts'
import { MentorsService } from '../../mentors/mentors.service.ts'
import { ReviewsService } from '../../reviews/reviews.service.ts'
import { PhotosService } from '../../photos/photos.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    mentors: MentorsService
    applications: ApplicationsService
    reviews: ReviewsService
    photos: PhotosService
  }
}

/** Mentor profiles, their photos, applications and reviews (their event subscription is in src/subscriptions.ts). */
export default fp(
  async function catalog(app: FastifyInstance) {
    const db = app.db as Database<DB>
    app.decorate('mentors', new MentorsService(db, app.events))
    app.decorate('applications', new ApplicationsService(db, app.events, app.users))
    app.decorate('reviews', new ReviewsService(db, app.events))
    app.decorate('photos', new PhotosService(db, app.events))
  },
  { name: 'catalog', dependencies: ['sunbae-platform', 'users'] },
)
