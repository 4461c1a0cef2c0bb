import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminNotificationPage, AdminNotificationQuery, ErrorResponse } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/** /api/admin/notifications — what was sent to whom, and which emails are pending or failed. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Notifications of every channel, newest first, with email delivery state (filter by uid, channel, emailStatus)',
        security,
        querystring: AdminNotificationQuery,
        response: { 200: AdminNotificationPage, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.notificationFeed.adminList(request.query)
    },
  )
}

export default routes
