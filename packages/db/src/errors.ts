import { DatabaseError } from 'pg'

/** SQLSTATE codes the services branch on. https://www.postgresql.org/docs/15/errcodes-appendix.html */
export const PgErrorCode = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  notNullViolation: '23502',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  insufficientPrivilege: '42501',
  undefinedTable: '42P01',
  queryCanceled: '57014',
  invalidCatalogName: '3D000',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
} as const

export function pgErrorCode(err: unknown): string | undefined {
  return err instanceof DatabaseError ? err.code : undefined
}

export const isUniqueViolation = (err: unknown) => pgErrorCode(err) === PgErrorCode.uniqueViolation
export const isForeignKeyViolation = (err: unknown) => pgErrorCode(err) === PgErrorCode.foreignKeyViolation
/** Worth retrying the whole transaction. */
export const isSerializationFailure = (err: unknown) =>
  pgErrorCode(err) === PgErrorCode.serializationFailure || pgErrorCode(err) === PgErrorCode.deadlockDetected

/** Name of the violated constraint, to map a unique violation to the field that clashed. */
export function violatedConstraint(err: unknown): string | undefined {
  return err instanceof DatabaseError ? err.constraint : undefined
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'])

/** The server could not be reached at all (as opposed to refusing us or failing a query). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof Error && err.cause !== undefined && isConnectionError(err.cause)) return true
  if (err instanceof AggregateError) return err.errors.some(isConnectionError) || NETWORK_CODES.has((err as NodeJS.ErrnoException).code ?? '')
  const e = err as { code?: unknown; message?: unknown } | null
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return true
  // pg reports its own connect timeout and a server vanishing mid-handshake only by message.
  return typeof e?.message === 'string' && /timeout expired|Connection terminated unexpectedly/i.test(e.message)
}
