import { Type, type Static, type TObject, type TProperties } from 'typebox'
import { Value } from 'typebox/value'

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
  IDENTITY_SECRET: Type.String({ minLength: 32, description: 'HMAC key shared with the gateway' }),
  IDENTITY_SECRET_PREVIOUS: Type.Optional(Type.String({ minLength: 32, description: 'accepted during a rotation' })),
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

/** Settings of a service that owns a Postgres schema. */
export const DatabaseConfig = Type.Object({
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: "the service's own role, not the admin" }),
  SLOW_QUERY_MS: Type.Integer({ minimum: 1, default: 200 }),
  DB_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
})
export type DatabaseConfig = Static<typeof DatabaseConfig>

/** Base + database settings + the service's own. */
export function serviceConfig<P extends TProperties>(extra: P) {
  return Type.Object({ ...BaseConfig.properties, ...DatabaseConfig.properties, ...extra })
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
  if (Value.Check(schema, converted)) return converted as Static<S>

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
