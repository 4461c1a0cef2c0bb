import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api'

declare module 'fastify' {
  interface FastifyRequest {
    /** the gateway's SERVER span of this request (a non-recording one when not sampled) */
    span: Span | null
    /** context holding `span`: injected into the upstream request as traceparent */
    traceContext: Context | null
  }
}

const INVALID_TRACE_ID = '00000000000000000000000000000000'

/**
 * One SERVER span per request, started from the caller's traceparent (if any), ended when the
 * response is done; the proxy injects its context into the upstream request, so the service's spans
 * are its children. This replaces the generic http, @fastify/otel and undici instrumentations on the
 * gateway (gateway/package.json `sunbae.telemetry.disabledInstrumentations`), which cost 2–3× the
 * gateway's own per-request work between them (bench/gateway/RESULTS.md). The sampler (parent-based)
 * decides as usual: an unsampled request still gets a trace id, for the access log and for the
 * traceparent (flag 00) sent on. Without an SDK (tests) the API is a no-op and costs nothing.
 */
export default fp(
  async function tracing(app: FastifyInstance) {
    const tracer = trace.getTracer('@sunbae/gateway')
    app.decorateRequest('span', null)
    app.decorateRequest('traceContext', null)

    app.addHook('onRequest', (request, _reply, done) => {
      const url = request.url
      // probes and scrapes are not traced
      if (url === '/healthz' || url === '/readyz' || url === '/metrics') return done()
      // most callers (browsers) send no trace headers: then there is nothing to extract
      const headers = request.headers
      let parent = ROOT_CONTEXT
      for (const field of propagation.fields()) {
        if (headers[field] !== undefined) {
          parent = propagation.extract(ROOT_CONTEXT, headers)
          break
        }
      }
      const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER }, parent)
      request.span = span
      request.traceContext = trace.setSpan(parent, span)
      done()
    })

    app.addHook('onResponse', (request, reply, done) => {
      const span = request.span
      if (span === null) return done()
      if (span.isRecording()) {
        const route = request.proxyRoute
        const status = reply.statusCode
        const url = request.url
        const q = url.indexOf('?')
        span.updateName(route ? `${request.method} ${route.prefix}` : request.method)
        span.setAttributes({
          'http.request.method': request.method,
          'url.path': q < 0 ? url : url.slice(0, q),
          'http.response.status_code': status,
          ...(route ? { 'http.route': `${route.prefix}/*`, 'sunbae.upstream.service': route.service } : {}),
          ...(request.client ? { 'client.address': request.client.ip } : {}),
          ...(request.caller ? { 'enduser.id': request.caller.identity.uid } : {}),
          ...(request.errorCode ? { 'error.type': request.errorCode } : {}),
        })
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: request.errorCode ?? `HTTP ${status}` })
      }
      span.end()
      done()
    })
  },
  { name: 'gateway-tracing' },
)

/** The trace id of this request: the gateway's span, else the caller's traceparent (no SDK loaded). */
export function traceIdOf(request: FastifyRequest): string | null {
  const span = request.span
  if (span !== null) {
    const id = span.spanContext().traceId
    if (id !== INVALID_TRACE_ID) return id
  }
  const tp = request.headers.traceparent
  return typeof tp === 'string' && tp.length >= 55 ? tp.slice(3, 35) : null
}
