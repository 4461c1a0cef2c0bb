import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api'
import type { MsgHdrs } from '@nats-io/nats-core'
import type { TraceContext } from '@sunbae/contracts'

/** No NATS instrumentation exists, so the bus creates its own spans under this tracer. */
export const tracer = trace.getTracer('@sunbae/bus')

const setter: TextMapSetter<MsgHdrs> = { set: (h, key, value) => h.set(key, value) }
const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (h) => (h ? h.keys() : []),
  get: (h, key) => (h?.has(key) ? h.get(key) : undefined),
}

/** Writes `traceparent`/`tracestate` of ctx (default: the active context) into NATS headers. */
export function injectTraceHeaders(h: MsgHdrs, ctx: Context = context.active()): MsgHdrs {
  propagation.inject(ctx, h, setter)
  return h
}

/** The remote context carried by NATS headers, or the root context when there is none. */
export function extractTraceContext(h: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, h, getter)
}

/** W3C trace headers of ctx as a plain object (what the envelope and the outbox store). */
export function traceCarrier(ctx: Context = context.active()): TraceContext | undefined {
  const carrier: Record<string, string> = {}
  propagation.inject(ctx, carrier)
  if (!carrier.traceparent) return undefined
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent }
}

/** The context a stored carrier (event.trace, outbox.headers) describes. */
export function contextFromCarrier(carrier: Partial<TraceContext> | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT
}

export const errorAttributes = (err: unknown): { message: string; name: string } =>
  err instanceof Error ? { message: err.message, name: err.name } : { message: String(err), name: 'Error' }
