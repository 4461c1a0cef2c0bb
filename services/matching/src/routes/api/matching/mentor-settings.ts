import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, MentorSettings, MentorSettingsBody } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const denied = { 401: ErrorResponse, 403: ErrorResponse }

/** /api/matching/mentor-settings — the signed-in mentor's capacity and weekly time windows. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['mentor settings'],
        summary: 'My capacity (maximum active mentees), active mentees, and weekly time windows',
        security,
        response: { 200: MentorSettings, ...denied },
      },
    },
    async (request) => app.mentorSettings.get(requireRole(request, 'mentor')),
  )

  app.put(
    '/',
    {
      schema: {
        tags: ['mentor settings'],
        summary: 'Set my capacity (omitted: no limit) and time windows; when full, new requests are refused with 409 MENTOR_FULL',
        security,
        body: MentorSettingsBody,
        response: { 200: MentorSettings, 400: ErrorResponse, ...denied },
      },
    },
    async (request) => app.mentorSettings.put(requireRole(request, 'mentor'), request.body),
  )
}

export default routes
