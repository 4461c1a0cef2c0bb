import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '@sunbae/service-kit'
import type { Histogram } from 'prom-client'
import type { AuthenticatedCaller } from '../../lib/authenticator.ts'
import { clientAddress, type ClientAddress } from '../../lib/client-ip.ts'
import rateLimit from '@fastify/rate-limit'
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

/** One counter of @fastify/rate-limit (`createRateLimit`): counts the request, says whether it is over. */
export type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>

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
    // @fastify/rate-limit's in-memory store (an LRU of maxKeys per limit, windows per key). Its
    // createRateLimit counters are used rather than its route hooks, because two limits apply to one
    // request: per client IP here, before any auth work, and per user after the token was checked
    // (routes/proxy.ts). The 429 body is ours. Per process: each replica counts alone.
    await app.register(rateLimit, { global: false, cache: 2 * maxKeys })
    const limits = {
      ip: ipMax > 0 ? (app.createRateLimit({ max: ipMax, timeWindow: windowMs, keyGenerator: (r) => `ip:${r.client!.ip}` }) as Limiter) : null,
      user: userMax > 0 ? (app.createRateLimit({ max: userMax, timeWindow: windowMs, keyGenerator: (r) => `user:${r.caller!.identity.uid}` }) as Limiter) : null,
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
      request.client = clientAddress(request)
      if (ipLimit === null) return done()
      ipLimit(request).then((r) => {
        if (!r.isAllowed && r.isExceeded) {
          limitedByIp.inc()
          return done(rateLimited(r.ttlInSeconds, 'ip'))
        }
        done()
      }, done)
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
