import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import { ReviewModerationService } from '../../reviews/review-moderation.service.ts'
import { UserAccessService } from '../../users/user-access.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    userAccess: UserAccessService
    reviewModeration: ReviewModerationService
  }
}

/** What only admins do to accounts and reviews (issue 21): disable / enable, hide / restore. */
export default fp(
  async function admin(app: FastifyInstance) {
    const db = app.db as Database<DB>
    app.decorate('userAccess', new UserAccessService(db, app.events, app.firebaseAuth, app.log.child({ component: 'user-access' })))
    app.decorate('reviewModeration', new ReviewModerationService(db, app.events))
  },
  { name: 'catalog-admin', dependencies: ['sunbae-platform', 'firebase'] },
)
