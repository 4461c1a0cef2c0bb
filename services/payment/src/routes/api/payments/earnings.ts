import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Earnings } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'
import { errors, security } from './schemas.ts'

/** /api/payments/earnings — a mentor's earnings, from the ledger. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/earnings',
    {
      schema: {
        tags: ['payments'],
        summary: 'My earnings as a mentor, from the ledger: gross, platform fee, refunds and net per payment, and totals',
        security,
        response: { 200: Earnings, ...errors },
      },
    },
    async (request) => app.paymentQueries.earnings(requireRole(request, 'mentor')),
  )
}

export default routes
