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

export interface TelemetryOptions {
  serviceName: string
  /** OTLP/HTTP endpoint; without it spans are still created (trace ids in logs and across NATS) but not exported. */
  otlpEndpoint?: string | undefined
}

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
export function startTelemetry(opts: TelemetryOptions): NodeSDK {
  if (sdk) return sdk
  // Nothing may reach the internet: no cloud metadata probing, no default exporters for
  // metrics and logs.
  process.env.OTEL_METRICS_EXPORTER ??= 'none'
  process.env.OTEL_LOGS_EXPORTER ??= 'none'
  // Without an exporter a processor that drops spans still makes the SDK register its tracer
  // provider, so new traces get real ids (for logs and for propagation over HTTP and NATS).
  const spanProcessors: SpanProcessor[] = opts.otlpEndpoint
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }) })]
    : [dropSpans]
  sdk = new NodeSDK({
    serviceName: opts.serviceName,
    resourceDetectors: [envDetector, hostDetector, osDetector, processDetector],
    spanProcessors,
    instrumentations: [
      new HttpInstrumentation({
        // probes are noise in traces
        ignoreIncomingRequestHook: (req) => req.url === '/healthz' || req.url === '/readyz',
      }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new PinoInstrumentation(),
      new MongoDBInstrumentation(),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: '/{healthz,readyz}' }),
    ],
  })
  sdk.start()
  return sdk
}

export async function stopTelemetry(): Promise<void> {
  const current = sdk
  sdk = undefined
  await current?.shutdown()
}
