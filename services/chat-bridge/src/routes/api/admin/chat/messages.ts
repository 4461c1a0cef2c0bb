import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminChatMessage, AdminMessageSearchResult, ErrorResponse, HideMessageBody, HideMessageParams, MessageSearchQuery } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/** /api/admin/chat — moderation over the mirror. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/messages',
    {
      schema: {
        tags: ['admin: chat'],
        summary: 'Search messages of every room by words (hidden ones included, with their text)',
        security,
        querystring: MessageSearchQuery,
        response: { 200: AdminMessageSearchResult, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return { items: await app.chat.search(request.query.q, request.query.limit ?? 50) }
    },
  )

  app.post(
    '/rooms/:roomId/messages/:messageId/hide',
    {
      schema: {
        tags: ['admin: chat'],
        summary: 'Hide a message from the members (in Firestore and the mirror), with an audit event',
        security,
        params: HideMessageParams,
        body: HideMessageBody,
        response: { 200: AdminChatMessage, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.chat.hide(admin, request.params.roomId, request.params.messageId, request.body.reason)
    },
  )

  app.post(
    '/rooms/:roomId/messages/:messageId/unhide',
    {
      schema: {
        tags: ['admin: chat'],
        summary: 'Show a hidden message to the members again (its text back in Firestore), with a reason and an audit event',
        security,
        params: HideMessageParams,
        body: HideMessageBody,
        response: { 200: AdminChatMessage, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.chat.unhide(admin, request.params.roomId, request.params.messageId, request.body.reason)
    },
  )
}

export default routes
