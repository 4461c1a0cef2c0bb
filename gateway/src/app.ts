import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { parseOrigins, type GatewayConfig } from './config.ts'
import { resolveRoutes, type ProxyRoute } from './route-map.ts'
import { Authenticator, type VerifyIdToken } from './lib/authenticator.ts'
import nats from './plugins/external/nats.ts'
import firebase from './plugins/external/firebase.ts'
import metrics from './plugins/app/metrics.ts'
import accessLog from './plugins/app/access-log.ts'
import edge from './plugins/app/edge.ts'
import tracing from './plugins/app/tracing.ts'
import security from './plugins/app/security.ts'
import revocations from './plugins/app/revocations.ts'
import proxyRoutes from './routes/proxy.ts'
import docsRoute from './routes/docs.ts'

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: Authenticator
    gatewayRoutes: ProxyRoute[]
  }
}

export interface GatewaySeams {
  /** wraps firebase-admin's verifier, e.g. to count calls in a test (verification itself stays real) */
  wrapVerifier?: (verify: VerifyIdToken) => VerifyIdToken
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
type Level = (typeof LEVELS)[number]
/** Route log levels override the root's, so the proxy's may only be quieter than LOG_LEVEL. */
const quieter = (a: Level, b: Level): Level => (LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b)

/** Body types the gateway reads whole (to scrub them into the access log); the rest is streamed. */
const BUFFERED_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain']
const BUFFERED_JSON_SUFFIX = /^application\/[\w.+-]+\+json$/

/**
 * The gateway as a plugin, not encapsulated so that its hooks see every request (404s included) (registered by service-kit after its errors, health and OpenAPI plugins):
 * external clients (NATS, Firebase) → app plugins (metrics, access log, edge hooks, security) →
 * routes (docs, one proxy per prefix; /metrics is the kit's, in its health plugin).
 */
export function gatewayPlugin(seams: GatewaySeams = {}) {
  return fp(
  async function gateway(app: FastifyInstance, opts: { config: GatewayConfig }) {
    const { config } = opts
    const routes = resolveRoutes(config)
    app.decorate('gatewayRoutes', routes)

    app.removeAllContentTypeParsers()
    const keepBuffer = (_req: unknown, body: string | Buffer, done: (err: null, body: string | Buffer) => void) => done(null, body)
    app.addContentTypeParser(BUFFERED_TYPES, { parseAs: 'buffer', bodyLimit: config.BODY_LIMIT }, keepBuffer)
    app.addContentTypeParser(BUFFERED_JSON_SUFFIX, { parseAs: 'buffer', bodyLimit: config.BODY_LIMIT }, keepBuffer)
    app.addContentTypeParser('*', (_req, payload, done) => done(null, payload))

    await app.register(metrics)
    // its NATS user: required in production at boot (service-kit configOrExit)
    await app.register(nats, { servers: config.NATS_URL, ...(config.NATS_NKEY_SEED ? { nkeySeed: config.NATS_NKEY_SEED } : {}) })
    await app.register(firebase, {
      projectId: config.FIREBASE_PROJECT_ID,
      emulatorHost: config.FIREBASE_AUTH_EMULATOR_HOST,
      wrapVerifier: seams.wrapVerifier,
    })
    await app.register(accessLog, {
      enabled: config.ACCESS_LOG_ENABLED,
      capacity: config.ACCESS_LOG_BUFFER,
      flushMs: config.ACCESS_LOG_FLUSH_MS,
      bodyMax: config.ACCESS_LOG_BODY_MAX,
    })
    // first of the per-request hooks, so refused requests are traced too
    await app.register(tracing)
    await app.register(edge, {
      rateLimit: {
        windowMs: config.RATE_LIMIT_WINDOW_MS,
        ipMax: config.RATE_LIMIT_IP_MAX,
        userMax: config.RATE_LIMIT_USER_MAX,
        maxKeys: config.RATE_LIMIT_MAX_KEYS,
      },
      accessLog: config.ACCESS_LOG_ENABLED,
    })
    await app.register(security, { corsOrigins: parseOrigins(config.CORS_ORIGINS) })

    const authenticator = new Authenticator({
      verify: app.verifyIdToken,
      // required for the gateway (checkGatewayConfig)
      identitySecret: config.IDENTITY_SECRET!,
      cacheMax: config.TOKEN_CACHE_MAX,
      onVerified: (result) => app.metrics.tokenVerifications.inc({ result }),
    })
    app.decorate('authenticator', authenticator)
    await app.register(revocations)
    app.readiness.add('routes', async () => {
      if (routes.length === 0) throw new Error('no upstream routes')
    })

    await app.register(docsRoute, { routes, timeoutMs: Math.min(config.UPSTREAM_TIMEOUT_MS, 5_000) })
    await app.register(proxyRoutes, {
      routes,
      authenticator,
      upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
      upstreamConnections: config.UPSTREAM_CONNECTIONS,
      proxyLogLevel: quieter(config.LOG_LEVEL, config.PROXY_LOG_LEVEL),
    })
  },
  { name: 'gateway-app', dependencies: ['sunbae-errors', 'sunbae-health'] },
  )
}

export default gatewayPlugin()
