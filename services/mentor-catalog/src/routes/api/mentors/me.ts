import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, MentorProfilePatch, MyMentorProfile } from '@sunbae/contracts'
import { actorOf, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/**
 * /api/mentors/me — the signed-in mentor's own profile. There is deliberately no id in the path:
 * the profile is found by the caller's uid, so a mentor cannot address anyone else's.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['mentors'],
        summary: 'My mentor profile, including its status',
        security,
        response: { 200: MyMentorProfile, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.mentors.getMine(requireRole(request, 'mentor').uid),
  )

  app.patch(
    '/',
    {
      schema: {
        tags: ['mentors'],
        summary: 'Edit my mentor profile (publishes catalog.mentor.updated)',
        security,
        body: MentorProfilePatch,
        response: { 200: MyMentorProfile, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const who = requireRole(request, 'mentor')
      return app.mentors.updateMine(who.uid, request.body, actorOf(who))
    },
  )
}

export default routes
