import { Type, type Static } from 'typebox'
import { BaseConfig, ConfigError } from '@sunbae/service-kit'
import { trustProxyOption } from './lib/client-ip.ts'

/**
 * The gateway's settings: the kit's base (PORT, NATS_URL, IDENTITY_SECRET …) plus its own. Every
 * variable is documented in gateway/README.md; the route map is in route-map.ts.
 */
export const GatewayConfig = Type.Object({
  ...BaseConfig.properties,

  // Firebase Auth
  FIREBASE_PROJECT_ID: Type.String({ minLength: 1, description: 'Firebase project whose ID tokens are accepted' }),
  FIREBASE_AUTH_EMULATOR_HOST: Type.Optional(
    Type.String({ pattern: '^[^/\\s]+:\\d+$', description: 'host:port of the Auth emulator; refused in production' }),
  ),
  TOKEN_CACHE_MAX: Type.Integer({ minimum: 0, default: 50_000, description: 'verified tokens kept (0 = no cache)' }),

  // Upstreams (see route-map.ts)
  MENTOR_CATALOG_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4001' }),
  MATCHING_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4002' }),
  MEETING_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4003' }),
  PAYMENT_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4004' }),
  CHAT_BRIDGE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4005' }),
  TRACKING_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4006' }),
  NOTIFICATION_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4007' }),
  GATEWAY_ROUTES: Type.Optional(
    Type.String({ description: 'JSON object replacing the default route map: {"/api/prefix": "<service name or http(s) URL>"}' }),
  ),
  UPSTREAM_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: 10_000,
    description: 'time to the upstream response headers, and between body chunks; services get it as GATEWAY_UPSTREAM_TIMEOUT_MS',
  }),
  LB_IDLE_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: 60_000,
    description: "the load balancer's idle timeout in front of the gateway (AWS ALB default 60 s); UPSTREAM_TIMEOUT_MS must end before it",
  }),
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, default: 256, description: 'keep-alive connections per upstream' }),
  BODY_LIMIT: Type.Integer({ minimum: 1, default: 1_048_576, description: 'largest JSON/form/text request body, bytes' }),

  // Client addresses
  TRUST_PROXY: Type.String({
    default: '',
    description: 'who may set X-Forwarded-*: empty = nobody, or comma-separated IPs/CIDRs (loopback, linklocal, uniquelocal shorthands)',
  }),

  // Rate limits (fixed window)
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  RATE_LIMIT_IP_MAX: Type.Integer({ minimum: 0, default: 1_200, description: 'requests per client IP per window (0 = off)' }),
  RATE_LIMIT_USER_MAX: Type.Integer({ minimum: 0, default: 600, description: 'requests per signed-in user per window (0 = off)' }),
  RATE_LIMIT_MAX_KEYS: Type.Integer({ minimum: 1, default: 200_000, description: 'tracked keys per window; beyond it new keys pass' }),

  // Browser access
  CORS_ORIGINS: Type.String({
    default: 'http://localhost:5173,http://127.0.0.1:5173',
    description: 'comma-separated origins of the web app',
  }),

  // Access log
  ACCESS_LOG_ENABLED: Type.Boolean({ default: true }),
  ACCESS_LOG_BODY_MAX: Type.Integer({ minimum: 0, default: 4_096, description: 'characters of scrubbed body kept per event' }),
  ACCESS_LOG_BUFFER: Type.Integer({ minimum: 1, default: 10_000, description: 'events queued or published and not yet confirmed by JetStream; beyond it they are dropped and counted' }),
  ACCESS_LOG_FLUSH_MS: Type.Integer({ minimum: 1, default: 200 }),

  /** per-request lines of Fastify and the proxy; the access log already records every request */
  PROXY_LOG_LEVEL: Type.Union(
    [Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('silent')],
    { default: 'warn' },
  ),
})
export type GatewayConfig = Static<typeof GatewayConfig>

/**
 * Defaults that depend on other variables: PORT falls back to GATEWAY_PORT then 8080, the Firebase
 * project to the Google Cloud project variables then the local demo project.
 */
export function gatewayConfigDefaults(env: Record<string, string | undefined> = process.env): Record<string, unknown> {
  return {
    PORT: env.GATEWAY_PORT || 8080,
    FIREBASE_PROJECT_ID: env.GCLOUD_PROJECT || env.GOOGLE_CLOUD_PROJECT || 'demo-sunbae',
  }
}

/** A ConfigError, so that at boot the process exits with the variable named (service-kit configOrExit). */
export class GatewayConfigError extends ConfigError {
  constructor(variable: string, message: string) {
    super([{ variable, message }])
    this.name = 'GatewayConfigError'
  }
}

/** Rules that the schema cannot express; they fail the boot with the variable named. */
export function checkGatewayConfig(config: GatewayConfig): void {
  // the gateway signs every service's identities: it holds the secret their keys derive from
  if (!config.IDENTITY_SECRET) throw new GatewayConfigError('IDENTITY_SECRET', 'is required but not set')
  try {
    trustProxyOption(config.TRUST_PROXY)
  } catch (err) {
    throw new GatewayConfigError('TRUST_PROXY', (err as Error).message)
  }
  // the timeout chain: a service's 504 must come from us, not a load balancer closing an idle connection
  if (config.UPSTREAM_TIMEOUT_MS >= config.LB_IDLE_TIMEOUT_MS) {
    throw new GatewayConfigError(
      'UPSTREAM_TIMEOUT_MS',
      `${config.UPSTREAM_TIMEOUT_MS} ms must be below LB_IDLE_TIMEOUT_MS (${config.LB_IDLE_TIMEOUT_MS} ms), or the load balancer cuts the client off before the gateway answers`,
    )
  }
  if (config.NODE_ENV === 'production') {
    if (config.FIREBASE_AUTH_EMULATOR_HOST) {
      throw new GatewayConfigError('FIREBASE_AUTH_EMULATOR_HOST', 'must not be set in production (the emulator accepts unsigned tokens)')
    }
    if (config.FIREBASE_PROJECT_ID.startsWith('demo-')) {
      throw new GatewayConfigError('FIREBASE_PROJECT_ID', 'is a demo project, which only exists in the emulator')
    }
  }
}

export function parseOrigins(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean)
}
