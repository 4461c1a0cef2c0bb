// The one HTTP client of the web app: same-origin /api (the dev server and nginx proxy it to the
// gateway), the Firebase ID token as a bearer, JSON in and out (a Blob body goes as it is, with its
// own type: a photo), and ApiError for any non-2xx.
import { currentAuth } from '../auth/firebase-loader.ts'
import { ApiError, isTokenRevoked, toApiError } from '../lib/errors.ts'

type QueryValue = string | number | boolean | readonly string[] | null | undefined
export type Query = Record<string, QueryValue>

export function queryString(query: Query | undefined): string {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) p.set(k, v.join(','))
    } else p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

async function send(method: string, path: string, body: unknown, query: Query | undefined, forceRefresh: boolean, extra?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra }
  // Firebase Auth only when the app loaded it (a session, a sign-in page): anonymous requests need none
  const user = (await currentAuth())?.currentUser
  if (user) headers.authorization = `Bearer ${await user.getIdToken(forceRefresh)}`
  if (body instanceof Blob) {
    headers['content-type'] = body.type
    return fetch(`${path}${queryString(query)}`, { method, headers, body })
  }
  if (body !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${path}${queryString(query)}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
}

async function parse(res: Response): Promise<unknown> {
  if (res.status === 204) return null
  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: { body?: unknown; query?: Query; headers?: Record<string, string> } = {}): Promise<T> {
  let res = await send(method, path, opts.body, opts.query, false, opts.headers)
  let data = await parse(res)
  if (!res.ok) {
    let err = toApiError(res.status, data)
    // A role change revokes the old tokens: get a fresh one once; if the refresh token was revoked
    // too, the session is over and the user signs in again.
    const auth = await currentAuth()
    if (isTokenRevoked(err) && auth?.currentUser) {
      try {
        res = await send(method, path, opts.body, opts.query, true, opts.headers)
        data = await parse(res)
        if (res.ok) return data as T
        err = toApiError(res.status, data)
      } catch {
        await auth.signOut()
        throw new ApiError(401, { code: 'TOKEN_REVOKED', message: '' })
      }
    }
    throw err
  }
  return data as T
}

export const get = <T>(path: string, query?: Query) => request<T>('GET', path, query ? { query } : {})
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body === undefined ? {} : { body })
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body })
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body })
export const del = <T>(path: string) => request<T>('DELETE', path)
