import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BookingList, BookingListQuery } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { errors, security } from './schemas.ts'

/** /api/meetings/upcoming and /api/meetings/past — the caller's own bookings, as mentee or mentor. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/upcoming',
    {
      schema: { tags: ['bookings'], summary: 'My held and confirmed sessions still ahead, soonest first (as mentee or mentor)', security, querystring: BookingListQuery, response: { 200: BookingList, ...errors } },
    },
    async (request) => app.bookings.list(requireIdentity(request), 'upcoming', request.query.limit ?? 50),
  )

  app.get(
    '/past',
    {
      schema: { tags: ['bookings'], summary: 'My past, cancelled, released and rescheduled sessions, newest first', security, querystring: BookingListQuery, response: { 200: BookingList, ...errors } },
    },
    async (request) => app.bookings.list(requireIdentity(request), 'past', request.query.limit ?? 50),
  )
}

export default routes
