import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError } from '@sunbae/service-kit'
import type { Histogram } from 'prom-client'
import type { AuthenticatedCaller } from '../../lib/authenticator.ts'
import { clientAddress, type ClientAddress } from '../../lib/client-ip.ts'
import { createRequire } from 'node:module'
import type { FastifyRateLimitStore } from '@fastify/rate-limit'
import { BODY_KEEP_MAX } from './access-log.ts'
import { traceIdOf } from './tracing.ts'

/** What the gateway learns about a request on its way through; read by the proxy and the access log. */
export interface ProxyRouteRuntime {
  prefix: string
  service: string
  duration: ReturnType<Histogram<'route'>['labels']>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** who called, when a valid ID token came with the request */
    caller: AuthenticatedCaller | null
    /** client address (Fastify's trustProxy, see lib/client-ip.ts); null for probes, which skip the edge */
    client: ClientAddress | null
    /** the proxy prefix that matched; null for the gateway's own routes and 404s */
    proxyRoute: ProxyRouteRuntime | null
    /** the error code the client got (ours or the service's), for the access log */
    errorCode: string | null
    /** a service's JSON error body as received (small ones only), for the access log */
    errorBody: Buffer | null
  }
  interface FastifyInstance {
    limits: { ip: Limiter | null; user: Limiter | null }
  }
}

export interface EdgeOptions {
  rateLimit: { windowMs: number; ipMax: number; userMax: number; maxKeys: number }
  accessLog: boolean
}

/** One limit: counts a request of `key` and returns null while within it, else the seconds until its window ends. */
export type Limiter = (key: string) => number | null

// @fastify/rate-limit's in-memory store (a toad-cache LRU of windows), a CommonJS file the package
// ships without types of its own (the store interface is in its index.d.ts)
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache: number,
) => FastifyRateLimitStore

/**
 * A fixed-window limit of `max` requests per `windowMs` and key, counted in @fastify/rate-limit's
 * LocalStore (an LRU of `maxKeys` keys: beyond it the least recently seen key's window is forgotten).
 * The store answers synchronously; the plugin's own `createRateLimit` wraps each count in an async
 * function, a promise and a read of `request.routeOptions` (an object built per call), twice per
 * request here. Over the limit means what the plugin means: more than `max` in the window (`isExceeded`).
 */
export function fixedWindowLimiter(opts: { max: number; windowMs: number; maxKeys: number }): Limiter {
  const { max, windowMs } = opts
  const store: FastifyRateLimitStore = new LocalStore(false, false, opts.maxKeys)
  let current = 0
  let ttl = 0
  const counted = (err: Error | null, res?: { current: number; ttl: number }) => {
    // LocalStore calls back at once and never with an error
    if (err !== null || res === undefined) throw err ?? new Error('rate-limit store gave no count')
    current = res.current
    ttl = res.ttl
  }
  return (key) => {
    store.incr(key, counted, windowMs, max)
    return current > max ? Math.ceil(ttl / 1000) : null
  }
}

/** Probes and scrapes are neither rate limited nor access-logged. */
export function isProbe(url: string): boolean {
  return url === '/healthz' || url === '/readyz' || url === '/metrics'
}

export function rateLimited(retryAfterSeconds: number, scope: 'ip' | 'user'): AppError {
  return new AppError(429, 'RATE_LIMITED', `Too many requests${scope === 'user' ? ' for this account' : ''}; retry in ${retryAfterSeconds} s`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  })
}

/** The code in the error body the client will get, for errors raised inside the gateway. */
function codeOf(err: FastifyError | AppError): string {
  if (err instanceof AppError) return err.code
  if ((err as { validation?: unknown }).validation) return 'VALIDATION_FAILED'
  const status = err.statusCode ?? 500
  if (status >= 500) return 'INTERNAL'
  if (status === 429) return 'RATE_LIMITED'
  if (err.code?.startsWith('FST_ERR_CTP_BODY_TOO_LARGE')) return 'PAYLOAD_TOO_LARGE'
  if (err.code?.startsWith('FST_ERR_CTP_INVALID_MEDIA_TYPE')) return 'UNSUPPORTED_MEDIA_TYPE'
  return 'BAD_REQUEST'
}

/**
 * The edge of every request: client address, the per-IP limit (before any auth work), error codes
 * and, when the response is done, the timing metric and one access-log record. All synchronous.
 */
export default fp(
  async function edge(app: FastifyInstance, opts: EdgeOptions) {
    const { windowMs, ipMax, userMax, maxKeys } = opts.rateLimit
    // Two limits apply to one request, so @fastify/rate-limit's store is used rather than its route
    // hooks: per client IP here, before any auth work, and per user after the token was checked
    // (routes/proxy.ts). The 429 body is ours. Per process: each replica counts alone.
    const limits = {
      ip: ipMax > 0 ? fixedWindowLimiter({ max: ipMax, windowMs, maxKeys }) : null,
      user: userMax > 0 ? fixedWindowLimiter({ max: userMax, windowMs, maxKeys }) : null,
    }
    app.decorate('limits', limits)
    app.decorateRequest('caller', null)
    app.decorateRequest('client', null)
    app.decorateRequest('proxyRoute', null)
    app.decorateRequest('errorCode', null)
    app.decorateRequest('errorBody', null)

    const ipLimit = limits.ip
    const limitedByIp = app.metrics.rateLimited.labels({ scope: 'ip' })
    app.addHook('onRequest', (request, _reply, done) => {
      if (isProbe(request.url)) return done()
      const client = clientAddress(request)
      request.client = client
      const retryAfter = ipLimit === null ? null : ipLimit(client.ip)
      if (retryAfter === null) return done()
      limitedByIp.inc()
      done(rateLimited(retryAfter, 'ip'))
    })

    app.addHook('onError', (request, _reply, err, done) => {
      request.errorCode = codeOf(err)
      done()
    })

    const otherRoutes = app.metrics.requestDuration.labels({ route: 'other' })
    const accessLog = opts.accessLog ? app.accessLog : null
    app.addHook('onResponse', (request, reply, done) => {
      const client = request.client
      if (client === null) return done()
      const elapsed = reply.elapsedTime
      const route = request.proxyRoute
      ;(route ? route.duration : otherRoutes).observe(elapsed / 1000)
      if (accessLog) {
        const status = reply.statusCode
        let body = request.body as unknown
        let bodyComplete = true
        if (Buffer.isBuffer(body)) {
          if (body.length > BODY_KEEP_MAX) {
            // copy, so the event does not pin the whole request body in memory
            body = Buffer.from(body.subarray(0, BODY_KEEP_MAX))
            bodyComplete = false
          }
        } else body = null
        const headers = request.headers
        accessLog.push({
          requestId: request.id,
          traceId: traceIdOf(request),
          user: request.caller?.identity.uid ?? null,
          startedAt: Date.now() - elapsed,
          responseMs: elapsed,
          url: request.url,
          route: route ? route.prefix : null,
          method: request.method,
          remoteAddr: client.ip,
          host: headers.host ?? '',
          body: body as Buffer | null,
          bodyComplete,
          contentType: headers['content-type'],
          status,
          error: status >= 400 ? (request.errorCode ?? (route ? `HTTP_${status}` : status === 404 ? 'NOT_FOUND' : `HTTP_${status}`)) : null,
          userAgent: headers['user-agent'] ?? null,
          responseBody: status >= 400 ? request.errorBody : null,
        })
      }
      done()
    })
  },
  { name: 'gateway-edge', dependencies: ['gateway-metrics'] },
)
