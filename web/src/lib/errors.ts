// The one place that turns a failed request into text for the user. It shows the server's message
// (and field details), never a stack; codes that need an action get a message of our own.
import type { Dict } from '../i18n/dict.ts'

export interface ApiErrorBody {
  code: string
  message: string
  details?: { field: string; message: string }[]
  requestId?: string
}

/** A non-2xx answer from /api, with the server's error envelope when it sent one. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: { field: string; message: string }[]
  readonly requestId: string | undefined
  constructor(status: number, body: ApiErrorBody) {
    super(body.message)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.details = body.details ?? []
    this.requestId = body.requestId
  }
}

/** Builds an ApiError from a status and whatever body came back (JSON envelope, text, nothing). */
export function toApiError(status: number, body: unknown): ApiError {
  const env = (body as { error?: Partial<ApiErrorBody> } | null)?.error
  if (env && typeof env.code === 'string' && typeof env.message === 'string') {
    const details = Array.isArray(env.details)
      ? env.details.filter((d) => d && typeof d.field === 'string' && typeof d.message === 'string')
      : undefined
    return new ApiError(status, { code: env.code, message: env.message, ...(details ? { details } : {}), ...(typeof env.requestId === 'string' ? { requestId: env.requestId } : {}) })
  }
  return new ApiError(status, { code: status >= 500 ? 'UPSTREAM_FAILED' : 'HTTP_ERROR', message: '' })
}

type Texts = Pick<Dict, 'errNetwork' | 'errSignIn' | 'errForbidden' | 'errRateLimited' | 'errServer' | 'errUnknown' | 'errRequestId'>

/** Firebase Auth error codes we explain ourselves (its messages are English-only and technical). */
const AUTH_CODES: Record<string, keyof Dict> = {
  'auth/invalid-credential': 'authInvalidCredential',
  'auth/wrong-password': 'authInvalidCredential',
  'auth/user-not-found': 'authInvalidCredential',
  'auth/invalid-email': 'authInvalidEmail',
  'auth/email-already-in-use': 'authEmailInUse',
  'auth/weak-password': 'authWeakPassword',
  'auth/too-many-requests': 'errRateLimited',
  'auth/network-request-failed': 'errNetwork',
  'auth/expired-action-code': 'actionInvalid',
  'auth/invalid-action-code': 'actionInvalid',
}

export interface ErrorText {
  /** one line for a toast or an alert title */
  title: string
  /** field-level details from the server, "field: message" */
  details: string[]
  requestId?: string
}

/** The text to show for any thrown value. Never includes a stack trace. */
export function describeError(err: unknown, t: Texts & Partial<Dict>): ErrorText {
  if (err instanceof ApiError) {
    const details = err.details.map((d) => `${d.field.replace(/^body\//, '')}: ${d.message}`)
    const ref = err.requestId ? { requestId: err.requestId } : {}
    if (err.status === 401) return { title: err.message || t.errSignIn, details, ...ref }
    if (isEmailUnverified(err)) return { title: t.verifyRequired ?? err.message, details, ...ref }
    if (err.status === 403) return { title: err.message || t.errForbidden, details, ...ref }
    if (err.status === 429) return { title: t.errRateLimited, details, ...ref }
    if (err.message) return { title: err.message, details, ...ref }
    return { title: err.status >= 500 ? t.errServer : t.errUnknown, details, ...ref }
  }
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code in AUTH_CODES) {
    const key = AUTH_CODES[code]!
    const text = t[key]
    return { title: typeof text === 'string' ? text : t.errUnknown, details: [] }
  }
  if (err instanceof TypeError) return { title: t.errNetwork, details: [] }
  return { title: t.errUnknown, details: [] }
}

/** One string: title, details, and the request id to quote to support. */
export function errorMessage(err: unknown, t: Texts & Partial<Dict>): string {
  const e = describeError(err, t)
  const parts = [e.title, ...e.details]
  if (e.requestId) parts.push(`${t.errRequestId}: ${e.requestId}`)
  return parts.join(' · ')
}

/** Whether the session must refresh its token (role changed) rather than show an error. */
export function isTokenRevoked(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401 && err.code === 'TOKEN_REVOKED'
}

/** The server's 403 for an action that needs a verified email address (a 1:1 request, paying): show VerifyRequired. */
export function isEmailUnverified(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403 && err.code === 'EMAIL_UNVERIFIED'
}
