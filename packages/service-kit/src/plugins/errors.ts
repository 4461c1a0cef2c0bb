import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { trace } from '@opentelemetry/api'
import type { ErrorReportV1 } from '@sunbae/contracts'
import { pgErrorCode } from '@sunbae/db'
import { isTransientError } from '@sunbae/bus'
import { AppError, type FieldError } from '../errors.ts'
import { NUMBER_KEYWORD } from '../numbers.ts'

export type ErrorSink = (report: ErrorReportV1) => void

declare module 'fastify' {
  interface FastifyInstance {
    /** Where 5xx reports go; the platform plugin points it at NATS. */
    errorSink: { send: ErrorSink }
    /**
     * Headers every response carries, including the errors answered before routing (the gateway puts
     * its security headers here). Filled at boot, read per response.
     */
    responseHeaders: Record<string, string>
  }
}

interface ValidationIssue {
  keyword?: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

/** `body/email`, `querystring/page`: where the client has to look. */
function fieldErrors(context: string | undefined, issues: readonly ValidationIssue[]): FieldError[] {
  // `1e400` in a JSON body is Infinity: Ajv's "must be number" says less than the kit's own check
  const nonFinite = new Set(issues.filter((i) => i.keyword === NUMBER_KEYWORD).map((i) => i.instancePath))
  const told = issues.filter((i) => !(i.keyword === 'type' && nonFinite.has(i.instancePath)))
  return told.map((issue) => {
    const missing = issue.params.missingProperty ?? (issue.params.requiredProperties as string[] | undefined)?.[0]
    const extra = issue.params.additionalProperty
    const path = issue.instancePath.replace(/^\//, '')
    const leaf = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : ''
    const field = [context ?? 'request', path, leaf].filter(Boolean).join('/')
    const message =
      typeof extra === 'string' ? 'is not an allowed property' : (issue.message ?? 'is invalid').replace(/^must/, 'must')
    return { field, message }
  })
}

/** Groups repeats of one bug: error name plus the top frames of the stack, no line-varying text. */
export function fingerprint(err: Error): string {
  const frames = (err.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((l) => l.trim().replace(/:\d+:\d+\)?$/, ''))
  return createHash('sha256').update([err.name, ...frames].join('|')).digest('hex').slice(0, 16)
}

/** Answers in the platform's error shape: `{ error: { code, message, details?, requestId } }`. */
export function sendError(reply: FastifyReply, request: FastifyRequest, status: number, code: string, message: string, details?: FieldError[]) {
  return reply.code(status).type('application/json; charset=utf-8').send({
    error: { code, message, ...(details?.length ? { details } : {}), requestId: String(request.id) },
  })
}

/**
 * One error handler for the whole service: client errors keep their status, code and message;
 * everything else is logged with the request, reported with its trace id and answered with a
 * generic 500 that reveals nothing.
 */
export default fp(
  async function errors(app: FastifyInstance, opts: { service: string }) {
    app.decorate('errorSink', { send: () => {} })
    app.decorate('responseHeaders', {})

    app.setErrorHandler(async (err: FastifyError | AppError, request, reply) => {
      if (err instanceof AppError) {
        if (err.headers) reply.headers(err.headers)
        return sendError(reply, request, err.statusCode, err.code, err.message, err.details)
      }
      const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string }
      if (fe.validation) {
        return sendError(reply, request, 400, 'VALIDATION_FAILED', 'The request is invalid', fieldErrors(fe.validationContext, fe.validation))
      }
      // A constraint or a value Postgres refused is the request's fault, not a crash: repositories
      // should turn the expected ones into coded AppErrors; this net keeps the rest out of the 5xx.
      const pgCode = pgErrorCode(err)
      if (pgCode?.startsWith('23')) {
        request.log.warn({ err, pgCode }, 'constraint violation reached the error handler')
        return sendError(reply, request, 409, 'CONFLICT', 'The request conflicts with the current state of the data')
      }
      if (pgCode?.startsWith('22')) {
        request.log.warn({ err, pgCode }, 'invalid value reached the error handler')
        return sendError(reply, request, 400, 'BAD_REQUEST', 'A value in the request is not valid')
      }
      // The database is away, slow or contended: the request did nothing wrong and may be retried.
      // Answered 503 with a code (never a hang past the timeout chain), logged, not reported as a bug.
      if (pgCode === '57014' || pgCode === '55P03') {
        request.log.warn({ err, pgCode }, 'database timeout')
        reply.header('retry-after', '1')
        return sendError(reply, request, 503, 'DATABASE_TIMEOUT', 'The database did not answer in time. Try again.')
      }
      if (pgCode === '40001' || pgCode === '40P01') {
        request.log.warn({ err, pgCode }, 'transaction conflict reached the error handler')
        reply.header('retry-after', '1')
        return sendError(reply, request, 503, 'TRY_AGAIN', 'The request collided with another one. Try again.')
      }
      if (isTransientError(err)) {
        request.log.warn({ err }, 'a dependency is unavailable')
        reply.header('retry-after', '5')
        return sendError(reply, request, 503, 'SERVICE_UNAVAILABLE', 'A system this service needs is unavailable. Try again shortly.')
      }
      const status = fe.statusCode ?? 500
      if (status >= 400 && status < 500) {
        // Fastify's own client errors (bad JSON, wrong content type, body too large, 429 …)
        request.log.info({ err }, 'client error')
        const code = fe.code?.startsWith('FST_ERR_CTP_INVALID_MEDIA_TYPE')
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : fe.code?.startsWith('FST_ERR_CTP_BODY_TOO_LARGE')
            ? 'PAYLOAD_TOO_LARGE'
            : fe.code?.startsWith('FST_ERR_CTP') || fe.code === 'FST_ERR_VALIDATION'
              ? 'BAD_REQUEST'
              : status === 429
                ? 'RATE_LIMITED'
                : (fe.code ?? 'BAD_REQUEST')
        return sendError(reply, request, status, code, fe.message || 'Bad request')
      }

      request.log.error({ err, request }, 'unhandled error')
      const traceId = trace.getActiveSpan()?.spanContext().traceId ?? null
      try {
        app.errorSink.send({
          service: opts.service,
          requestId: String(request.id),
          traceId,
          route: request.routeOptions.url ?? null,
          method: request.method,
          status: status >= 500 ? status : 500,
          code: fe.code ?? 'INTERNAL',
          message: err.message,
          stack: err.stack ?? null,
          fingerprint: fingerprint(err),
          occurredAt: new Date().toISOString(),
        })
      } catch (sinkErr) {
        request.log.warn({ err: sinkErr }, 'could not report error')
      }
      return sendError(reply, request, status >= 500 ? status : 500, 'INTERNAL', 'Something went wrong on our side. Try again later.')
    })

    app.setNotFoundHandler((request, reply) =>
      sendError(reply, request, 404, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`),
    )
  },
  { name: 'sunbae-errors' },
)
