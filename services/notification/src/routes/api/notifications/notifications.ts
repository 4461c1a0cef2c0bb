import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { FeedPage, FeedQuery, MarkReadBody, MarkReadResult } from '../../../api.ts'

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
        querystring: FeedQuery,
        response: { 200: FeedPage, ...errors },
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
        body: MarkReadBody,
        response: { 200: MarkReadResult, ...errors },
      },
    },
    async (request) => app.notificationFeed.markRead(requireIdentity(request), request.body),
  )
}

export default routes
