import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ChatRequest, CreateChatRequestBody, DeclineBody, ErrorResponse, RequestListQuery } from '@sunbae/contracts'
import { requireIdentity, requireRole, requireVerified } from '@sunbae/service-kit'
import { IdParams, myListSchema, security } from './schemas.ts'
const answer = { 200: ChatRequest, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }

/** /api/matching/requests — 1:1 chat requests: the mentee's outbox, the mentor's inbox. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/',
    {
      schema: {
        tags: ['chat requests'],
        summary: 'Send a mentor a 1:1 chat request (matching.request.created)',
        description:
          'One open request per mentor; 409 REQUEST_OPEN, ALREADY_MATCHED, MENTOR_FULL (the mentor is at capacity), ' +
          'MENTOR_UNREACHABLE (an imported profile without an account); 429 DAILY_REQUEST_LIMIT. Expires unanswered after ' +
          'MATCHING_REQUEST_TTL_HOURS (48 by default). 403 EMAIL_UNVERIFIED until the sender has verified their email address.',
        security,
        body: CreateChatRequestBody,
        response: { 201: ChatRequest, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await app.requests.create(requireVerified(request), request.body)),
  )

  const listSummary = 'My requests, newest first: box=outbox (sent by me, default) or box=inbox (sent to me as a mentor)'
  app.get('/', { schema: myListSchema('chat requests', listSummary, RequestListQuery, ChatRequest) }, async (request) => {
    const { box = 'outbox', state, page = 1, pageSize = 20 } = request.query
    const identity = box === 'inbox' ? requireRole(request, 'mentor') : requireIdentity(request)
    return app.requests.list(identity, { box, ...(state ? { state } : {}), page, pageSize })
  })

  app.get(
    '/:id',
    {
      schema: { tags: ['chat requests'], summary: 'One request (its mentee or mentor only)', security, params: IdParams, response: answer },
    },
    async (request) => app.requests.get(requireIdentity(request), request.params.id),
  )

  app.post(
    '/:id/accept',
    {
      schema: {
        tags: ['chat requests'],
        summary: 'Accept (the addressed mentor): creates the match; matching.request.accepted carries both uids for chat-bridge',
        description: '409 REQUEST_NOT_PENDING / REQUEST_EXPIRED when it was already answered, cancelled or expired; 409 MENTOR_FULL at capacity.',
        security,
        params: IdParams,
        response: answer,
      },
    },
    async (request) => app.requests.accept(requireRole(request, 'mentor'), request.params.id),
  )

  app.post(
    '/:id/decline',
    {
      schema: {
        tags: ['chat requests'],
        summary: 'Decline with a reason the mentee sees (the addressed mentor)',
        security,
        params: IdParams,
        body: DeclineBody,
        response: answer,
      },
    },
    async (request) => app.requests.decline(requireRole(request, 'mentor'), request.params.id, request.body.reason),
  )

  app.post(
    '/:id/cancel',
    {
      schema: { tags: ['chat requests'], summary: 'Cancel my pending request (the mentee who sent it)', security, params: IdParams, response: answer },
    },
    async (request) => app.requests.cancel(requireIdentity(request), request.params.id),
  )
}

export default routes
