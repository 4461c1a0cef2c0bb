import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminPaymentListQuery, AdminRefundBody, AdminRefundHeaders, Payment, PaymentList } from '@sunbae/contracts'
import { adminOnly, adminSchema, requireIdentity } from '@sunbae/service-kit'
import { idempotent } from '../../../idempotency/idempotent-reply.ts'
import { errors, IdParams } from '../payments/schemas.ts'

/** /api/admin/payments — every payment, newest first, and refunds on an admin's word (admins). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/',
    { schema: adminSchema({ summary: 'Payments, newest first, by state or booking (admin)', querystring: AdminPaymentListQuery, response: { 200: PaymentList } }) },
    async (request) => app.paymentQueries.adminList(request.query),
  )

  app.post(
    '/:id/refunds',
    {
      schema: adminSchema({
        summary: 'Refund a paid payment in full or in part, with a reason (admin); audited',
        description:
          'Queues a refund of `amount` (everything not yet refunded when omitted) that runs through the provider: the payment becomes ' +
          'partially_refunded or refunded and the ledger is booked when it has run. The answer is the payment with the refund pending. ' +
          'The Idempotency-Key header is required: a retry with the same key answers the first response and never refunds twice; ' +
          'the same key with another amount or reason is 422 IDEMPOTENCY_KEY_REUSED. 409 NOT_REFUNDABLE (the payment holds no money), ' +
          'NOTHING_TO_REFUND, REFUND_EXCEEDS_BALANCE (more than is left once refunded and queued refunds count).',
        headers: AdminRefundHeaders,
        params: IdParams,
        body: AdminRefundBody,
        response: { 200: Payment, ...errors },
      }),
    },
    async (request, reply) => {
      const admin = requireIdentity(request)
      const id = request.params.id.toLowerCase()
      const key = request.headers['idempotency-key']
      return idempotent(request, reply, admin.uid, { id, ...request.body }, async () => ({
        statusCode: 200,
        body: await app.paymentCommands.adminRefund(admin, id, request.body, key),
      }))
    },
  )
}

export default routes
