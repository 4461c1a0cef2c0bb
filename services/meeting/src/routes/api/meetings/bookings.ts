import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Booking, BookingReasonBody, CreateBookingBody, RescheduleBody } from '@sunbae/contracts'
import { requireIdentity, requireRole } from '@sunbae/service-kit'
import { errors, IdParams, security } from './schemas.ts'

/** /api/meetings/bookings — booking a slot and the booking's lifecycle. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '',
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
    '/:id',
    { schema: { tags: ['bookings'], summary: 'One booking (its mentee or mentor)', security, params: IdParams, response: { 200: Booking, ...errors } } },
    async (request) => app.bookings.get(requireIdentity(request), request.params.id),
  )

  app.get(
    '/:id/ics',
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
    '/:id/cancel',
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
    '/:id/reschedule',
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
    '/:id/no-show',
    {
      schema: { tags: ['bookings'], summary: 'Mark that the mentee did not come (the mentor, after the start)', security, params: IdParams, response: { 200: Booking, ...errors } },
    },
    async (request) => app.bookings.markNoShow(requireRole(request, 'mentor'), request.params.id),
  )
}

export default routes
