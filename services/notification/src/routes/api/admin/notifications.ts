import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminNotificationPage, AdminNotificationQuery } from '@sunbae/contracts'
import { adminOnly, adminSchema } from '@sunbae/service-kit'

/** /api/admin/notifications — what was sent to whom, and which emails are pending or failed. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/',
    {
      schema: adminSchema({
        summary: 'Notifications of every channel, newest first, with email delivery state (filter by uid, channel, emailStatus)',
        querystring: AdminNotificationQuery,
        response: { 200: AdminNotificationPage },
      }),
    },
    async (request) => app.notificationFeed.adminList(request.query),
  )
}

export default routes
