import { Type, type Static, type TObject, type TProperties } from 'typebox'
import { Value } from 'typebox/value'
import { identityKey } from './identity.ts'

/** Settings every service shares. A service extends it with its own (see `serviceConfig`). */
export const BaseConfig = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '127.0.0.1', description: '0.0.0.0 in containers' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
  NATS_URL: Type.String({ pattern: '^(nats|tls)://', default: 'nats://127.0.0.1:4222' }),
  /**
   * This process's NATS user: its nkey seed (`npm run nats:auth` makes one per service, and the server
   * config that lets each publish only its own subjects). Required in production; unset, the process
   * connects without authentication (a local NATS without users).
   */
  NATS_NKEY_SEED: Type.Optional(
    Type.String({ pattern: '^SU[A-Z2-7]{56}$', description: "this process's NATS user nkey seed (SU…, 58 characters); required in production" }),
  ),
  /**
   * The gateway's identity secret, from which every service's key is derived (identity.ts). The
   * gateway needs it; a service takes IDENTITY_KEY instead, and derives its key from this one only
   * outside production (a local stack or a test runs every process with one secret).
   */
  IDENTITY_SECRET: Type.Optional(Type.String({ minLength: 32, description: "the gateway's identity secret (services: only outside production)" })),
  IDENTITY_SECRET_PREVIOUS: Type.Optional(Type.String({ minLength: 32, description: 'accepted during a rotation' })),
  /** this service's own identity key (`npm run identity:keys` derives it from the gateway's secret) */
  IDENTITY_KEY: Type.Optional(Type.String({ minLength: 32, description: "this service's key for the gateway-signed identity" })),
  IDENTITY_KEY_PREVIOUS: Type.Optional(Type.String({ minLength: 32, description: "this service's previous key, accepted during a rotation" })),
  /**
   * Fastify's "incoming request"/"request completed" lines. Off by default: the gateway's access
   * log already records every request, errors are logged by the error handler, and two JSON lines
   * per request cost real throughput.
   */
  LOG_REQUESTS: Type.Boolean({ default: false }),
  /** time between "not ready" and closing the listener, so a load balancer stops sending first */
  SHUTDOWN_DRAIN_MS: Type.Integer({ minimum: 0, default: 0 }),
  /** hard limit for the whole graceful shutdown */
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
})
export type BaseConfig = Static<typeof BaseConfig>

/**
 * The keys a service verifies the gateway-signed identity with, current first: IDENTITY_KEY (and
 * IDENTITY_KEY_PREVIOUS), else — outside production — derived from IDENTITY_SECRET (and its previous).
 * In production a service must not hold the gateway's secret: with it, it could sign an identity that
 * every other service accepts.
 */
export function serviceIdentityKeys(config: BaseConfig, service: string): string[] {
  if (config.IDENTITY_KEY) return [config.IDENTITY_KEY, config.IDENTITY_KEY_PREVIOUS].filter((k): k is string => !!k)
  if (config.NODE_ENV === 'production') {
    throw new ConfigError([
      config.IDENTITY_SECRET
        ? { variable: 'IDENTITY_SECRET', message: `is the gateway's secret; in production ${service} takes only its own key, IDENTITY_KEY (npm run identity:keys)` }
        : { variable: 'IDENTITY_KEY', message: 'is required but not set' },
    ])
  }
  if (!config.IDENTITY_SECRET) throw new ConfigError([{ variable: 'IDENTITY_KEY', message: 'is required but not set (or IDENTITY_SECRET outside production)' }])
  return [config.IDENTITY_SECRET, config.IDENTITY_SECRET_PREVIOUS].filter((s): s is string => !!s).map((secret) => identityKey(secret, service))
}

/**
 * The NATS credentials of a process: its nkey seed, or none outside production (a local NATS without
 * users). In production every process connects as its own user — the server's permissions are what
 * keep a compromised service from publishing another's events — so a missing seed stops the boot.
 */
export function natsCredentials(config: BaseConfig): { nkeySeed?: string } {
  if (config.NATS_NKEY_SEED) return { nkeySeed: config.NATS_NKEY_SEED }
  if (config.NODE_ENV === 'production') {
    throw new ConfigError([{ variable: 'NATS_NKEY_SEED', message: "is required in production: each process connects to NATS as its own user (npm run nats:auth)" }])
  }
  return {}
}

