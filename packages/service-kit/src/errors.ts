/** Details of a 400: which field, what is wrong with it. */
export interface FieldError {
  field: string
  message: string
}

/**
 * An error meant for the client: its status, code and message are shown as they are. Anything
 * else that reaches the error handler is a bug and becomes a generic 500.
 */
export class AppError extends Error {
  readonly statusCode: number
  readonly code: string
  readonly details: FieldError[] | undefined
  readonly headers: Record<string, string> | undefined
  constructor(
    statusCode: number,
    code: string,
    message: string,
    opts: { details?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause })
    this.name = 'AppError'
    this.statusCode = statusCode
    this.code = code
    this.details = opts.details
    this.headers = opts.headers
  }
}

export const badRequest = (message: string, details?: FieldError[]) =>
  new AppError(400, 'BAD_REQUEST', message, details ? { details } : {})
export const unauthorized = (message = 'Sign in to continue', code = 'UNAUTHENTICATED') =>
  new AppError(401, code, message)
export const forbidden = (message = 'You are not allowed to do this', code = 'FORBIDDEN') =>
  new AppError(403, code, message)
export const notFound = (message = 'Not found', code = 'NOT_FOUND') => new AppError(404, code, message)
export const conflict = (message: string, code = 'CONFLICT') => new AppError(409, code, message)
