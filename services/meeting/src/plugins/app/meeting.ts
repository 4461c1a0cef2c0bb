import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Static, TSchema } from 'typebox'
import { Value } from 'typebox/value'
import {
  CatalogEvents,
  MatchingEvents,
  MatchEndedV1,
  MentorProfileV1,
  MentorSuspendedV1,
  PaymentCancelledV1,
  PaymentEvents,
  PaymentFailedV1,
  PaymentSucceededV1,
  RequestAcceptedV1,
  STREAMS,
  type DomainEvent,
} from '@sunbae/contracts'
import type { configSchema } from '../../config.ts'
import { meetingDatabase, Transactions } from '../../db/database.repository.ts'
import { AvailabilityRepository } from '../../availability/availability.repository.ts'
import { AvailabilityService } from '../../availability/availability.service.ts'
import { BookingsRepository } from '../../bookings/bookings.repository.ts'
import { BookingCommands } from '../../bookings/booking-commands.service.ts'
import { BookingRules } from '../../bookings/booking-rules.ts'
import { BookingSweeps } from '../../bookings/booking-sweeps.service.ts'
import { PaymentEventHandlers } from '../../bookings/payment-events.service.ts'
import { meetingJobs } from '../../jobs.ts'
import { ReadModelEventHandlers } from '../../readmodel/readmodel-events.service.ts'
import { ReadModelRepository } from '../../readmodel/readmodel.repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    readModel: ReadModelRepository
    availability: AvailabilityService
    bookings: BookingCommands
  }
}

/** Durable consumer names (one per stream; every replica shares them). */
export const DURABLES = { catalog: 'meeting_catalog_mentors', matching: 'meeting_matching', payment: 'meeting_payments' } as const

/** A payload that breaks its contract: retrying cannot fix it, the consumer dead-letters it. */
function decode<T>(schema: TSchema, event: DomainEvent): T {
  if (!Value.Check(schema, event.data)) {
    const first = [...Value.Errors(schema, event.data)][0]
    throw new Error(`${event.type} payload is invalid: ${first ? `${first.instancePath} ${first.message}` : 'unknown'}`)
  }
  return event.data as T
}

const PROFILE_TYPES = new Set<string>([CatalogEvents.mentorApproved.type, CatalogEvents.mentorUpdated.type, CatalogEvents.mentorReinstated.type])

/** Meeting's domain services, the consumers feeding them, and the sweeper every replica runs (`jobs.ts`). */
export default fp(
  async function meeting(app: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
    const { config } = opts
    const db = meetingDatabase(app.db)
    const transactions = new Transactions(db)
    const readModel = new ReadModelRepository(db)
    const readModelEvents = new ReadModelEventHandlers(readModel)
    const bookings = new BookingsRepository(db)
    const rules = new BookingRules(bookings, app.events, {
      holdSeconds: Math.max(1, Math.round(config.MEETING_HOLD_MINUTES * 60)),
      videoBaseUrl: config.MEETING_VIDEO_BASE_URL,
      currency: config.MEETING_CURRENCY,
      noShowWindowHours: config.MEETING_NO_SHOW_WINDOW_HOURS,
    })
    const payments = new PaymentEventHandlers(bookings, rules)
    app.decorate('readModel', readModel)
    app.decorate('availability', new AvailabilityService(transactions, new AvailabilityRepository(db), app.events, readModel))
    app.decorate('bookings', new BookingCommands(transactions, bookings, rules, app.events, app.availability, readModel))

    app.consumers.add({
      stream: STREAMS.catalog,
      durable: DURABLES.catalog,
      filterSubject: 'catalog.mentor.>',
      handler: async (event: DomainEvent, { trx }) => {
        if (event.type === CatalogEvents.mentorSuspended.type) await readModelEvents.onMentorSuspended(decode(MentorSuspendedV1, event), event, trx)
        else if (PROFILE_TYPES.has(event.type)) await readModelEvents.onMentorProfile(decode(MentorProfileV1, event), event, trx)
      },
    })
    app.consumers.add({
      stream: STREAMS.matching,
      durable: DURABLES.matching,
      filterSubject: 'matching.>',
      handler: async (event: DomainEvent, { trx }) => {
        if (event.type === MatchingEvents.requestAccepted.type) await readModelEvents.onRequestAccepted(decode(RequestAcceptedV1, event), trx)
        else if (event.type === MatchingEvents.matchEnded.type) await readModelEvents.onMatchEnded(decode(MatchEndedV1, event), trx)
      },
    })
    app.consumers.add({
      stream: STREAMS.payment,
      durable: DURABLES.payment,
      filterSubject: 'payment.>',
      // payments of different bookings are independent
      concurrency: 8,
      handler: async (event: DomainEvent, { trx }) => {
        if (event.type === PaymentEvents.succeeded.type) await payments.onPaymentSucceeded(decode(PaymentSucceededV1, event), trx)
        else if (event.type === PaymentEvents.failed.type) await payments.onPaymentFailed(decode(PaymentFailedV1, event), trx)
        // the payer gave up before paying: the hold is released as for a failed payment
        else if (event.type === PaymentEvents.cancelled.type) await payments.onPaymentFailed(decode(PaymentCancelledV1, event), trx)
      },
    })

    meetingJobs(app, new BookingSweeps(transactions, bookings, rules, app.events), config)
  },
  { name: 'meeting', dependencies: ['sunbae-platform'] },
)
