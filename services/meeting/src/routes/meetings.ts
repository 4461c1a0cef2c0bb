import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  Availability,
  AvailabilityBody,
  Booking,
  BookingList,
  BookingListQuery,
  CreateBookingBody,
  ErrorResponse,
  BookingReasonBody,
  RescheduleBody,
  SlotsQuery,
  SlotsResponse,
} from '@sunbae/contracts'
import { requireIdentity, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const MentorParams = Type.Object({ mentorId: Type.String({ format: 'uuid' }) })
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }

/** /api/meetings — availability, slots, bookings and their lifecycle. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/mentors/:mentorId/slots',
    {
      schema: {
        tags: ['slots'],
        summary: "A mentor's free slots in [from, to), in UTC and the viewer's zone (public)",
        description: 'Weekly hours and date overrides in the mentor\'s zone, minus notice, horizon, buffers, daily limit and active bookings. At most 62 days per query.',
        params: MentorParams,
        querystring: SlotsQuery,
        response: { 200: SlotsResponse, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.availability.slots(request.params.mentorId.toLowerCase(), request.query),
  )

  app.get(
    '/availability',
    { schema: { tags: ['availability'], summary: 'My availability (mentor)', security, response: { 200: Availability, ...errors } } },
    async (request) => app.availability.getOwn(requireRole(request, 'mentor')),
  )

  app.put(
    '/availability',
    {
      schema: {
        tags: ['availability'],
        summary: 'Set my availability (mentor): zone, weekly hours, overrides, lengths, buffers, notice, horizon, daily limit, price, refund policy',
        security,
        body: AvailabilityBody,
        response: { 200: Availability, ...errors },
      },
    },
    async (request) => app.availability.put(requireRole(request, 'mentor'), request.body),
  )

  app.post(
    '/bookings',
    {
      schema: {
        tags: ['bookings'],
        summary: 'Book a slot (a mentee with an active match): free sessions confirm at once, paid ones are held for payment',
        description:
          '403 NO_ACTIVE_MATCH; 409 SLOT_TAKEN (the mentor is booked then, buffers included), MENTEE_BUSY (you have a session then), ' +
          'SLOT_UNAVAILABLE (not one of the slots), DAY_FULL; 400 DURATION_NOT_OFFERED.',
        security,
        body: CreateBookingBody,
        response: { 201: Booking, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await app.bookings.create(requireIdentity(request), request.body)),
  )

  app.get(
    '/bookings/:id',
    { schema: { tags: ['bookings'], summary: 'One booking (its mentee or mentor)', security, params: IdParams, response: { 200: Booking, ...errors } } },
    async (request) => app.bookings.get(requireIdentity(request), request.params.id),
  )

  app.get(
    '/bookings/:id/ics',
    {
      schema: {
        tags: ['bookings'],
        summary: 'iCalendar (.ics) entry of a confirmed session',
        security,
        params: IdParams,
        response: { 200: Type.String({ description: 'text/calendar' }), ...errors },
      },
    },
    async (request, reply) => {
      const body = await app.bookings.ics(requireIdentity(request), request.params.id)
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="sunbae-${request.params.id}.ics"`)
        .send(body)
    },
  )

  app.post(
    '/bookings/:id/cancel',
    {
      schema: {
        tags: ['bookings'],
        summary: "Cancel with a reason (either party); the refund follows the mentor's notice policy, a mentor cancelling refunds in full",
        security,
        params: IdParams,
        body: BookingReasonBody,
        response: { 200: Booking, ...errors },
      },
    },
    async (request) => app.bookings.cancel(requireIdentity(request), request.params.id, request.body.reason),
  )

  app.post(
    '/bookings/:id/reschedule',
    {
      schema: {
        tags: ['bookings'],
        summary: 'Move a confirmed session (either party); answers the new booking, which points to this one',
        description: '409 RESCHEDULE_TOO_LATE (mentee inside the notice window), SLOT_TAKEN, MENTEE_BUSY, SLOT_UNAVAILABLE, BOOKING_NOT_CONFIRMED.',
        security,
        params: IdParams,
        body: RescheduleBody,
        response: { 200: Booking, ...errors },
      },
    },
    async (request) => app.bookings.reschedule(requireIdentity(request), request.params.id, request.body),
  )

  app.post(
    '/bookings/:id/no-show',
    {
      schema: { tags: ['bookings'], summary: 'Mark that the mentee did not come (the mentor, after the start)', security, params: IdParams, response: { 200: Booking, ...errors } },
    },
    async (request) => app.bookings.markNoShow(requireRole(request, 'mentor'), request.params.id),
  )

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