/** Settings of a service that owns a Postgres schema. */
export const DatabaseConfig = Type.Object({
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: "the service's own role, not the admin" }),
  SLOW_QUERY_MS: Type.Integer({ minimum: 1, default: 200 }),
  DB_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  /** the longest a request waits for a pooled connection (the pool full, or Postgres not answering a connect) */
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 2_500 }),
  /** statement_timeout: Postgres cancels a statement running longer (57014 → 503 DATABASE_TIMEOUT) */
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 6_000 }),
  /** lock_timeout: the longest a statement waits for a row or table lock (55P03 → 503 DATABASE_TIMEOUT) */
  DB_LOCK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 4_000 }),
  /** idle_in_transaction_session_timeout: a transaction left open without work is ended, its locks released */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 30_000 }),
  /** published outbox rows are kept this long (for looking into what was sent), then deleted */
  OUTBOX_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 168 }),
  /**
   * processed-event marks are kept this long; more than the longest max age of any stream (30 days),
   * so no event can be redelivered after its mark is gone
   */
  PROCESSED_EVENTS_RETENTION_DAYS: Type.Integer({ minimum: 31, default: 35 }),
  /** how often the platform tables' retention pass runs */
  RETENTION_INTERVAL_MS: Type.Integer({ minimum: 1_000, default: 3_600_000 }),
})
export type DatabaseConfig = Static<typeof DatabaseConfig>

/**
 * What a service behind the gateway must know of it: a client's request is cut off (504) after the
 * gateway's upstream timeout, so every wait a client sits behind in a service must end before it
 * (see `checkClientWaits`).
 */
export const UpstreamConfig = Type.Object({
  /** the gateway's UPSTREAM_TIMEOUT_MS (set both to the same value; the default is the gateway's) */
  GATEWAY_UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 10_000 }),
})
export type UpstreamConfig = Static<typeof UpstreamConfig>

/** Base + database settings + the gateway's timeout + the service's own. */
export function serviceConfig<P extends TProperties>(extra: P) {
  return Type.Object({ ...BaseConfig.properties, ...DatabaseConfig.properties, ...UpstreamConfig.properties, ...extra })
}

export class ConfigError extends Error {
  readonly problems: { variable: string; message: string }[]
  constructor(problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Reads and validates configuration from environment variables. Missing or malformed values fail
 * here, at boot, naming the variable — never later inside a request.
 */
export function loadConfig<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  defaults: Record<string, unknown> = {},
): Static<S> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
    else if (key in defaults) raw[key] = defaults[key]
  }
  const withDefaults = Value.Default(schema, raw)
  const converted = Value.Convert(schema, withDefaults)
  if (Value.Check(schema, converted)) {
    const demo = demoSecretProblems(converted as Record<string, unknown>)
    if (demo.length) throw new ConfigError(demo)
    return converted as Static<S>
  }

  const problems = new Map<string, string>()
  for (const error of Value.Errors(schema, converted)) {
    const e = error as unknown as { instancePath: string; message: string; params?: { requiredProperties?: string[] } }
    const missing = e.params?.requiredProperties
    if (missing?.length) {
      for (const variable of missing) problems.set(variable, 'is required but not set')
      continue
    }
    const variable = e.instancePath.replace(/^\//, '') || '(root)'
    if (!problems.has(variable)) problems.set(variable, e.message)
  }
  throw new ConfigError([...problems].map(([variable, message]) => ({ variable, message })))
}

/**
 * Secrets that are public because the repository ships them (compose defaults, the sandbox's local
 * webhook key). Anyone can sign an identity or a webhook with them, so production refuses them,
 * naming the variable. The one list: add a value here when a file in the repository gains one.
 */
