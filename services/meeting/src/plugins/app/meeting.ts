import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { configSchema } from '../../config.ts'
import { Transactions } from '@sunbae/db'
import { meetingDatabase } from '../../db/database.ts'
import { AvailabilityRepository } from '../../availability/availability.repository.ts'
import { AvailabilityService } from '../../availability/availability.service.ts'
import { BookingAdmin } from '../../bookings/booking-admin.service.ts'
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
    readModelEventHandlers: ReadModelEventHandlers
    availability: AvailabilityService
    bookings: BookingCommands
    /** the admin's list, detail and cancellation on a party's behalf */
    bookingAdmin: BookingAdmin
    paymentEventHandlers: PaymentEventHandlers
  }
}

/** Meeting's repositories and domain services (for routes and `subscriptions.ts`), and the sweeper every replica runs (`jobs.ts`). */
export default fp(
  async function meeting(app: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
    const { config } = opts
    const db = meetingDatabase(app.db)
    const transactions = new Transactions(db)
    const readModel = new ReadModelRepository(db)
    const bookings = new BookingsRepository(db)
    const rules = new BookingRules(bookings, app.events, {
      holdSeconds: Math.max(1, Math.round(config.MEETING_HOLD_MINUTES * 60)),
      videoBaseUrl: config.MEETING_VIDEO_BASE_URL,
      currency: config.MEETING_CURRENCY,
      noShowWindowHours: config.MEETING_NO_SHOW_WINDOW_HOURS,
    })
    app.decorate('readModel', readModel)
    app.decorate('readModelEventHandlers', new ReadModelEventHandlers(readModel))
    app.decorate('availability', new AvailabilityService(transactions, new AvailabilityRepository(db), app.events, readModel))
    app.decorate('bookings', new BookingCommands(transactions, bookings, rules, app.events, app.availability, readModel))
    app.decorate('bookingAdmin', new BookingAdmin(bookings, app.bookings))
    app.decorate('paymentEventHandlers', new PaymentEventHandlers(bookings, rules, app.events))

    meetingJobs(app, new BookingSweeps(transactions, bookings, rules, app.events), config)
  },
  { name: 'meeting', dependencies: ['sunbae-platform'] },
)
