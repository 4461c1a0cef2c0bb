import fp from 'fastify-plugin'
import cors from '@fastify/cors'
import helmet from 'helmet'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * The security headers helmet would set for a JSON API, computed once at boot by running helmet's
 * own middleware against a recorder. (@fastify/helmet rebuilds helmet's middleware on every request,
 * which costs more than the rest of the gateway's per-request work together.)
 *
 * Only the headers that protect an API response are kept (OWASP REST Security Cheat Sheet, "Security
 * headers"): CSP `default-src 'none'; frame-ancestors 'none'`, X-Frame-Options for browsers without
 * frame-ancestors, nosniff, HSTS, and Cross-Origin-Resource-Policy so other sites cannot pull the
 * JSON in with no-cors requests. Helmet's document-only headers (COOP, Origin-Agent-Cluster,
 * X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection,
 * Referrer-Policy) do nothing for JSON and are left out: every header line is written, copied and
 * validated on each response, and header bytes were the largest single item the gateway added over
 * a stock proxy in the profile (bench/gateway/RESULTS.md). The web app's HTML is served by its own
 * server with the document headers.
 */
export function securityHeaders(): { set: [string, string][]; remove: string[] } {
  const set = new Map<string, string>()
  const remove: string[] = []
  const recorder = {
    setHeader: (name: string, value: string) => void set.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => void remove.push(name.toLowerCase()),
  }
  helmet({
    // nothing the API returns may be rendered or framed
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-site' },
    frameguard: { action: 'deny' },
    // document-only headers, see above
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  })({} as IncomingMessage, recorder as unknown as ServerResponse, () => {})
  return { set: [...set], remove }
}

export interface SecurityOptions {
  corsOrigins: string[]
}

/** CORS for the web app's origins (@fastify/cors) and helmet's headers on every response. */
export default fp(
  async function security(app: FastifyInstance, opts: SecurityOptions) {
    const { set } = securityHeaders()
    const headers = Object.fromEntries(set)
    // also on the errors answered before routing or by the HTTP parser (the kit's edge errors)
    Object.assign(app.responseHeaders, headers)
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers)
      done()
    })

    await app.register(cors, {
      origin: opts.corsOrigins.length > 0 ? opts.corsOrigins : false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key', 'traceparent', 'tracestate'],
      // one string: @fastify/cors joins an array again on every response
      exposedHeaders: 'x-request-id, retry-after, location',
      maxAge: 600,
      // tokens travel in the Authorization header, never in cookies
      credentials: false,
    })
  },
  { name: 'gateway-security' },
)
