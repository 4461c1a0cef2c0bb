import { headers as natsHeaders } from '@nats-io/nats-core'
import type { Bus } from './connection.ts'
import { encodeJson } from './codec.ts'
import { injectTraceHeaders } from './trace.ts'

/**
 * Fire-and-forget publish for high-volume telemetry (access logs, search keywords). No outbox: a
 * lost access-log line is acceptable, a database write per request is not. The promise never
 * rejects (callers ignore it), it resolves false when the publish failed.
 */
export function publishTelemetry(bus: Bus, subject: string, payload: unknown): Promise<boolean> {
  try {
    const h = injectTraceHeaders(natsHeaders())
    return bus.js.publish(subject, encodeJson(payload), { headers: h }).then(
      () => true,
      (err: unknown) => {
        bus.logger.warn({ err, subject }, 'telemetry publish failed')
        return false
      },
    )
  } catch (err) {
    bus.logger.warn({ err, subject }, 'telemetry publish failed')
    return Promise.resolve(false)
  }
}
