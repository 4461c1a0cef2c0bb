import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static, TObject } from 'typebox'
import { AuthenticatePaymentBody, ConfirmPaymentBody, IdempotencyHeaders, Payment, type Identity } from '@sunbae/contracts'
import { requireIdentity, requireVerified } from '@sunbae/service-kit'
import type { Attempt } from '../../../idempotency/idempotency.service.ts'
import { IDEMPOTENCY, idempotent } from '../../../idempotency/idempotent-reply.ts'
import { errors, IdParams, security } from './schemas.ts'

/** /api/payments/:id — one payment: read it, pay it with the provider, answer its challenge, give it up. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    { schema: { tags: ['payments'], summary: 'One payment (its payer, its mentor or an admin)', security, params: IdParams, response: { 200: Payment, ...errors } } },
    async (request) => app.paymentQueries.get(requireIdentity(request), request.params.id.toLowerCase()),
  )

  /**
   * A payer's command on one payment (POST /:id/<verb>): run under its Idempotency-Key, with the id
   * and the body as the key's parameters, answering the payment.
   */
  function command<B extends TObject | undefined = undefined>(
    verb: string,
    doc: { summary: string; description: string; body?: B; /** paying: only with a verified email address (403 EMAIL_UNVERIFIED) */ pays?: boolean },
    run: (identity: Identity, id: string, body: B extends TObject ? Static<B> : undefined, attempt: Attempt) => Promise<Payment>,
  ) {
    app.post(
      `/:id/${verb}`,
      {
        schema: {
          tags: ['payments'],
          summary: doc.summary,
          description: doc.description + (doc.pays ? ' 403 EMAIL_UNVERIFIED until the payer has verified their email address.' : '') + IDEMPOTENCY,
          security,
          headers: IdempotencyHeaders,
          params: IdParams,
          ...(doc.body ? { body: doc.body } : {}),
          response: { 200: Payment, ...errors },
        },
      },
      async (request, reply) => {
        // before the idempotency key is taken: the refusal is not a stored answer
        const identity = doc.pays ? requireVerified(request) : requireIdentity(request)
        const id = request.params.id.toLowerCase()
        const body = request.body as B extends TObject ? Static<B> : undefined
        return idempotent(request, reply, identity.uid, { id, ...body }, async (attempt) => ({ statusCode: 200, body: await run(identity, id, body, attempt) }))
      },
    )
  }

  command(
    'confirm',
    {
      summary: 'Pay with a card token (the payer): succeeded, failed, requires_action (authenticate next) or processing',
      description:
        'Sandbox test cards: tok_success, tok_decline (card_declined), tok_insufficient_funds, tok_authenticate (requires_action), ' +
        'tok_delayed (processing until the provider settles it). 400 INVALID_CARD_TOKEN; 409 ILLEGAL_TRANSITION, HOLD_EXPIRED, ' +
        'AUTHENTICATION_REQUIRED; 502 PROVIDER_UNAVAILABLE (the provider answered with an error; the payment stays processing and is reconciled). ' +
        'A provider that does not answer within PAYMENT_PROVIDER_TIMEOUT_MS (3.5 s) answers 200 with the payment processing: poll GET /api/payments/:id.',
      body: ConfirmPaymentBody,
      pays: true,
    },
    (identity, id, body, attempt) => app.paymentCommands.confirm(identity, id, body.cardToken, attempt),
  )

  command(
    'authenticate',
    {
      summary: "The payer's answer to the provider's challenge of a requires_action payment (sandbox: approve or deny)",
      description: '409 ILLEGAL_TRANSITION when the payment is not requires_action.',
      body: AuthenticatePaymentBody,
      pays: true,
    },
    (identity, id, body, attempt) => app.paymentCommands.authenticate(identity, id, body.outcome, attempt),
  )

  command(
    'cancel',
    {
      summary: 'Give up before paying (the payer); the booking is released',
      description: '409 ILLEGAL_TRANSITION unless requires_payment or requires_action.',
    },
    (identity, id, _body, attempt) => app.paymentCommands.cancel(identity, id, attempt),
  )
}

export default routes
