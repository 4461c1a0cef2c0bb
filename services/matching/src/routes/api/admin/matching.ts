import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, REQUEST_STATES } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

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

/** /api/admin/matching — what matching holds, for admins. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stats',
    {
      schema: {
        tags: ['admin'],
        summary: 'Read model size and freshness, requests per state, active matches',
        security,
        response: { 200: Stats, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
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
}

export default routes
