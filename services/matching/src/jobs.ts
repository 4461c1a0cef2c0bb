import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { periodicJob, type PeriodicJob } from '@sunbae/service-kit'
import type { configSchema } from './config.ts'
import type { RequestsService } from './requests/requests.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** `app.expirySweeper.run()`: one sweep now (tests); resolves with the number it expired */
    expirySweeper: PeriodicJob<number>
    /** requests expired by this replica's sweeps since it started (admin stats) */
    expiredByThisReplica: () => number
  }
}

/**
 * Matching's timers. The expiry sweep expires overdue requests, in every replica: it claims its rows
 * with FOR UPDATE SKIP LOCKED and re-checks the state in the same UPDATE, so a request is expired —
 * and its event written — by exactly one of them. A full batch is followed at once by the next.
 */
export function matchingJobs(app: FastifyInstance, requests: RequestsService, config: Static<typeof configSchema>): void {
  const batch = config.MATCHING_SWEEP_BATCH
  let expired = 0
  app.decorate('expiredByThisReplica', () => expired)
  app.decorate(
    'expirySweeper',
    periodicJob<number>(app, {
      name: 'expiry sweep',
      intervalMs: config.MATCHING_SWEEP_INTERVAL_MS,
      logger: app.log.child({ component: 'expiry' }),
      pass: async () => {
        const n = await requests.expireDue(batch)
        expired += n
        return n
      },
      again: (n) => n >= batch,
      merge: (a, b) => a + b,
      report: (n, log) => {
        if (n > 0) log.info({ expired: n }, 'expired overdue requests')
      },
    }),
  )
}
