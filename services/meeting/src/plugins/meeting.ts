import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Static } from 'typebox'
import { STREAMS, PaymentCancelledV1, PaymentEvents, PaymentFailedV1, PaymentSucceededV1, type DomainEvent } from '@sunbae/contracts'
import type { configSchema } from '../config.ts'
import type { DB } from '../db/types.ts'
import { AvailabilityService } from '../availability/availability.service.ts'
import { BookingsService } from '../bookings/bookings.service.ts'
import { meetingJobs } from '../jobs.ts'
import { decode, ReadModelRepository } from '../readmodel/readmodel.ts'

declare module 'fastify' {
  interface FastifyInstance {
    readModel: ReadModelRepository
    availability: AvailabilityService
    bookings: BookingsService
  }
}

/** Durable consumer names (one per stream; every replica shares them). */
export const DURABLES = { catalog: 'meeting_catalog_mentors', matching: 'meeting_matching', payment: 'meeting_payments' } as const

/** Meeting's domain services, the consumers feeding them, and the sweeper every replica runs (`jobs.ts`). */
export default fp(
  async function meeting(app: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
    const { config } = opts
    const db = app.db as Kysely<DB>
    const readModel = new ReadModelRepository(db)
    app.decorate('readModel', readModel)
    app.decorate('availability', new AvailabilityService(db, app.events, readModel))
    app.decorate(
      'bookings',
      new BookingsService(db, app.events, app.availability, readModel, {
        holdSeconds: Math.max(1, Math.round(config.MEETING_HOLD_MINUTES * 60)),
        videoBaseUrl: config.MEETING_VIDEO_BASE_URL,
        currency: config.MEETING_CURRENCY,
        noShowWindowHours: config.MEETING_NO_SHOW_WINDOW_HOURS,
      }),
    )

    app.consumers.add({
      stream: STREAMS.catalog,
      durable: DURABLES.catalog,
      filterSubject: 'catalog.mentor.>',
      handler: (event: DomainEvent, { trx }) => readModel.applyCatalog(event, trx),
    })
    app.consumers.add({
      stream: STREAMS.matching,
      durable: DURABLES.matching,
      filterSubject: 'matching.>',
      handler: (event: DomainEvent, { trx }) => readModel.applyMatching(event, trx),
    })
    app.consumers.add({
      stream: STREAMS.payment,
      durable: DURABLES.payment,
      filterSubject: 'payment.>',
      // payments of different bookings are independent
      concurrency: 8,
      handler: async (event: DomainEvent, { trx }) => {
        if (event.type === PaymentEvents.succeeded.type) await app.bookings.onPaymentSucceeded(decode(PaymentSucceededV1, event), trx)
        else if (event.type === PaymentEvents.failed.type) await app.bookings.onPaymentFailed(decode(PaymentFailedV1, event), trx)
        // the payer gave up before paying: the hold is released as for a failed payment
        else if (event.type === PaymentEvents.cancelled.type) await app.bookings.onPaymentFailed(decode(PaymentCancelledV1, event), trx)
      },
    })

    meetingJobs(app, app.bookings, config)
  },
  { name: 'meeting', dependencies: ['sunbae-platform'] },
)
