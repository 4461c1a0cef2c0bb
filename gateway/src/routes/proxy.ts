import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import proxy from '@fastify/http-proxy'
import { propagation } from '@opentelemetry/api'
import { AppError } from '@sunbae/service-kit'
import { IDENTITY_HEADER } from '@sunbae/service-kit/identity'
import { accessFor, type Access } from '../access.ts'
import type { ProxyRoute } from '../route-map.ts'
import { bearerToken, tokenError, type Authenticator, type AuthenticatedCaller } from '../lib/authenticator.ts'
import { isJsonType } from '@sunbae/service-kit/scrub'
import { rateLimited, type ProxyRouteRuntime } from '../plugins/app/edge.ts'

export interface ProxyRoutesOptions {
  routes: ProxyRoute[]
  authenticator: Authenticator
  upstreamTimeoutMs: number
  upstreamConnections: number
  /** Fastify's and reply-from's per-request lines; the access log already records each request */
  proxyLogLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
}

/** Headers a client could use to claim an identity. Services trust only the gateway-signed one. */
export function isSpoofableIdentityHeader(name: string): boolean {
  return (
    name.startsWith('x-sunbae-') ||
    name.startsWith('x-user') ||
    name.startsWith('x-auth') ||
    name.startsWith('x-forwarded-user') ||
    name.startsWith('x-forwarded-email') ||
    name.startsWith('x-forwarded-groups') ||
    name.startsWith('x-remote-') ||
    name.startsWith('x-identity') ||
    name.startsWith('x-goog-authenticated') ||
    name.startsWith('x-amzn-oidc') ||
    name === 'remote-user'
  )
}

/** Upstream failures → the shared error shape; the cause is logged by reply-from, never shown. */
export function upstreamError(error: Error & { statusCode?: number; code?: string; cause?: unknown }): AppError {
  const cause = error.cause as { code?: string } | undefined
  const code = cause?.code ?? error.code ?? ''
  if (error.statusCode === 504 && code !== 'UND_ERR_CONNECT_TIMEOUT') {
    return new AppError(504, 'UPSTREAM_TIMEOUT', 'The service did not answer in time', { cause: error })
  }
  if (
    error.statusCode === 503 ||
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new AppError(503, 'UPSTREAM_UNAVAILABLE', 'The service is unavailable; try again shortly', {
      cause: error,
      headers: { 'retry-after': '1' },
    })
  }
  return new AppError(502, 'UPSTREAM_FAILED', 'The service failed to answer', { cause: error })
}

const ERROR_BODY_MAX = 16 * 1024

/**
 * Passes the upstream response through; for small JSON error responses it reads the body first to
 * learn the service's error code for the access log (errors only — success responses stream).
 */
function onUpstreamResponse(request: FastifyRequest, reply: FastifyReply, res: { statusCode: number; headers: Record<string, unknown>; stream: NodeJS.ReadableStream }) {
  if (res.statusCode < 400) return reply.send(res.stream)
  const length = Number(res.headers['content-length'])
  if (!isJsonType(res.headers['content-type'] as string | undefined) || !(length <= ERROR_BODY_MAX)) {
    return reply.send(res.stream)
  }
  void (async () => {
    const chunks: Buffer[] = []
    try {
      for await (const chunk of res.stream) chunks.push(chunk as Buffer)
    } catch (err) {
      return reply.send(upstreamError(err as Error))
    }
    const body = Buffer.concat(chunks)
    // error bodies go into the access log (scrubbed, capped); success bodies are never kept
    request.errorBody = body
    try {
      const code = (JSON.parse(body.toString('utf8')) as { error?: { code?: unknown } }).error?.code
      if (typeof code === 'string') request.errorCode = code.slice(0, 100)
    } catch {
      // not our error shape; the status is logged
    }
    reply.send(body)
  })()
}

/**
 * One @fastify/http-proxy per prefix, no prefix rewrite (services see the full /api path), each
 * behind a gate: ID token → caller (cached), access rule, per-user limit. The gate runs in
 * onRequest, before the body is read, so refused requests cost nothing upstream.
 */
