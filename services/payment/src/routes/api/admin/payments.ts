import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminPaymentListQuery, ErrorResponse, PaymentList } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

/** /api/admin/payments — every payment, newest first (admins). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Payments, newest first, by state or booking (admin)',
        security: [{ gatewayIdentity: [] }],
        querystring: AdminPaymentListQuery,
        response: { 200: PaymentList, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.paymentQueries.adminList(request.query)
    },
  )
}

export default routes
