import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse } from '@sunbae/contracts'
import { FaultsRepository } from '../../faults/faults.repository.ts'

/**
 * Test-only faults (TRACKING_TEST_ROUTES=true, refused in production): a real unhandled error and a
 * real slow query, so the journey tests see the platform's own error and slow-query reports come
 * back through NATS into tracking, exactly as a production fault would.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  const faults = new FaultsRepository(app.db)
  app.get(
    '/fail',
    {
      schema: {
        tags: ['test'],
        summary: 'Throws: a 5xx reported on telemetry.error (test builds only)',
        querystring: Type.Object({ marker: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 500: ErrorResponse },
      },
    },
    async (request) => {
      // the message quotes a secret-looking value, as careless code does: the client must see
      // neither it nor the stack; the stored report must have it scrubbed
      throw new Error(`test fault ${request.query.marker ?? ''} password=hunter2`)
    },
  )

  app.get(
    '/slow',
    {
      schema: {
        tags: ['test'],
        summary: 'Runs pg_sleep: a query slower than SLOW_QUERY_MS (test builds only)',
        querystring: Type.Object({ ms: Type.Integer({ minimum: 1, maximum: 5_000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ sleptMs: Type.Integer() }) },
      },
    },
    async (request) => {
      await faults.sleep(request.query.ms)
      return { sleptMs: request.query.ms }
    },
  )
}

export default routes