export default async function proxyRoutes(app: FastifyInstance, opts: ProxyRoutesOptions) {
  const { authenticator } = opts
  const userLimit = app.limits.user
  const limitedByUser = app.metrics.rateLimited.labels({ scope: 'user' })

  function rewriteRequestHeaders(request: FastifyRequest, headers: Record<string, string | string[] | undefined>) {
    for (const name in headers) {
      if (name.charCodeAt(0) === 120 /* x */ || name === 'remote-user') {
        if (isSpoofableIdentityHeader(name)) headers[name] = undefined
      }
    }
    // The ID token was for the gateway; services get the signed identity instead.
    headers.authorization = undefined
    headers.forwarded = undefined
    const caller = request.caller
    // signed for the one service this route goes to, bound to this method and path
    if (caller !== null) headers[IDENTITY_HEADER] = authenticator.identityHeader(caller, request.proxyRoute!.service, request.method, request.url)
    headers['x-request-id'] = request.id
    headers['x-forwarded-for'] = request.client!.forwardedFor
    // Fastify believes X-Forwarded-Proto/Host only from a trusted peer (trustProxy)
    headers['x-forwarded-proto'] = request.protocol
    headers['x-forwarded-host'] = request.host
    // the service's spans continue the gateway's (traceparent/tracestate of the gateway's span)
    if (request.traceContext !== null) propagation.inject(request.traceContext, headers)
    return headers
  }

  /**
   * Hop-by-hop headers of the upstream connection are not the client's business. Copied into a new
   * object rather than `delete`d: a delete turns undici's headers object into a slow dictionary for
   * every later read (the delete alone was ≈ 0.6 % of the gateway's CPU in a `--cpu-prof` profile).
   */
  function rewriteHeaders(headers: Record<string, unknown>) {
    if (headers.connection === undefined && headers['keep-alive'] === undefined) return headers
    const out: Record<string, unknown> = {}
    for (const name in headers) {
      if (name !== 'connection' && name !== 'keep-alive') out[name] = headers[name]
    }
    return out
  }

  const replyOptions = {
    rewriteRequestHeaders,
    rewriteHeaders,
    onResponse: onUpstreamResponse,
    onError: (reply: FastifyReply, { error }: { error: Error }) => reply.send(upstreamError(error)),
    // no automatic retries (reply-from retries GETs on 503 by default): services decide their own fate
    retryDelay: () => null,
  }

  /** Buffered bodies (JSON, forms, text) go upstream byte for byte; streamed bodies are piped. */
  function handler(request: FastifyRequest, reply: FastifyReply, dest: string, options: object) {
    const body = request.body
    if (Buffer.isBuffer(body)) {
      return reply.from(dest, { ...options, body, contentType: request.headers['content-type'] ?? 'application/octet-stream' } as never)
    }
    return reply.from(dest, options as never)
  }

  for (const route of opts.routes) {
    const runtime: ProxyRouteRuntime = {
      prefix: route.prefix,
      service: route.service,
      duration: app.metrics.requestDuration.labels({ route: route.prefix }),
    }
    const access = accessFor(route.prefix)

    const accessOf = (request: FastifyRequest): Access => {
      if (access.constant !== null) return access.constant
      const url = request.url
      const q = url.indexOf('?')
      let path = q < 0 ? url : url.slice(0, q)
      if (path.includes('%')) {
        try {
          path = decodeURIComponent(path)
        } catch {
          return 'user'
        }
      }
      return access.check(request.method, path)
    }

    const admit = (request: FastifyRequest, caller: AuthenticatedCaller, needed: Access, done: HookHandlerDoneFunction) => {
      if (needed === 'admin' && caller.identity.role !== 'admin') {
        return done(new AppError(403, 'FORBIDDEN', 'This needs the admin role'))
      }
      request.caller = caller
      const retryAfter = userLimit === null ? null : userLimit(caller.identity.uid)
      if (retryAfter === null) return done()
      limitedByUser.inc()
      done(rateLimited(retryAfter, 'user'))
    }

    const gate = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      request.proxyRoute = runtime
      const needed = accessOf(request)
      const header = request.headers.authorization
      if (header === undefined) {
        return needed === 'public' ? done() : done(new AppError(401, 'UNAUTHENTICATED', 'Sign in to continue'))
      }
      const token = bearerToken(header)
      if (token === null) {
        return done(new AppError(401, 'TOKEN_INVALID', 'Send the Firebase ID token as "Authorization: Bearer <token>"'))
      }
      const cached = authenticator.cached(token)
      if (cached !== undefined) return admit(request, cached, needed, done)
      authenticator.authenticate(token).then(
        (caller) => admit(request, caller, needed, done),
        (err: unknown) => {
          const appErr = err instanceof AppError ? err : tokenError(err)
          if (appErr.statusCode >= 500) request.log.error({ err: appErr.cause ?? appErr }, 'ID token verification failed')
          done(appErr)
        },
      )
    }

    await app.register(
      async function proxyScope(scope) {
        scope.addHook('onRequest', gate)
        await scope.register(proxy, {
          upstream: route.upstream,
          prefix: route.prefix,
          rewritePrefix: route.prefix,
          // bodies are parsed (or streamed) by the gateway's own content-type parsers
          proxyPayloads: false,
          httpMethods: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'],
          disableRequestLogging: true,
          undici: {
            connections: opts.upstreamConnections,
            pipelining: 1,
            headersTimeout: opts.upstreamTimeoutMs,
            bodyTimeout: opts.upstreamTimeoutMs,
            connectTimeout: Math.min(opts.upstreamTimeoutMs, 5_000),
          },
          handler,
          replyOptions: replyOptions as never,
        })
      },
      { logLevel: opts.proxyLogLevel },
    )
  }
}
