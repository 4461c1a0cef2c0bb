/**
 * Thrown (or used as a `cause`) by a handler whose failure is about a system it depends on, not about
 * the event: retried with capped back-off for as long as it takes, never dead-lettered.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TransientError'
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'])
/** nats.js: the connection is closed, draining or lost, a request timed out, nobody answered (yet) */
const NATS_ERRORS = new Set(['ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError', 'TimeoutError', 'NoResponders', 'NoRespondersError', 'RequestError'])
/** gRPC (Firestore): DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE */
const GRPC_TRANSIENT = new Set([4, 8, 10, 14])

/**
 * Failures that are about the infrastructure, not the data: a `TransientError`; network errors;
 * Postgres' connection (08), transaction-rollback (40: serialization, deadlock), resource (53),
 * operator-intervention (57: shutdown, statement timeout) and system (58) classes, and lock_timeout
 * (55P03); pg's and pg-pool's own connect timeouts and lost connections; nats.js connection and
 * timeout errors; Firestore's retryable gRPC codes. Anything else — a constraint violation, bad
 * input, a broken invariant — fails on its own and retrying will not fix it. The `cause` chain counts.
 */
export function isTransientError(err: unknown, seen = new Set<unknown>()): boolean {
  if (err === null || typeof err !== 'object' || seen.has(err)) return false
  seen.add(err)
  if (err instanceof TransientError) return true
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  if (e.cause !== undefined && isTransientError(e.cause, seen)) return true
  // AggregateError (a connect that tried several addresses)
  if (Array.isArray(e.errors) && e.errors.some((x) => isTransientError(x, seen))) return true
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code)) return true
    if (/^(08|40|53|57|58)[0-9A-Z]{3}$/.test(e.code) || e.code === '55P03') return true
  }
  if (typeof e.code === 'number' && GRPC_TRANSIENT.has(e.code) && 'details' in e) return true
  if (typeof e.name === 'string' && NATS_ERRORS.has(e.name)) return true
  return (
    typeof e.message === 'string' &&
    /timeout expired|timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|pool is (ended|closed)|Cannot use a pool after calling end/i.test(e.message)
  )
}
