import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  AuthenticatePaymentBody,
  ConfirmPaymentBody,
  CreatePaymentBody,
  Earnings,
  ErrorResponse,
  IdempotencyHeaders,
  Payment,
  PaymentList,
  PaymentListQuery,
} from '@sunbae/contracts'
import { requireIdentity, requireRole } from '@sunbae/service-kit'
import type { Attempt } from '../idempotency/idempotency.service.ts'

const security = [{ gatewayIdentity: [] }]
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse, 502: ErrorResponse }
const IDEMPOTENCY =
  ' Send an `Idempotency-Key` header to make retries safe: a retry answers the first response (header `idempotent-replayed: true`) ' +
  'for 24 h; the same key with other parameters is 422 IDEMPOTENCY_KEY_REUSED; a retry while the first is running waits for it ' +
  '(PAYMENT_IDEMPOTENCY_WAIT_MS, 5 s), then answers 409 IDEMPOTENCY_KEY_IN_USE. A retry after the first died mid-way (a crash) ' +
  'answers the payment as it is now.'

/** Runs a POST under its Idempotency-Key (if any) and answers — or replays — its response. */
async function idempotent(
  request: FastifyRequest,
  reply: FastifyReply,
  owner: string,
  params: unknown,
  handler: (attempt: Attempt) => Promise<{ statusCode: number; body: unknown }>,
): Promise<FastifyReply> {
  const header = request.headers['idempotency-key']
  const r = await request.server.idempotency.run(
    { owner, key: typeof header === 'string' ? header : undefined, method: request.method, route: request.routeOptions.url ?? request.url, params },
    handler,
  )
  if (r.replayed) reply.header('idempotent-replayed', 'true')
  const body = r.statusCode >= 400 ? { error: { ...(r.body as { error: object }).error, requestId: request.id } } : r.body
  return reply.code(r.statusCode).send(body)
}

/** /api/payments — pay for a held booking with the provider, see my payments and earnings. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: ['payments'],
        summary: 'The payment of my held booking (created if it does not exist yet); the amount is the booking price',
        description: '201 created, 200 it already existed. 404 BOOKING_NOT_FOUND (not known yet), 403 NOT_YOUR_BOOKING, 409 BOOKING_NOT_HELD.' + IDEMPOTENCY,
        security,
        headers: IdempotencyHeaders,
        body: CreatePaymentBody,
        response: { 200: Payment, 201: Payment, ...errors },
      },
    },
    async (request, reply) => {
      const identity = requireIdentity(request)
      return idempotent(request, reply, identity.uid, request.body, async () => {
        const { created, payment } = await app.payments.createForBooking(identity, request.body.bookingId.toLowerCase())
        return { statusCode: created ? 201 : 200, body: payment }
      })
    },
  )

  app.get(
    '/mine',
    { schema: { tags: ['payments'], summary: 'My payments as a mentee, newest first', security, querystring: PaymentListQuery, response: { 200: PaymentList, ...errors } } },
    async (request) => app.payments.mine(requireIdentity(request), request.query.limit ?? 50),
  )

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
    async (request) => app.payments.earnings(requireRole(request, 'mentor')),
  )

  app.get(
    '/:id',
    { schema: { tags: ['payments'], summary: 'One payment (its payer, its mentor or an admin)', security, params: IdParams, response: { 200: Payment, ...errors } } },
    async (request) => app.payments.get(requireIdentity(request), request.params.id.toLowerCase()),
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
        body: await app.payments.confirm(identity, id, request.body.cardToken, attempt),
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
        body: await app.payments.authenticate(identity, id, request.body.outcome, attempt),
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
      return idempotent(request, reply, identity.uid, { id }, async (attempt) => ({ statusCode: 200, body: await app.payments.cancel(identity, id, attempt) }))
    },
  )
}

export default routes
