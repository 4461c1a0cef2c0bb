import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { periodicJob, type PeriodicJob } from '@sunbae/service-kit'
import type { BookingSweeps } from './bookings/booking-sweeps.service.ts'
import type { configSchema } from './config.ts'

export interface SweepResult {
  released: number
  reminded: number
  completed: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `app.sweeper.run()`: one sweep now (tests) */
    sweeper: PeriodicJob<SweepResult>
  }
}

/**
 * Meeting's timers. The sweep releases expired holds, sends due reminders and completes ended
 * sessions, in every replica: each step claims its rows with FOR UPDATE SKIP LOCKED and writes the
 * state change and its event in one transaction, so each happens exactly once. A full batch of any
 * step is followed at once by another sweep.
 */
export function meetingJobs(app: FastifyInstance, bookings: BookingSweeps, config: Static<typeof configSchema>): void {
  const batch = config.MEETING_SWEEP_BATCH
  app.decorate(
    'sweeper',
    periodicJob<SweepResult>(app, {
      name: 'meeting sweep',
      intervalMs: config.MEETING_SWEEP_INTERVAL_MS,
      logger: app.log.child({ component: 'sweeper' }),
      pass: async () => ({
        released: await bookings.releaseExpiredHolds(batch),
        reminded: await bookings.sendDueReminders(batch),
        completed: await bookings.completeEnded(batch),
      }),
      again: (r) => r.released >= batch || r.reminded >= batch || r.completed >= batch,
      merge: (a, b) => ({ released: a.released + b.released, reminded: a.reminded + b.reminded, completed: a.completed + b.completed }),
      report: (r, log) => {
        if (r.released + r.reminded + r.completed > 0) log.info(r, 'meeting sweep')
      },
    }),
  )
}
