import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuthenticatePaymentBody, ConfirmPaymentBody, IdempotencyHeaders, Payment } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { IDEMPOTENCY, idempotent } from '../../../idempotency/idempotent-reply.ts'
import { errors, IdParams, security } from './schemas.ts'

/** /api/payments/:id — one payment: read it, pay it with the provider, answer its challenge, give it up. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    { schema: { tags: ['payments'], summary: 'One payment (its payer, its mentor or an admin)', security, params: IdParams, response: { 200: Payment, ...errors } } },
    async (request) => app.paymentQueries.get(requireIdentity(request), request.params.id.toLowerCase()),
  )

  app.post(
    '/:id/confirm',
    {
      schema: {
        tags: ['payments'],
        summary: 'Pay with a card token (the payer): succeeded, failed, requires_action (authenticate next) or processing',
        description:
          'Sandbox test cards: tok_success, tok_decline (card_declined), tok_insufficient_funds, tok_authenticate (requires_action), ' +
          'tok_delayed (processing until the provider settles it). 400 INVALID_CARD_TOKEN; 409 ILLEGAL_TRANSITION, HOLD_EXPIRED, ' +
          'AUTHENTICATION_REQUIRED; 502 PROVIDER_UNAVAILABLE (the provider answered with an error; the payment stays processing and is reconciled). ' +
          'A provider that does not answer within PAYMENT_PROVIDER_TIMEOUT_MS (3.5 s) answers 200 with the payment processing: poll GET /api/payments/:id.' +
          IDEMPOTENCY,
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ConfirmPaymentBody,
        response: { 200: Payment, ...errors },
      },
    },
    async (request, reply) => {
      const identity = requireIdentity(request)
      const id = request.params.id.toLowerCase()
      return idempotent(request, reply, identity.uid, { id, ...request.body }, async (attempt) => ({
        statusCode: 200,
        body: await app.paymentCommands.confirm(identity, id, request.body.cardToken, attempt),
      }))
    },
  )

  app.post(
    '/:id/authenticate',
    {
      schema: {
        tags: ['payments'],
        summary: "The payer's answer to the provider's challenge of a requires_action payment (sandbox: approve or deny)",
        description: '409 ILLEGAL_TRANSITION when the payment is not requires_action.' + IDEMPOTENCY,
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: AuthenticatePaymentBody,
        response: { 200: Payment, ...errors },
      },
    },
    async (request, reply) => {
      const identity = requireIdentity(request)
      const id = request.params.id.toLowerCase()
      return idempotent(request, reply, identity.uid, { id, ...request.body }, async (attempt) => ({
        statusCode: 200,
        body: await app.paymentCommands.authenticate(identity, id, request.body.outcome, attempt),
      }))
    },
  )

  app.post(
    '/:id/cancel',
    {
      schema: {
        tags: ['payments'],
        summary: 'Give up before paying (the payer); the booking is released',
        description: '409 ILLEGAL_TRANSITION unless requires_payment or requires_action.' + IDEMPOTENCY,
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        response: { 200: Payment, ...errors },
      },
    },
    async (request, reply) => {
      const identity = requireIdentity(request)
      const id = request.params.id.toLowerCase()
      return idempotent(request, reply, identity.uid, { id }, async (attempt) => ({ statusCode: 200, body: await app.paymentCommands.cancel(identity, id, attempt) }))
    },
  )
}

export default routes
