import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, TrendingKeywords, TrendingQuery } from '@sunbae/contracts'

/** /api/tracking/keywords — public: the home page's trending searches (last 24 hours). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/trending',
    {
      schema: {
        tags: ['tracking'],
        summary: 'Most searched terms of the last 24 hours, with their trend',
        querystring: TrendingQuery,
        response: { 200: TrendingKeywords, 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      // the same answer for everyone: let browsers and proxies keep it for a minute
      reply.header('cache-control', 'public, max-age=60')
      return app.tracking.trending(request.query.limit ?? 10)
    },
  )
}

export default routes
