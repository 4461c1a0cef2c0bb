/**
 * Loaded with `node --import @sunbae/telemetry/register src/server.ts`, before the app. Registers the
 * ESM loader hook the instrumentations need, then starts the SDK.
 */
import { register } from 'node:module'
import { basename } from 'node:path'

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)

const { startTelemetry, stopTelemetry, telemetryOptionsFromEnv } = await import('./index.ts')

startTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME ?? process.env.npm_package_name?.replace(/^@sunbae\//, '') ?? basename(process.cwd()),
  otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  ...telemetryOptionsFromEnv(),
})

// Flush spans on the way out; the app's own shutdown runs first (close-with-grace), this is the last step.
process.once('beforeExit', () => void stopTelemetry())
