import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { RoomAccess, RoomPresenceBody, RoomRequestBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { errors, IdParams, security } from './schemas.ts'

/** /api/meetings/bookings/:id/room — a session's video room. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/:id/room',
    {
      schema: {
        tags: ['rooms'],
        summary: "Enter the session's video room (its mentee or mentor): the provider's credentials and a short-lived room token",
        description:
          '403 NOT_A_PARTY; 409 ROOM_NOT_AVAILABLE (the session is not confirmed), ROOM_CLOSED (outside MEETING_ROOM_OPENS_BEFORE_MINUTES before the start ' +
          'to MEETING_ROOM_CLOSES_AFTER_MINUTES after the end; details name opensAt and closesAt). Call again for fresh credentials before roomTokenExpiresAt.',
        security,
        params: IdParams,
        body: RoomRequestBody,
        response: { 200: RoomAccess, ...errors },
      },
    },
    async (request) => app.videoRooms.enter(requireIdentity(request), request.params.id),
  )

  app.post(
    '/:id/room/presence',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Report that your media is live in the room (joined) or that you left; records the first join and last leave',
        description: '401 ROOM_TOKEN_INVALID (expired, tampered); 403 ROOM_TOKEN_NOT_YOURS (another session or person); 409 ROOM_NOT_AVAILABLE.',
        security,
        params: IdParams,
        body: RoomPresenceBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await app.videoRooms.presence(requireIdentity(request), request.params.id, request.body)
      return reply.code(204).send(null)
    },
  )
}

export default routes
