import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Attempt } from './idempotency.service.ts'

/** The POST descriptions' sentence about Idempotency-Key (the OpenAPI document shows it on each). */
export const IDEMPOTENCY =
  ' Send an `Idempotency-Key` header to make retries safe: a retry answers the first response (header `idempotent-replayed: true`) ' +
  'for 24 h; the same key with other parameters is 422 IDEMPOTENCY_KEY_REUSED; a retry while the first is running waits for it ' +
  '(PAYMENT_IDEMPOTENCY_WAIT_MS, 5 s), then answers 409 IDEMPOTENCY_KEY_IN_USE. A retry after the first died mid-way (a crash) ' +
  'answers the payment as it is now.'

/** Runs a POST under its Idempotency-Key (if any) and answers — or replays — its response. */
export async function idempotent(
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
