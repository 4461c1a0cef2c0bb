import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { isSpanContextValid, trace } from '@opentelemetry/api'
import { getDeadLetter, listDeadLetters, redriveDeadLetters } from '@sunbae/bus'
import { DeadLetterDetail, DeadLettersPage, DeadLettersQuery, ErrorResponse, RedriveBody, RedriveResult } from '@sunbae/contracts'
import { AppError, notFound, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const refused = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }
const tags = ['admin', 'dead letters']

/**
 * /api/admin/dead-letters — the messages consumers gave up on (the DEADLETTER stream): list, look
 * at one, publish them again once the cause is fixed. The same as `npm run dlq`; tracking serves it
 * as the platform's operations data. Admin only (the gateway checks too).
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', async (request) => requireRole(request, 'admin'))

  app.get(
    '/',
    { schema: { tags, security, summary: 'Dead letters, oldest first, filtered by consumer and original subject', querystring: DeadLettersQuery, response: { 200: DeadLettersPage, ...refused } } },
    async (request) => {
      const q = request.query
      return listDeadLetters(app.bus, {
        limit: q.limit,
        ...(q.durable ? { durable: q.durable } : {}),
        ...(q.subject ? { subject: q.subject } : {}),
        ...(q.afterSeq !== undefined ? { afterSeq: q.afterSeq } : {}),
      })
    },
  )

  app.get(
    '/:seq',
    {
      schema: {
        tags,
        security,
        summary: 'One dead letter with the event, the error and its stack',
        params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: DeadLetterDetail, 404: ErrorResponse, ...refused },
      },
    },
    async (request) => {
      const found = await getDeadLetter(app.bus, request.params.seq)
      if (!found) throw notFound('No such dead letter', 'DEAD_LETTER_NOT_FOUND')
      return found
    },
  )

  app.post(
    '/redrive',
    {
      schema: {
        tags,
        security,
        summary: 'Publish dead letters again on their original subject (fix the cause first); they leave the stream',
        description:
          'The consumer that gave up handles the event again; the others skip it by their processed-event marks. A payload that was not an event is skipped, with the reason. ' +
          "The admin, the reason and the outcome go to the audit trail (type tracking.dead_letters.redriven).",
        body: RedriveBody,
        response: { 200: RedriveResult, ...refused },
      },
    },
    async (request) => {
      const b = request.body
      const admin = requireRole(request, 'admin')
      if (!b.seqs?.length && !b.durable && !b.subject) throw new AppError(400, 'VALIDATION_FAILED', 'Say which dead letters: seqs, durable or subject', { details: [{ field: 'body', message: 'needs seqs, durable or subject' }] })
      request.log.info({ redrive: b, by: admin.uid }, 'dead letters redriven')
      const asked = { ...(b.seqs ? { seqs: b.seqs } : {}), ...(b.durable ? { durable: b.durable } : {}), ...(b.subject ? { subject: b.subject } : {}) }
      const result = await redriveDeadLetters(app.bus, asked)
      const span = trace.getActiveSpan()?.spanContext()
      await app.tracking.auditRedrive({ uid: admin.uid, role: admin.role, traceId: span && isSpanContextValid(span) ? span.traceId : null }, asked, b.reason, result)
      return result
    },
  )
}

export default routes
