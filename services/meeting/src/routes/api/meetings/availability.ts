import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Availability, AvailabilityBody } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'
import { errors, security } from './schemas.ts'

/** /api/meetings/availability — the signed-in mentor's own schedule. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '',
    { schema: { tags: ['availability'], summary: 'My availability (mentor)', security, response: { 200: Availability, ...errors } } },
    async (request) => app.availability.getOwn(requireRole(request, 'mentor')),
  )

  app.put(
    '',
    {
      schema: {
        tags: ['availability'],
        summary: 'Set my availability (mentor): zone, weekly hours, overrides, lengths, buffers, notice, horizon, daily limit, price, refund policy',
        security,
        body: AvailabilityBody,
        response: { 200: Availability, ...errors },
      },
    },
    async (request) => app.availability.put(requireRole(request, 'mentor'), request.body),
  )
}

export default routes
