import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

/** Prometheus scrape endpoint. Keep it off the public load balancer (only /api/* belongs there). */
export default async function metricsRoute(app: FastifyInstance) {
  app.get(
    '/metrics',
    {
      config: { otel: false },
      schema: {
        tags: ['meta'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }) },
      },
    },
    async (_request, reply) => {
      const registry = app.metrics.registry
      return reply.type(registry.contentType).send(await registry.metrics())
    },
  )
}
