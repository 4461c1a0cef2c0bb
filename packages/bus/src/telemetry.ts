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

/**
 * Core (no ack round trip) publish of an already-encoded telemetry batch into a stream subject,
 * with `Nats-Msg-Id` so JetStream drops a repeat and consumers can key the batch's records. Throws
 * when the connection refuses the publish (closed, payload too large): the caller counts the loss.
 */
export function publishTelemetryBatch(bus: Bus, subject: string, payload: Uint8Array, msgId: string): void {
  const h = natsHeaders()
  h.set('Nats-Msg-Id', msgId)
  bus.nc.publish(subject, payload, { headers: h })
}
