import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, HiddenMentor, HideMentorBody, RecommendationsQuery, RecommendationsResponse } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/** /api/matching/recommendations — "mentors matched with me", each with the reasons why. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['matching'],
        summary: 'The best mentors for me, each with a score and the reasons that make it up',
        description:
          'Leaves out mentors I hid, have an open request or an active match with, and mentors who are full; ' +
          'mentors without a language I speak are left out when I named languages. The score is the sum of the reasons\' points; ' +
          'the order also spreads out identical headlines and companies.',
        security,
        querystring: RecommendationsQuery,
        response: { 200: RecommendationsResponse, 400: ErrorResponse, 401: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request) => app.recommendations.forMentee(requireIdentity(request).uid, request.query.limit ?? 10),
  )

  app.get(
    '/hidden',
    {
      schema: {
        tags: ['matching'],
        summary: 'Mentors I asked not to be recommended again',
        security,
        response: { 200: Type.Array(HiddenMentor), 401: ErrorResponse },
      },
    },
    async (request) => app.preferences.listHidden(requireIdentity(request).uid),
  )

  app.post(
    '/hidden',
    {
      schema: {
        tags: ['matching'],
        summary: 'Do not recommend this mentor to me again',
        security,
        body: HideMentorBody,
        response: { 201: HiddenMentor, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await app.preferences.hide(requireIdentity(request).uid, request.body.mentorId.toLowerCase())),
  )

  app.delete(
    '/hidden/:mentorId',
    {
      schema: {
        tags: ['matching'],
        summary: 'Recommend this mentor again',
        security,
        params: Type.Object({ mentorId: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      await app.preferences.unhide(requireIdentity(request).uid, request.params.mentorId.toLowerCase())
      return reply.code(204).send(null)
    },
  )
}

export default routes
