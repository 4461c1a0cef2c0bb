import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from 'typebox'
import { AdminEndMatchBody, AdminMatchListQuery, AdminRequestListQuery, ChatRequest, ErrorResponse, Match, REQUEST_STATES } from '@sunbae/contracts'
import { adminOnly, adminSchema, requireIdentity } from '@sunbae/service-kit'

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() })

const Stats = Type.Object({
  readModel: Type.Object({
    mentors: Type.Integer({ description: 'active mentors in this replica\'s index' }),
    stored: Type.Integer({ description: 'mentors in Postgres, suspended ones included' }),
    buildMs: Type.Union([Type.Integer(), Type.Null()]),
    followingFromSeq: Type.Union([Type.Integer(), Type.Null()]),
    lastSeq: Type.Union([Type.Integer(), Type.Null()]),
  }),
  requests: Type.Record(Type.String(), Type.Integer(), { description: `count per state: ${REQUEST_STATES.join(', ')}` }),
  activeMatches: Type.Integer(),
  expiredByThisReplica: Type.Integer(),
})

/** /api/admin/matching — what matching holds, for admins: stats, every request and match, ending a match. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/stats',
    { schema: adminSchema({ summary: 'Read model size and freshness, requests per state, active matches', response: { 200: Stats } }) },
    async () => {
      const rm = app.mentorReadModel
      const [stored, counts] = await Promise.all([rm.repository.count(), app.requests.repository.counts()])
      return {
        readModel: { ...rm.stats(), stored: stored.total },
        requests: counts.requests,
        activeMatches: counts.activeMatches,
        expiredByThisReplica: app.expiredByThisReplica(),
      }
    },
  )

  app.get(
    '/requests',
    {
      schema: adminSchema({
        summary: '1:1 chat requests by state, mentor, mentee and creation time (from inclusive, to exclusive), newest first, paged',
        querystring: AdminRequestListQuery,
        response: { 200: page(ChatRequest) },
      }),
    },
    async (request) => app.requests.adminList(request.query),
  )

  app.get(
    '/matches',
    {
      schema: adminSchema({
        summary: 'Matches by state, mentor, mentee and creation time (from inclusive, to exclusive), newest first, paged',
        querystring: AdminMatchListQuery,
        response: { 200: page(Match) },
      }),
    },
    async (request) => app.matches.adminList(request.query),
  )

  app.post(
    '/matches/:id/end',
    {
      schema: adminSchema({
        summary: "End an active match with a reason (matching.match.ended, endedBy admin, the admin as actor); frees the mentor's place; audited",
        params: IdParams,
        body: AdminEndMatchBody,
        response: { 200: Match, 404: ErrorResponse, 409: ErrorResponse },
      }),
    },
    async (request) => app.matches.adminEnd(requireIdentity(request), request.params.id.toLowerCase(), request.body.reason),
  )
}

export default routes
