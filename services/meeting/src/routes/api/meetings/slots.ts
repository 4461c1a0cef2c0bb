import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, SlotsQuery, SlotsResponse } from '@sunbae/contracts'

const MentorParams = Type.Object({ mentorId: Type.String({ format: 'uuid' }) })

/** /api/meetings/mentors/:mentorId/slots — a mentor's free slots (public). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:mentorId/slots',
    {
      schema: {
        tags: ['slots'],
        summary: "A mentor's free slots in [from, to), in UTC and the viewer's zone (public)",
        description: 'Weekly hours and date overrides in the mentor\'s zone, minus notice, horizon, buffers, daily limit and active bookings. At most 62 days per query.',
        params: MentorParams,
        querystring: SlotsQuery,
        response: { 200: SlotsResponse, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.availability.slots(request.params.mentorId.toLowerCase(), request.query),
  )
}

export default routes
