import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, MentorPage, PageQuery, Paged, Review, ReviewBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/** /api/mentors/:id — the public mentor page and its reviews. (The list, GET /api/mentors, is search's.) */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    {
      schema: {
        tags: ['mentors'],
        summary: 'A mentor: profile, rating, review count and the most recent reviews',
        description: 'Unknown and suspended mentors are 404; an id that is not a UUID is 400.',
        params: IdParams,
        response: { 200: MentorPage, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.reviews.mentorPage(request.params.id),
  )

  app.get(
    '/:id/reviews',
    {
      schema: {
        tags: ['reviews'],
        summary: "A mentor's reviews, newest first",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Paged(Review), 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.reviews.list(request.params.id, { page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  )

  app.post(
    '/:id/reviews',
    {
      schema: {
        tags: ['reviews'],
        summary: 'Review a mentor after a completed session (one review per session)',
        security: [{ gatewayIdentity: [] }],
        params: IdParams,
        body: ReviewBody,
        response: { 201: Review, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await app.reviews.create(request.params.id, requireIdentity(request), request.body)),
  )
}

export default routes
