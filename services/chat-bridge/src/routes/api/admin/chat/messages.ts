import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminChatMessage, AdminMessageSearchResult, ErrorResponse, HideMessageBody, HideMessageParams, MessageSearchQuery } from '@sunbae/contracts'
import { adminOnly, adminSchema, requireIdentity } from '@sunbae/service-kit'

const tags = ['admin: chat']

/** /api/admin/chat — moderation over the mirror. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/messages',
    {
      schema: adminSchema({
        tags,
        summary: 'Search messages of every room by words (hidden ones included, with their text)',
        querystring: MessageSearchQuery,
        response: { 200: AdminMessageSearchResult },
      }),
    },
    async (request) => ({ items: await app.chat.search(request.query.q, request.query.limit ?? 50) }),
  )

  app.post(
    '/rooms/:roomId/messages/:messageId/hide',
    {
      schema: adminSchema({
        tags,
        summary: 'Hide a message from the members (in Firestore and the mirror), with an audit event',
        params: HideMessageParams,
        body: HideMessageBody,
        response: { 200: AdminChatMessage, 404: ErrorResponse },
      }),
    },
    async (request) => app.chat.hide(requireIdentity(request), request.params.roomId, request.params.messageId, request.body.reason),
  )

  app.post(
    '/rooms/:roomId/messages/:messageId/unhide',
    {
      schema: adminSchema({
        tags,
        summary: 'Show a hidden message to the members again (its text back in Firestore), with a reason and an audit event',
        params: HideMessageParams,
        body: HideMessageBody,
        response: { 200: AdminChatMessage, 404: ErrorResponse },
      }),
    },
    async (request) => app.chat.unhide(requireIdentity(request), request.params.roomId, request.params.messageId, request.body.reason),
  )
}

export default routes
