import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminBookingDetail, AdminBookingList, AdminBookingListQuery, AdminCancelBookingBody, ErrorResponse } from '@sunbae/contracts'
import { adminOnly, adminSchema, requireIdentity } from '@sunbae/service-kit'

const tags = ['admin: meetings']
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const errors = { 404: ErrorResponse, 409: ErrorResponse }

/** /api/admin/meetings/bookings — every booking, one with its history, and cancelling on a party's behalf (admins). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '',
    {
      schema: adminSchema({
        tags,
        summary: 'Bookings by state, mentor, mentee and session start (from inclusive, to exclusive), latest session first, paged',
        querystring: AdminBookingListQuery,
        response: { 200: AdminBookingList, ...errors },
      }),
    },
    async (request) => app.bookingAdmin.list(request.query),
  )

  app.get(
    '/:id',
    {
      schema: adminSchema({
        tags,
        summary: 'One booking with its history (the bookings it was rescheduled from first) and what cancelling it now would refund',
        params: IdParams,
        response: { 200: AdminBookingDetail, ...errors },
      }),
    },
    async (request) => app.bookingAdmin.detail(request.params.id),
  )

  app.post(
    '/:id/cancel',
    {
      schema: adminSchema({
        tags,
        summary: "Cancel on a party's behalf, with a reason; that party's refund rule applies and payment refunds it; audited",
        description:
          'onBehalfOf mentee: the refund follows the booking’s terms (the policy of the session as first booked); mentor: a full refund. ' +
          'The answer shows the refund. 409 BOOKING_NOT_ACTIVE, BOOKING_STARTED.',
        params: IdParams,
        body: AdminCancelBookingBody,
        response: { 200: AdminBookingDetail, ...errors },
      }),
    },
    async (request) => app.bookingAdmin.cancel(requireIdentity(request), request.params.id, request.body.onBehalfOf, request.body.reason),
  )
}

export default routes
