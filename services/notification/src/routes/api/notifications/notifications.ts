import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, MarkNotificationsReadBody, MarkNotificationsReadResult, NotificationFeedPage, NotificationFeedQuery } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse }

/** /api/notifications — the caller's in-app feed and read marks. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['notifications'],
        summary: 'My in-app notifications, newest first, with my unread count (cursor: nextBefore)',
        security,
        querystring: NotificationFeedQuery,
        response: { 200: NotificationFeedPage, ...errors },
      },
    },
    async (request) => app.notificationFeed.page(requireIdentity(request), request.query.before, request.query.limit ?? 20),
  )

  app.post(
    '/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark these notifications (ids) or all of mine read; Firestore follows',
        security,
        body: MarkNotificationsReadBody,
        response: { 200: MarkNotificationsReadResult, ...errors },
      },
    },
    async (request) => app.notificationFeed.markRead(requireIdentity(request), request.body),
  )
}

export default routes
