import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { context, diag, DiagConsoleLogger, DiagLogLevel, propagation, trace, type TextMapPropagator } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace'
import { detectResources, envDetector, hostDetector, osDetector, processDetector, resourceFromAttributes, type ResourceDetector } from '@opentelemetry/resources'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino'
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb'
import { FastifyOtelInstrumentation } from '@fastify/otel'

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

/**
 * What the environment asks of the trace SDK, read the way the OpenTelemetry SDK specification names
 * the variables (sdk-node read them before; this package composes the SDK itself, see startTelemetry).
 */
export interface TraceSetup {
  sampler: Sampler
  /** `otlp` (http/protobuf, to `<endpoint>/v1/traces`), `console`, or none: spans are dropped (ids still real) */
  exporter: { kind: 'otlp'; url: string } | { kind: 'console' } | { kind: 'none' }
  propagators: ('tracecontext' | 'baggage')[]
  detectors: ('env' | 'host' | 'os' | 'process')[]
  spanLimits: SpanLimits
  batch: { maxQueueSize?: number; scheduledDelayMillis?: number; exportTimeoutMillis?: number; maxExportBatchSize?: number }
}

const list = (v: string | undefined): string[] | undefined => {
  const items = v?.split(',').map((s) => s.trim()).filter(Boolean)
  return items?.length ? items : undefined
}
const positive = (v: string | undefined): number | undefined => {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v)
  return Number.isFinite(n) && n > 0 ? n : undefined
}
const DETECTORS = ['env', 'host', 'os', 'process'] as const

/** The sampler OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG name; DEFAULT_SAMPLER when unset. */
export function samplerFromEnv(env: Record<string, string | undefined> = process.env): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim() || DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER
  const argGiven = env.OTEL_TRACES_SAMPLER?.trim() ? env.OTEL_TRACES_SAMPLER_ARG : (env.OTEL_TRACES_SAMPLER_ARG || DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER_ARG)
  const arg = argGiven === undefined || argGiven.trim() === '' ? NaN : Number(argGiven)
  // the specification's default ratio when the argument is missing or out of [0, 1]
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio)
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) })
    default:
      diag.error(`unknown OTEL_TRACES_SAMPLER "${name}": using ${DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER} ${DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER_ARG}`)
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(Number(DEFAULT_SAMPLER.OTEL_TRACES_SAMPLER_ARG)) })
  }
}

/**
 * The trace setup the environment (and the options register.ts read) asks for:
 * - exporter: OTLP over http/protobuf when an endpoint is set (opts.otlpEndpoint, i.e.
 *   OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as the full URL) and
 *   OTEL_TRACES_EXPORTER is unset or `otlp`; `console` prints spans; `none` (or no endpoint) loads no
 *   exporter at all. Other protocols are not installed: a warning, and http/protobuf.
 * - OTEL_PROPAGATORS: tracecontext and baggage (the default both); `none` for neither.
 * - OTEL_NODE_RESOURCE_DETECTORS: env, host, os, process (all four by default) — none of them asks
 *   a network service; the cloud metadata detectors are not even installed.
 * - span limits (OTEL_SPAN_*, OTEL_ATTRIBUTE_*) and the batch processor's (OTEL_BSP_*).
 */
export function traceSetupFromEnv(opts: Pick<TelemetryOptions, 'otlpEndpoint'>, env: Record<string, string | undefined> = process.env): TraceSetup {
  const exporters = list(env.OTEL_TRACES_EXPORTER) ?? ['otlp']
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (opts.otlpEndpoint ? `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` : '')
  let exporter: TraceSetup['exporter'] = { kind: 'none' }
  if (exporters.includes('none')) exporter = { kind: 'none' }
  else if (exporters.includes('console')) exporter = { kind: 'console' }
  else if (exporters.includes('otlp') && tracesUrl) {
    const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim() || 'http/protobuf'
    if (protocol !== 'http/protobuf') diag.warn(`OTLP traces protocol "${protocol}" is not installed: using http/protobuf`)
    exporter = { kind: 'otlp', url: tracesUrl }
  }
  for (const name of exporters) if (!['otlp', 'console', 'none'].includes(name)) diag.warn(`unsupported OTEL_TRACES_EXPORTER "${name}" (otlp, console, none)`)

  const propagatorNames = list(env.OTEL_PROPAGATORS) ?? ['tracecontext', 'baggage']
  const propagators = propagatorNames.includes('none')
    ? []
    : [...new Set(propagatorNames)].filter((p): p is 'tracecontext' | 'baggage' => {
        if (p === 'tracecontext' || p === 'baggage') return true
        diag.warn(`unsupported propagator "${p}" in OTEL_PROPAGATORS (tracecontext, baggage)`)
        return false
      })

  const detectorNames = list(env.OTEL_NODE_RESOURCE_DETECTORS) ?? ['all']
  const detectors = detectorNames.includes('none')
    ? []
    : detectorNames.includes('all')
      ? [...DETECTORS]
      : detectorNames.filter((d): d is (typeof DETECTORS)[number] => {
          if ((DETECTORS as readonly string[]).includes(d)) return true
          // e.g. aws, gcp: cloud metadata would mean a network call at boot
          diag.warn(`resource detector "${d}" is not available (env, host, os, process)`)
          return false
        })

  const n = (...names: string[]) => names.map((k) => positive(env[k])).find((v) => v !== undefined)
  const spanLimits: SpanLimits = {}
  const limits: [keyof SpanLimits, number | undefined][] = [
    ['attributeCountLimit', n('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT')],
    ['attributeValueLengthLimit', n('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT')],
    ['eventCountLimit', n('OTEL_SPAN_EVENT_COUNT_LIMIT')],
    ['linkCountLimit', n('OTEL_SPAN_LINK_COUNT_LIMIT')],
  ]
  for (const [k, v] of limits) if (v !== undefined) spanLimits[k] = v
  const batch: TraceSetup['batch'] = {}
  const bsp: [keyof TraceSetup['batch'], number | undefined][] = [
    ['maxQueueSize', n('OTEL_BSP_MAX_QUEUE_SIZE')],
    ['scheduledDelayMillis', n('OTEL_BSP_SCHEDULE_DELAY')],
    ['exportTimeoutMillis', n('OTEL_BSP_EXPORT_TIMEOUT')],
    ['maxExportBatchSize', n('OTEL_BSP_MAX_EXPORT_BATCH_SIZE')],
  ]
  for (const [k, v] of bsp) if (v !== undefined) batch[k] = v
  return { sampler: samplerFromEnv(env), exporter, propagators, detectors, spanLimits, batch }
}

