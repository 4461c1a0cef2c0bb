import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EndMatchBody, ErrorResponse, Match, MatchListQuery } from '@sunbae/contracts'
import { requireIdentity, requireRole } from '@sunbae/service-kit'
import { IdParams, myListSchema, security } from './schemas.ts'

/** /api/matching/matches — mentors matched with me (mentee) and my mentees (mentor). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { schema: myListSchema('matches', 'as=mentee (default): mentors matched with me; as=mentor: my mentees. Newest first.', MatchListQuery, Match) }, async (request) => {
    const { as = 'mentee', state, page = 1, pageSize = 20 } = request.query
    const identity = as === 'mentor' ? requireRole(request, 'mentor') : requireIdentity(request)
    return app.matches.list(identity, { as, ...(state ? { state } : {}), page, pageSize })
  })

  app.get(
    '/:id',
    {
      schema: {
        tags: ['matches'],
        summary: 'One match (its mentor or mentee only)',
        security,
        params: IdParams,
        response: { 200: Match, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => app.matches.get(requireIdentity(request), request.params.id),
  )

  app.post(
    '/:id/end',
    {
      schema: {
        tags: ['matches'],
        summary: 'End a match (either side; matching.match.ended); frees a place of the mentor',
        security,
        params: IdParams,
        body: EndMatchBody,
        response: { 200: Match, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
      // the body (a reason) is optional: no body at all reads as {}
      preValidation: async (request) => {
        request.body ??= {}
      },
    },
    async (request) => app.matches.end(requireIdentity(request), request.params.id, request.body.reason?.trim() ?? null),
  )
}

export default routes
