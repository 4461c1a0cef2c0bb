import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreatePaymentBody, IdempotencyHeaders, Payment, PaymentList, PaymentListQuery } from '@sunbae/contracts'
import { requireIdentity, requireVerified } from '@sunbae/service-kit'
import { IDEMPOTENCY, idempotent } from '../../../idempotency/idempotent-reply.ts'
import { errors, security } from './schemas.ts'

/** /api/payments — the payment of my held booking, and my payments. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: ['payments'],
        summary: 'The payment of my held booking (created if it does not exist yet) through the provider named; the amount is the booking price',
        description:
          "201 created, 200 it already existed. provider: one of GET /api/payments/providers taking the booking's currency (default the first that does); " +
          'a payment not started yet (requires_payment) moves to it, one already started answers 409 ILLEGAL_TRANSITION; 400 PROVIDER_NOT_ENABLED; ' +
          '400 CURRENCY_NOT_SUPPORTED (the provider named does not take the currency, or, creating one, none does), before anything changes. ' +
          '404 BOOKING_NOT_FOUND (not known yet), 403 NOT_YOUR_BOOKING, ' +
          '403 EMAIL_UNVERIFIED (the payer has not verified their email address), 409 BOOKING_NOT_HELD.' + IDEMPOTENCY,
        security,
        headers: IdempotencyHeaders,
        body: CreatePaymentBody,
        response: { 200: Payment, 201: Payment, ...errors },
      },
    },
    async (request, reply) => {
      // checked before the idempotency key is taken: the refusal is not a stored answer, and the same key pays once verified
      const identity = requireVerified(request)
      return idempotent(request, reply, identity.uid, request.body, async () => {
        const { created, payment } = await app.paymentCommands.createForBooking(identity, request.body.bookingId.toLowerCase(), request.body.provider)
        return { statusCode: created ? 201 : 200, body: payment }
      })
    },
  )

  app.get(
    '/mine',
    { schema: { tags: ['payments'], summary: 'My payments as a mentee, newest first', security, querystring: PaymentListQuery, response: { 200: PaymentList, ...errors } } },
    async (request) => app.paymentQueries.mine(requireIdentity(request), request.query.limit ?? 50),
  )
}

export default routes
