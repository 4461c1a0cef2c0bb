import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import firestore from '@sunbae/service-kit/firestore'
import meeting from './plugins/app/meeting.ts'
import subscriptions from './subscriptions.ts'
import slotRoutes from './routes/api/meetings/slots.ts'
import availabilityRoutes from './routes/api/meetings/availability.ts'
import bookingRoutes from './routes/api/meetings/bookings.ts'
import myBookingRoutes from './routes/api/meetings/my-bookings.ts'
import roomRoutes from './routes/api/meetings/room.ts'
import adminBookingRoutes from './routes/api/admin/meetings/bookings.ts'

/** The service as a plugin: external clients, then domain plugins and their subscriptions, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'meeting',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes meeting.*; consumes catalog.*, matching.* and payment.*
    streams: [STREAMS.meeting, STREAMS.catalog, STREAMS.matching, STREAMS.payment],
  })
  await fastify.register(firestore, { projectId: opts.config.FIREBASE_PROJECT_ID, service: 'meeting' })
  await fastify.register(meeting, { config: opts.config })
  await fastify.register(subscriptions)
  await fastify.register(slotRoutes, { prefix: '/api/meetings/mentors' })
  await fastify.register(availabilityRoutes, { prefix: '/api/meetings/availability' })
  await fastify.register(bookingRoutes, { prefix: '/api/meetings/bookings' })
  await fastify.register(roomRoutes, { prefix: '/api/meetings/bookings' })
  await fastify.register(myBookingRoutes, { prefix: '/api/meetings' })
  await fastify.register(adminBookingRoutes, { prefix: '/api/admin/meetings/bookings' })
}
