import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify'
import closeWithGrace from 'close-with-grace'
import { trace, type ProxyTracerProvider } from '@opentelemetry/api'
import AjvCompiler from '@fastify/ajv-compiler'
import fp from 'fastify-plugin'
import type { Static, TObject } from 'typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { BaseConfig } from './config.ts'
import { checkDatabaseWaits, ConfigError, loadConfig, natsCredentials, serviceIdentityKeys } from './config.ts'
import { clientErrorHandler, frameworkErrors } from './edge-errors.ts'
import errors from './plugins/errors.ts'
import health from './plugins/health.ts'
import requestMetrics from './plugins/metrics.ts'
import openapi from './plugins/openapi.ts'
import identity from './plugins/identity.ts'
import { guardNumbers, numberGuardPlugin } from './numbers.ts'
import { strictUtf8 } from './utf8.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: BaseConfig
  }
}

export interface ServiceDefinition<S extends TObject = TObject> {
  /** e.g. `mentor-catalog`; used in logs, traces, events and the OpenAPI title */
  name: string
  version?: string
  description?: string
  configSchema: S
  /** defaults applied before validation, e.g. the service's port */
  configDefaults?: Record<string, unknown>
  /** verify the gateway-signed identity header (every service; the gateway itself signs instead) */
  identity?: boolean
  /** rules across variables, checked after the schema: throw a ConfigError naming the variable */
  checkConfig?: (config: Static<S> & BaseConfig) => void
  /** Fastify server options that follow from the config (e.g. the gateway's trustProxy) */
  fastifyOptions?: (config: Static<S> & BaseConfig) => FastifyServerOptions
  /** the service itself, registered after the kit's plugins (fastify/demo's app.ts) */
  app: FastifyPluginAsync<{ config: Static<S> }>
}

const REQUEST_ID = /^[\w.:-]{1,64}$/

/**
 * Fastify's Ajv, twice: query strings, params and headers arrive as text and are coerced to their
 * types ('array': `?skills=a` is `['a']`); JSON bodies are not. Coercing a body would accept `"5"` for
 * a number and, inside a union with null, turn `0`, `""` or `false` into `null` (Ajv tries the
 * branches in order, coercing as it goes) — silently changing what the client sent.
 */
const ajvFactory = AjvCompiler()
type BuildValidator = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>
const buildValidator: BuildValidator = (externalSchemas, ajvOptions) => {
  const given = ajvOptions as { customOptions?: Record<string, unknown>; plugins?: unknown[] }
  // Both refuse non-finite numbers and integers past 2^53 − 1, after coercion (numbers.ts).
  const options = { ...given, plugins: [...(given.plugins ?? []), numberGuardPlugin] }
  const externals = Object.fromEntries(Object.entries(externalSchemas ?? {}).map(([id, schema]) => [id, guardNumbers(schema)]))
  const coercing = ajvFactory(externals as never, options as never)
  const strict = ajvFactory(externals as never, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } } as never)
  return (route) => {
    const guarded = { ...route, schema: guardNumbers(route.schema) }
    return route.httpPart === 'body' ? strict(guarded as never) : coercing(guarded as never)
  }
}

export function loggerOptions(config: Pick<BaseConfig, 'LOG_LEVEL'>, service: string): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    base: { service },
    // Never log credentials; the signed identity is one too.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-sunbae-identity"]', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  }
}

/**
 * Builds the service without listening: the kit's plugins (errors, health, OpenAPI, identity), then
 * the service's app plugin. Tests call this and use `app.inject`.
 */
export async function buildService<S extends TObject>(
  def: ServiceDefinition<S>,
  config: Static<S> & BaseConfig,
  fastifyOptions: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  checkDatabaseWaits(config)
  def.checkConfig?.(config)
  const app = Fastify({
    logger: loggerOptions(config, def.name),
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    return503OnClosing: true,
    // errors before routing and requests Node's parser refuses: in the platform's shape too
    frameworkErrors,
    clientErrorHandler,
    forceCloseConnections: 'idle',
    logController: new LogController({ disableRequestLogging: !config.LOG_REQUESTS }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true } },
    schemaController: { compilersFactory: { buildValidator } },
    ...def.fastifyOptions?.(config),
    ...fastifyOptions,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance

  app.decorate('config', config as BaseConfig)
  strictUtf8(app)
  // callback style, not async: no promise per request on the hot path
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    done(null, payload)
  })
  // a route keeps the error handler of when it was registered: the platform's, before any route
  await app.register(errors, { service: def.name })
  // OpenAPI first: it collects every route registered after it
  await app.register(openapi, {
    service: def.name,
    ...(def.version ? { version: def.version } : {}),
    ...(def.description ? { description: def.description } : {}),
  })
  await app.register(health, { service: def.name })
  // RED per route for every app, the gateway included (its own metrics add the proxy's view)
  await app.register(requestMetrics)
  if (def.identity !== false) {
    await app.register(identity, { service: def.name, keys: serviceIdentityKeys(config, def.name) })
  }
  // Not encapsulated (as in fastify/demo), so CLIs and tests can reach the service's decorators.
  await app.register(fp(def.app, { name: `${def.name}-app` }), { config })
  return app
}

/** Reads config or exits with a message naming every bad variable (no stack trace). */
export function configOrExit<S extends TObject>(
  def: Pick<ServiceDefinition<S>, 'name' | 'configSchema' | 'configDefaults' | 'checkConfig' | 'identity'>,
): Static<S> & BaseConfig {
  try {
    const config = loadConfig(def.configSchema, process.env, def.configDefaults ?? {}) as Static<S> & BaseConfig
    // every rule across variables, each problem named (not only the first rule's)
    const problems: ConfigError['problems'] = []
    const rules = [
      () => checkDatabaseWaits(config),
      () => def.checkConfig?.(config),
      () => def.identity !== false && serviceIdentityKeys(config, def.name),
      () => natsCredentials(config),
    ]
    for (const rule of rules) {
      try {
        rule()
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        problems.push(...err.problems)
      }
    }
    if (problems.length) throw new ConfigError(problems)
    return config
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
}

/**
 * The last step of a shutdown: the spans still queued go to the exporter. close-with-grace ends the
 * process with process.exit, where @sunbae/telemetry's beforeExit hook never runs; the tracer
 * provider it registered is reached through the API (nothing to do when none was registered).
 */
async function flushTraces(): Promise<void> {
  const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() as { shutdown?: () => Promise<void> } | undefined
  await provider?.shutdown?.().catch(() => {})
}

/**
 * server.ts of every service: config, build, graceful shutdown, listen. On SIGTERM/SIGINT the
 * service reports not-ready, waits SHUTDOWN_DRAIN_MS for load balancers to notice, stops accepting,
 * lets in-flight requests finish, then the plugins close in order (consumers, outbox, NATS, pool).
 */
export async function runService<S extends TObject>(def: ServiceDefinition<S>): Promise<FastifyInstance> {
  const config = configOrExit(def)
  const app = await buildService(def, config)

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after a fatal error')
    else app.log.info({ signal }, 'shutting down')
    app.readiness.draining = true
    if (config.SHUTDOWN_DRAIN_MS > 0) await sleep(config.SHUTDOWN_DRAIN_MS)
    await app.close()
    await flushTraces()
  })

  await app.listen({ host: config.HOST, port: config.PORT })
  return app
}