export const DEMO_SECRETS = {
  /** docker-compose.yml's default IDENTITY_SECRET */
  composeIdentity: 'compose-demo-identity-secret-0123456789abcdef',
  /** docker-compose.yml's default PAYMENT_SANDBOX_WEBHOOK_SECRET */
  composeSandboxWebhook: 'compose-demo-sandbox-webhook-secret',
  /** what payment's sandbox signs webhooks with when PAYMENT_SANDBOX_WEBHOOK_SECRET is unset (outside production) */
  sandboxWebhook: 'whsec_sandbox_local_only_0123456789',
  /** docker-compose.yml's default MONGO_PASSWORD (Mongo's root user; chat-bridge's MONGO_URL carries it) */
  composeMongoPassword: 'compose-demo-mongo-password',
  /** docker-compose.yml's default TURN_SECRET (coturn's static-auth-secret, meeting's MEETING_TURN_SECRET) */
  composeTurn: 'compose-demo-turn-secret-0123',
} as const
/** deploy/nats/compose/<user>.nk: the compose stack's NATS users, whose seeds the repository publishes */
export const DEMO_NATS_SEEDS: readonly string[] = [
  'SUAIFVOZPF3O22KLLIXJJ4RM3HP7F4NWWH5ICTCLC4CZ6IWLWJAHGNJTIQ', // gateway
  'SUAAERRFT6KBQPIX6TZDMJVXCRN4Z4TLLLUPRVRIM4CHNVK2B764H3APPE', // chat-bridge
  'SUAHYHFLCAP3CAA2F3L7YCG3SYURKLHGZCUQMUSGFAJYQATKPV7DUAG4BU', // matching
  'SUAPVVPVRFDOAFUNB4NDJM3DRRNEJHLMJSKWCH5WVLKOCXFEXAILJ7VWT4', // meeting
  'SUABVHBXSOL5TY6G5UQQMSYPLHALY54QUBTKEYCRZFFRTLNVI3E7LKD2Q4', // mentor-catalog
  'SUAM5JXYM2MAVVWQEYLGLFY2MQUIBDWGVVOIKFRVDIG7Z44KGYPWETWUDI', // notification
  'SUALRQBPK3QITO63KBFF4CTQNN6EKC57ZIF5V2MCBO5O3XDJSKH5FDPRMU', // payment
  'SUAGS5DGJ4UQFOFHZ22UBITWXXHVPW6335KQNS5XM5JLOP6R5Q72NKABF4', // tracking
  'SUAMHHINDCOK2HNHKBCDWOS44VZGX3EHOXH7MXIBTAUUTPJD65E5FS7ELQ', // dlq
]
const demoSecrets: ReadonlySet<string> = new Set([...Object.values(DEMO_SECRETS), ...DEMO_NATS_SEEDS])

/** The password a connection URL (mongodb://user:password@host) carries, if any. */
function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined
  try {
    const password = new URL(value).password
    return password === '' ? undefined : decodeURIComponent(password)
  } catch {
    return undefined
  }
}

/** In production, no variable may hold a known demo secret, nor a URL carry one (loadConfig checks every one). */
function demoSecretProblems(config: Record<string, unknown>): { variable: string; message: string }[] {
  if (config.NODE_ENV !== 'production') return []
  const problems: { variable: string; message: string }[] = []
  for (const [variable, value] of Object.entries(config)) {
    if (typeof value !== 'string') continue
    if (demoSecrets.has(value)) {
      problems.push({ variable, message: 'is a demo value published in the repository; production needs a secret of its own' })
      continue
    }
    const password = urlPassword(value)
    if (password !== undefined && demoSecrets.has(password)) {
      problems.push({ variable, message: 'carries a demo password published in the repository; production needs a password of its own' })
    }
  }
  return problems
}

/**
 * The timeout chain (client wait < service wait < gateway upstream timeout): each wait a client may
 * sit behind, plus `marginMs` for the work around it, must end before the gateway gives up —
 * otherwise the client gets the gateway's 504 instead of the service's answer (a 409 to retry, say).
 */
export function checkClientWaits(config: UpstreamConfig, waits: Record<string, number>, marginMs = 1_000): void {
  const limit = config.GATEWAY_UPSTREAM_TIMEOUT_MS
  const problems = Object.entries(waits)
    .filter(([, ms]) => ms + marginMs >= limit)
    .map(([variable, ms]) => ({
      variable,
      message: `${ms} ms plus a ${marginMs} ms margin must be below GATEWAY_UPSTREAM_TIMEOUT_MS (${limit} ms), or the gateway answers 504 before the service does`,
    }))
  if (problems.length) throw new ConfigError(problems)
}

/**
 * The timeout chain of a request (docs/operations.md, "Timeouts"): the wait for a connection plus one
 * statement, plus a margin, ends before the gateway's upstream timeout, which ends before the load
 * balancer's idle timeout (checked by the gateway's config). Checked at boot for every service with a
 * database, so a configuration that would turn a slow query into the gateway's 504 never starts.
 */
export function checkDatabaseWaits(config: object): void {
  const { DB_CONNECT_TIMEOUT_MS: connect, DB_STATEMENT_TIMEOUT_MS: statement, GATEWAY_UPSTREAM_TIMEOUT_MS: upstream } = config as Partial<DatabaseConfig & UpstreamConfig>
  if (connect === undefined || statement === undefined || upstream === undefined) return
  checkClientWaits({ GATEWAY_UPSTREAM_TIMEOUT_MS: upstream }, { 'DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS': connect + statement })
}
