import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace'
import { envDetector, hostDetector, osDetector, processDetector } from '@opentelemetry/resources'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino'
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import type { Instrumentation } from '@opentelemetry/instrumentation'

/**
 * The modules these instrumentations patch (pg, pino, http …): the only ones the ESM loader hook
 * needs to intercept (register.ts).
 */
export function instrumentedModules(list: readonly Instrumentation[]): string[] {
  const names = list.flatMap((i) => ('getModuleDefinitions' in i && typeof i.getModuleDefinitions === 'function' ? (i.getModuleDefinitions() as { name: string }[]) : []).map((d) => d.name))
  return [...new Set(names)]
}

export interface TelemetryOptions {
  serviceName: string
  /** OTLP/HTTP endpoint; without it spans are still created (trace ids in logs and across NATS) but not exported. */
  otlpEndpoint?: string | undefined
  /** instrumentations to leave out (OTEL_NODE_DISABLED_INSTRUMENTATIONS) */
  disabled?: readonly InstrumentationName[]
  /** one span per Fastify hook, not only per request and handler (OTEL_FASTIFY_HOOK_SPANS=true) */
  fastifyHookSpans?: boolean
}

export const INSTRUMENTATIONS = ['http', 'undici', 'pg', 'pino', 'mongodb', 'fastify'] as const
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number]

/** Probes are noise in traces (and cheap to skip: a string compare, no glob). */
const isProbePath = (url: string | undefined) => url === '/healthz' || url === '/readyz'

/**
 * Options from the environment, as register.ts reads them:
 * - OTEL_NODE_DISABLED_INSTRUMENTATIONS: comma-separated names from INSTRUMENTATIONS (the variable
 *   auto-instrumentations-node uses for the same purpose); when unset, the `sunbae.telemetry.disabledInstrumentations`
 *   list of the package.json in the working directory (the gateway traces its own requests, see
 *   gateway/src/plugins/app/tracing.ts, and turns the generic http/fastify/undici spans off there);
 * - OTEL_FASTIFY_HOOK_SPANS: `true` adds a span for every Fastify hook (off by default: one span
 *   per hook per request costs more than it tells).
 * The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, read by the SDK; see
 * DEFAULT_SAMPLER for what applies when they are unset.
 */
export function telemetryOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Pick<TelemetryOptions, 'disabled' | 'fastifyHookSpans'> {
  let names: string[]
  if (env.OTEL_NODE_DISABLED_INSTRUMENTATIONS !== undefined) names = env.OTEL_NODE_DISABLED_INSTRUMENTATIONS.split(',')
  else {
    try {
      const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { sunbae?: { telemetry?: { disabledInstrumentations?: unknown } } }
      const list = pkg.sunbae?.telemetry?.disabledInstrumentations
      names = Array.isArray(list) ? list.map(String) : []
    } catch {
      names = []
    }
  }
  const disabled = names
    .map((s) => s.trim().replace(/^@fastify\/otel$/, 'fastify'))
    .filter((s): s is InstrumentationName => (INSTRUMENTATIONS as readonly string[]).includes(s))
  return { disabled, fastifyHookSpans: env.OTEL_FASTIFY_HOOK_SPANS === 'true' }
}

/**
 * The sampler when OTEL_TRACES_SAMPLER is unset: a trace is kept for 1 request in 10 at the edge
 * (the gateway, or a service for work that starts there), and every service follows the caller's
 * decision (parent-based), so a trace is kept whole or not at all. Unsampled requests still get a
 * trace id: it goes into logs, access-log events and the traceparent sent on (flag 00).
 * OTEL_TRACES_SAMPLER=parentbased_always_on keeps every trace (e.g. while debugging locally).
 */
export const DEFAULT_SAMPLER = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' } as const

let sdk: NodeSDK | undefined

const dropSpans: SpanProcessor = {
  onStart: () => {},
  onEnd: () => {},
  forceFlush: async () => {},
  shutdown: async () => {},
}

/**
 * Starts OpenTelemetry. Must run before the app's modules load (see register.ts, used with
 * `node --import`), otherwise the instrumentations cannot patch pg, http and pino.
 */
export function startTelemetry(opts: TelemetryOptions, instrumented: Instrumentation[] = instrumentations(opts)): NodeSDK {
  if (sdk) return sdk
  // Nothing may reach the internet: no cloud metadata probing, no default exporters for
  // metrics and logs.
  process.env.OTEL_METRICS_EXPORTER ??= 'none'
  process.env.OTEL_LOGS_EXPORTER ??= 'none'
  if (!process.env.OTEL_TRACES_SAMPLER) {
    process.env.OTEL_TRACES_SAMPLER = DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER
    process.env.OTEL_TRACES_SAMPLER_ARG ||= DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER_ARG
  }
  // Without an exporter a processor that drops spans still makes the SDK register its tracer
  // provider, so new traces get real ids (for logs and for propagation over HTTP and NATS).
  const spanProcessors: SpanProcessor[] = opts.otlpEndpoint
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }) })]
    : [dropSpans]
  sdk = new NodeSDK({
    serviceName: opts.serviceName,
    resourceDetectors: [envDetector, hostDetector, osDetector, processDetector],
    spanProcessors,
    instrumentations: instrumented,
  })
  sdk.start()
  return sdk
}

/** The instrumentations these options ask for, not yet enabled (startTelemetry enables them). */
export function instrumentations(opts: TelemetryOptions): Instrumentation[] {
  const off = new Set(opts.disabled ?? [])
  const all = {
    http: () => new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => isProbePath(req.url) }),
    undici: () => new UndiciInstrumentation(),
    pg: () => new PgInstrumentation({ enhancedDatabaseReporting: false }),
    pino: () => new PinoInstrumentation(),
    mongodb: () => new MongoDBInstrumentation(),
    fastify: () =>
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // a function, not a glob: the glob form builds a minimatch matcher on every request
        ignorePaths: (route: { url: string }) => isProbePath(route.url),
        instrumentHooks: opts.fastifyHookSpans === true,
      }),
  }
  return INSTRUMENTATIONS.filter((name) => !off.has(name)).map((name) => all[name]())
}

export async function stopTelemetry(): Promise<void> {
  const current = sdk
  sdk = undefined
  await current?.shutdown()
}
