import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, MentorApplication, MentorApplicationBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/** /api/mentors/applications — becoming a mentor. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: ['mentor applications'],
        summary: 'Apply to become a mentor',
        description: 'One pending application at a time; mentors edit their profile instead (PATCH /api/mentors/me).',
        security,
        body: MentorApplicationBody,
        response: { 201: MentorApplication, 400: ErrorResponse, 401: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await app.applications.submit(requireIdentity(request), request.body)),
  )

  app.get(
    '/me',
    {
      schema: {
        tags: ['mentor applications'],
        summary: 'My applications, newest first (with the reason of a rejection)',
        security,
        response: { 200: Type.Array(MentorApplication), 401: ErrorResponse },
      },
    },
    async (request) => app.applications.listMine(requireIdentity(request).uid),
  )
}

export default routes