let running: { provider: TracerProvider; contextManager: AsyncLocalStorageContextManager; disable: () => void } | undefined

/** Without an exporter spans still start (real trace ids for logs and propagation) and are dropped at their end. */
const dropSpans: SpanProcessor = {
  onStart: () => {},
  onEnd: () => {},
  forceFlush: async () => {},
  shutdown: async () => {},
}

const detectorsByName: Record<(typeof DETECTORS)[number], ResourceDetector> = { env: envDetector, host: hostDetector, os: osDetector, process: processDetector }

/**
 * Starts OpenTelemetry tracing. Must run before the app's modules load (see register.ts, used with
 * `node --import`), otherwise the instrumentations cannot patch pg, http and pino.
 *
 * The SDK is composed here from its parts rather than through @opentelemetry/sdk-node's NodeSDK,
 * which imports every exporter it could be configured with (OTLP over gRPC, JSON and protobuf for
 * traces, metrics and logs, Zipkin, Prometheus), the metrics and logs SDKs and B3, whether used or
 * not: `node --import register -e 0` took 0.9–1.15 s of CPU and 143–150 MB with it, 0.3 s and 92 MB
 * without (bare node: 42 MB). Here: the trace SDK, the async-hooks context manager,
 * the W3C propagators, a resource from env/host/os/process, the instrumentations, and the one
 * exporter configured, imported only when it is (bench/footprint measures the difference).
 */
export async function startTelemetry(opts: TelemetryOptions, instrumented: Instrumentation[] = instrumentations(opts), env: Record<string, string | undefined> = process.env): Promise<TracerProvider | undefined> {
  if (running) return running.provider
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined
  const logLevel = env.OTEL_LOG_LEVEL?.trim().toUpperCase()
  if (logLevel && logLevel in DiagLogLevel) diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel[logLevel as keyof typeof DiagLogLevel] })

  const setup = traceSetupFromEnv(opts, env)
  // the instrumentations first, as NodeSDK did: they patch modules as the app imports them
  const disable = registerInstrumentations({ instrumentations: instrumented })

  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  const propagators: TextMapPropagator[] = setup.propagators.map((p) => (p === 'tracecontext' ? new W3CTraceContextPropagator() : new W3CBaggagePropagator()))
  if (propagators.length) propagation.setGlobalPropagator(propagators.length === 1 ? propagators[0]! : new CompositePropagator({ propagators }))

  const resource = detectResources({ detectors: setup.detectors.map((d) => detectorsByName[d]) }).merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName }))

  let processor: SpanProcessor = dropSpans
  if (setup.exporter.kind !== 'none') {
    let exporter: SpanExporter
    if (setup.exporter.kind === 'console') exporter = new ConsoleSpanExporter()
    else {
      // loaded only when configured: the OTLP exporter and its protobuf encoder, ~3 MB and ~45 ms to import
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto')
      exporter = new OTLPTraceExporter({ url: setup.exporter.url })
    }
    processor = setup.exporter.kind === 'console' ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter, ...setup.batch })
  }
  const provider = new TracerProvider({ resource, sampler: setup.sampler, spanLimits: setup.spanLimits, spanProcessors: [processor] })
  trace.setGlobalTracerProvider(provider)
  running = { provider, contextManager, disable }
  return provider
}

/** The instrumentations these options ask for, not yet enabled (startTelemetry enables them). */
export function instrumentations(opts: TelemetryOptions): Instrumentation[] {
  const off = new Set(opts.disabled ?? [])
  const all = {
    http: () => new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => isProbePath(req.url) }),
    undici: () => new UndiciInstrumentation(),
    // only queries inside a request or an event's consumer span: the outbox relay's and the jobs'
    // polling would otherwise start a root trace per query, all day (2-4 ms of CPU a second idle,
    // bench:footprint); their slow queries are still reported by the kit's query timing
    pg: () => new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
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

/** Flushes and ends the exporter (spans still queued are sent), then unregisters everything. */
export async function stopTelemetry(): Promise<void> {
  const current = running
  running = undefined
  if (!current) return
  try {
    await current.provider.shutdown()
  } finally {
    current.disable()
    trace.disable()
    propagation.disable()
    context.disable()
  }
}
