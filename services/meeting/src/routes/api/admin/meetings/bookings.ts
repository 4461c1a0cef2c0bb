import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminBookingDetail, AdminBookingList, AdminBookingListQuery, AdminCancelBookingBody, ErrorResponse } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }

/** /api/admin/meetings/bookings — every booking, one with its history, and cancelling on a party's behalf (admins). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '',
    {
      schema: {
        tags: ['admin: meetings'],
        summary: 'Bookings by state, mentor, mentee and session start (from inclusive, to exclusive), latest session first, paged',
        security,
        querystring: AdminBookingListQuery,
        response: { 200: AdminBookingList, ...errors },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.bookingAdmin.list(request.query)
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['admin: meetings'],
        summary: 'One booking with its history (the bookings it was rescheduled from first) and what cancelling it now would refund',
        security,
        params: IdParams,
        response: { 200: AdminBookingDetail, ...errors },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.bookingAdmin.detail(request.params.id)
    },
  )

  app.post(
    '/:id/cancel',
    {
      schema: {
        tags: ['admin: meetings'],
        summary: "Cancel on a party's behalf, with a reason; that party's refund rule applies and payment refunds it; audited",
        description:
          'onBehalfOf mentee: the refund follows the booking’s terms (the policy of the session as first booked); mentor: a full refund. ' +
          'The answer shows the refund. 409 BOOKING_NOT_ACTIVE, BOOKING_STARTED.',
        security,
        params: IdParams,
        body: AdminCancelBookingBody,
        response: { 200: AdminBookingDetail, ...errors },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.bookingAdmin.cancel(admin, request.params.id, request.body.onBehalfOf, request.body.reason)
    },
  )
}

export default routes
