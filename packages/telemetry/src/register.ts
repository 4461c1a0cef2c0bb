/**
 * Loaded with `node --import @sunbae/telemetry/register src/server.ts`, before the app. Registers the
 * ESM loader hook the instrumentations need, then starts the trace SDK (index.ts startTelemetry: its
 * parts composed there, only the exporter configured loaded).
 *
 * The hook intercepts only the modules the instrumentations patch (pg, pino, http …), and runs in the
 * app's own thread (module.registerHooks, through import-in-the-middle's register-hooks) where this
 * Node has it. The first form of this file intercepted every module the app loaded, on the loader's
 * own thread: importing payment's app cost 5.6 s of CPU and 383 MB RSS under it; limiting it to the
 * instrumented modules over a message channel, 3.0 s and 288 MB; in-thread with the list, 1.7 s and
 * 206 MB (0.9 s / 147 MB without telemetry). Every service process pays this once, at boot.
 */
import { register } from 'node:module'
import { basename } from 'node:path'
import { createAddHookMessageChannel } from 'import-in-the-middle'
import { register as registerInThread, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs'

const { instrumentations, instrumentedModules, startTelemetry, stopTelemetry, telemetryOptionsFromEnv } = await import('./index.ts')

const options = {
  serviceName: process.env.OTEL_SERVICE_NAME ?? process.env.npm_package_name?.replace(/^@sunbae\//, '') ?? basename(process.cwd()),
  otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  ...telemetryOptionsFromEnv(),
}
const instrumented = instrumentations(options)

if (supportsSyncHooks()) {
  registerInThread({ include: instrumentedModules(instrumented) })
  await startTelemetry(options, instrumented)
} else {
  // an older Node: the loader's own thread, told each instrumented module over a message channel
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel()
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions)
  await startTelemetry(options, instrumented)
  // the app's imports must not run before the loader knows every module to intercept
  await waitForAllMessagesAcknowledged()
}

// Flush spans on the way out of a process that ends by itself. A service ends with process.exit
// (close-with-grace), where beforeExit never fires: the kit's runService flushes the provider itself
// after the app closed.
process.once('beforeExit', () => void stopTelemetry())
