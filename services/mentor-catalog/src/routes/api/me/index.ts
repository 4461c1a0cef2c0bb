import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, Me, PutMeBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['account'],
        summary: 'The signed-in user as mirrored in Sunbae',
        security,
        response: { 200: Me, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.users.get(requireIdentity(request).uid),
  )

  app.put(
    '/',
    {
      schema: {
        tags: ['account'],
        summary: 'Create or refresh the mirror of the signed-in Firebase account',
        description:
          'uid, email and the initial role come from the verified token; the body may set how the name and photo are shown.',
        security,
        body: PutMeBody,
        response: { 200: Me, 201: Me, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { me, created } = await app.users.sync(requireIdentity(request), request.body)
      return reply.code(created ? 201 : 200).send(me)
    },
  )
}

export default routes
