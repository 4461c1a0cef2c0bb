import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
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

  app.delete(
    '/',
    {
      schema: {
        tags: ['account'],
        summary: 'Delete my account (PIPA / GDPR)',
        description: [
          'Requires `{ "confirm": "DELETE" }`. In one transaction the catalog erases what it holds: the account',
          'becomes a tombstone (no email, name or photo; the uid stays so an old token cannot recreate it: PUT and',
          'GET /api/me answer 410 ACCOUNT_DELETED), a mentor profile is unlisted and blanked, applications are',
          "removed, reviews the user wrote lose the author's name (ratings stay). `catalog.user.deleted` then tells",
          'every service to erase or anonymise what it holds; payments and the ledger are kept, as the law',
          "requires, with the person's uid pseudonymised. The Firebase account is deleted (retried until done).",
          "Upcoming sessions are not a reason to refuse: meeting cancels the user's held and confirmed future",
          "sessions with a full refund to the mentee (the other party is told, as for any cancellation), as a",
          'platform must honour an erasure request without delay. The gateway refuses the account\'s tokens at once.',
        ].join(' '),
        security,
        body: Type.Object({ confirm: Type.Literal('DELETE', { description: 'typed by the user to confirm' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ deletedAt: Type.String({ format: 'date-time' }) }),
          400: ErrorResponse,
          401: ErrorResponse,
        },
      },
    },
    async (request) => app.accountDeletion.deleteOwn(requireIdentity(request)),
  )
}

export default routes
