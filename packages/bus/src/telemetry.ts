import type { Context } from '@opentelemetry/api'
import { headers as natsHeaders } from '@nats-io/nats-core'
import type { Bus } from './connection.ts'
import { encodeJson } from './codec.ts'
import { injectTraceHeaders } from './trace.ts'

export interface TelemetryPublishOptions {
  /** `Nats-Msg-Id`: JetStream drops a repeat within the stream's duplicate window, consumers can key by it */
  msgId?: string
  /**
   * The trace the message belongs to (default: the active context). A queue flushed later passes the
   * context captured when the record was queued; a batch of many requests' records passes
   * ROOT_CONTEXT, since no one trace is its.
   */
  context?: Context
}

/**
 * Best-effort telemetry (error reports, slow queries): a core NATS publish into the TELEMETRY
 * stream's subject. No outbox and no PubAck: a record lost to a NATS reconnect (nats.js drops what
 * it buffered) is acceptable here. Telemetry that must be counted (access logs, search events)
 * goes through AckedPublisher instead, which keeps each message until JetStream confirms it.
 * Everything published in one synchronous run goes out in one socket write.
 *
 * The payload is JSON-encoded unless already bytes. Never throws (callers are on request paths or
 * error handlers): false when the record was not handed to the connection — closed or draining
 * (shutting down: dropped, never published on a draining connection), or the publish refused
 * (invalid subject, payload too large), which is logged. True does not mean stored.
 */
export function publishTelemetry(bus: Bus, subject: string, payload: unknown, opts: TelemetryPublishOptions = {}): boolean {
  const nc = bus.nc
  if (nc.isClosed() || nc.isDraining()) return false
  try {
    const h = injectTraceHeaders(natsHeaders(), opts.context)
    if (opts.msgId !== undefined) h.set('Nats-Msg-Id', opts.msgId)
    nc.publish(subject, payload instanceof Uint8Array ? payload : encodeJson(payload), { headers: h })
    return true
  } catch (err) {
    bus.logger.warn({ err, subject }, 'telemetry publish failed')
    return false
  }
}
