import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CHAT_LIMITS, ChatRoomList, ErrorResponse, MessagePage, MessagesQuery, ReadReceipt, RoomParams } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/** /api/chat/rooms — the caller's rooms and their history, read from the mirror. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['chat'],
        summary: 'My chat rooms, most recent activity first, with the last message and my unread count',
        security,
        response: { 200: ChatRoomList, 401: ErrorResponse },
      },
    },
    async (request) => ({ items: await app.chat.listRooms(requireIdentity(request).uid) }),
  )

  app.get(
    '/:id/messages',
    {
      schema: {
        tags: ['chat'],
        summary: 'Messages of a room, newest first, a page at a time (members only)',
        description: 'Pass the `nextBefore` of a page as `before` to get the page before it.',
        security,
        params: RoomParams,
        querystring: MessagesQuery,
        response: { 200: MessagePage, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) =>
      app.chat.listMessages(requireIdentity(request), request.params.id, {
        before: request.query.before,
        limit: request.query.limit ?? CHAT_LIMITS.pageDefault,
      }),
  )

  app.post(
    '/:id/read',
    {
      schema: {
        tags: ['chat'],
        summary: 'Mark every message of the room read for me (members only)',
        security,
        params: RoomParams,
        response: { 200: ReadReceipt, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.chat.markRead(requireIdentity(request), request.params.id),
  )
}

export default routes
