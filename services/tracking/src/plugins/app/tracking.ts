import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import { TrackingRepository } from '../../queries/tracking.repository.ts'
import { TrackingService, type TrendingOptions } from '../../queries/tracking.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    tracking: TrackingService
  }
}

/** The admin API's service layer, over the repository. */
export default fp(
  async function tracking(app: FastifyInstance, opts: TrendingOptions) {
    app.decorate('tracking', new TrackingService(new TrackingRepository(app.db as Database<DB>), opts))
  },
  { name: 'tracking-queries', dependencies: ['sunbae-platform'] },
)
