import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, MarkNotificationsReadBody, MarkNotificationsReadResult, NotificationFeedPage, NotificationFeedQuery } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { ownSchema } from './schemas.ts'

/** /api/notifications — the caller's in-app feed and read marks. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: ownSchema({
        summary: 'My in-app notifications, newest first, with my unread count (cursor: nextBefore)',
        querystring: NotificationFeedQuery,
        response: { 200: NotificationFeedPage, 404: ErrorResponse },
      }),
    },
    async (request) => app.notificationFeed.page(requireIdentity(request), request.query.before, request.query.limit ?? 20),
  )

  app.post(
    '/read',
    {
      schema: ownSchema({
        summary: 'Mark these notifications (ids) or all of mine read; Firestore follows',
        body: MarkNotificationsReadBody,
        response: { 200: MarkNotificationsReadResult, 404: ErrorResponse },
      }),
    },
    async (request) => app.notificationFeed.markRead(requireIdentity(request), request.body),
  )
}

export default routes
