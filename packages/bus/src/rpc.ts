import { errors as natsErrors, headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core'
import { Svcm, ServiceErrorCodeHeader, ServiceErrorHeader, type Service, type ServiceMsg } from '@nats-io/services'
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'
import type { Bus } from './connection.ts'
import { decodeJson, encodeJson } from './codec.ts'
import { errorAttributes, extractTraceContext, injectTraceHeaders, tracer } from './trace.ts'

/**
 * A failed request. `code` is machine-readable (BUS_TIMEOUT, BUS_NO_RESPONDERS, or the code the
 * remote endpoint threw), `statusCode` is HTTP-like so a route can pass it straight on.
 */
export class BusError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly details: unknown
  constructor(code: string, statusCode: number, message: string, options?: ErrorOptions & { details?: unknown }) {
    super(message, options)
    this.name = 'BusError'
    this.code = code
    this.statusCode = statusCode
    this.details = options?.details
  }
}

export type EndpointHandler = (payload: any, meta: { headers: MsgHdrs | undefined; subject: string }) => Promise<unknown>

export interface ServeOptions {
  bus: Bus
  /** service name, e.g. `mentor-catalog` (letters, digits, - and _) */
  name: string
  /** semver */
  version: string
  description?: string
  /** subject prefix of every endpoint, e.g. `catalog.users` → `catalog.users.<endpoint>` */
  group: string
  endpoints: Record<string, EndpointHandler>
}

export interface RunningService {
  service: Service
  /** stops receiving requests and waits for the ones in flight */
  stop(): Promise<void>
}

/** The body of an error reply; the status travels in the services API error headers. */
interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

const INTERNAL: ErrorBody = { error: { code: 'INTERNAL', message: 'Internal error' } }

/** Errors that carry an HTTP-like status were thrown on purpose and may be shown; anything else is an internal failure. */
function toErrorReply(err: unknown): { status: number; body: ErrorBody } {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown; details?: unknown } | null
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600) {
    const code = typeof e.code === 'string' ? e.code : e.statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL'
    const body: ErrorBody = { error: { code, message: String(e.message ?? code) } }
    if (e.details !== undefined) body.error.details = e.details
    return { status: e.statusCode, body }
  }
  return { status: 500, body: INTERNAL }
}

export async function serveEndpoints(opts: ServeOptions): Promise<RunningService> {
  const { bus } = opts
  // @nats-io/services pins an older nats-core; the connection is the same object at runtime.
  const service = await new Svcm(bus.nc as never).add({
    name: opts.name,
    version: opts.version,
    description: opts.description ?? '',
  })
  const group = service.addGroup(opts.group)
  const inFlight = new Set<Promise<void>>()

  const handle = async (name: string, fn: EndpointHandler, msg: ServiceMsg): Promise<void> => {
    const parent = extractTraceContext(msg.headers as MsgHdrs | undefined)
    const span = tracer.startSpan(
      msg.subject,
      { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'nats', 'rpc.service': opts.name, 'rpc.method': name } },
      parent,
    )
    try {
      let payload: unknown
      try {
        payload = decodeJson(msg.data)
      } catch {
        throw Object.assign(new Error('request body is not JSON'), { statusCode: 400, code: 'BAD_REQUEST' })
      }
      const result = await context.with(trace.setSpan(parent, span), () =>
        fn(payload, { headers: msg.headers as MsgHdrs | undefined, subject: msg.subject }),
      )
      msg.respond(encodeJson(result ?? null))
    } catch (err) {
      const { status, body } = toErrorReply(err)
      if (status >= 500) {
        span.recordException(err instanceof Error ? err : new Error(String(err)))
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorAttributes(err).message })
        bus.logger.error({ err, subject: msg.subject }, 'endpoint failed')
      }
      span.setAttribute('rpc.response.status_code', status)
      msg.respondError(status, body.error.message, encodeJson(body))
    } finally {
      span.end()
    }
  }

  for (const [name, fn] of Object.entries(opts.endpoints)) {
    group.addEndpoint(name, {
      handler: (err, msg) => {
        if (err) {
          bus.logger.error({ err, endpoint: name }, 'endpoint subscription failed')
          return
        }
        const p = handle(name, fn, msg).finally(() => inFlight.delete(p))
        inFlight.add(p)
      },
    })
  }
  bus.logger.info({ service: opts.name, group: opts.group, endpoints: Object.keys(opts.endpoints) }, 'service started')

  return {
    service,
    stop: async () => {
      if (!service.isStopped) await service.stop()
      await Promise.allSettled([...inFlight])
    },
  }
}

export interface RequestOptions {
  /** default 2000 ms */
  timeoutMs?: number
  headers?: MsgHdrs
}

/**
 * Calls an endpoint and decodes its JSON reply. Every failure is a BusError, so callers only
 * need one catch to turn it into their own HTTP error.
 */
export async function request<T = unknown>(bus: Bus, subject: string, payload: unknown, opts: RequestOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 2000
  return tracer.startActiveSpan(
    `${subject} request`,
    { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'nats', 'messaging.destination.name': subject } },
    async (span) => {
      try {
        const h = opts.headers ?? natsHeaders()
        injectTraceHeaders(h)
        let reply
        try {
          reply = await bus.nc.request(subject, encodeJson(payload), { timeout: timeoutMs, headers: h })
        } catch (err) {
          throw toBusError(err, subject, timeoutMs)
        }
        const rh = reply.headers
        if (rh?.has(ServiceErrorCodeHeader)) {
          const status = Number(rh.get(ServiceErrorCodeHeader)) || 500
          let body: Partial<ErrorBody> | undefined
          try {
            body = decodeJson<Partial<ErrorBody>>(reply.data)
          } catch {
            body = undefined
          }
          throw new BusError(body?.error?.code ?? `REMOTE_${status}`, status, body?.error?.message ?? rh.get(ServiceErrorHeader), {
            details: body?.error?.details,
          })
        }
        try {
          return decodeJson<T>(reply.data)
        } catch (err) {
          throw new BusError('BUS_BAD_REPLY', 502, `reply from ${subject} is not JSON`, { cause: err })
        }
      } catch (err) {
        const e = err as BusError
        span.setAttribute('rpc.response.status_code', e.statusCode)
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.code })
        throw err
      } finally {
        span.end()
      }
    },
  )
}

function toBusError(err: unknown, subject: string, timeoutMs: number): BusError {
  if (err instanceof natsErrors.TimeoutError) return new BusError('BUS_TIMEOUT', 504, `no reply from ${subject} within ${timeoutMs} ms`, { cause: err })
  const noResponders =
    err instanceof natsErrors.NoRespondersError ||
    (err instanceof natsErrors.RequestError && err.isNoResponders()) ||
    (err instanceof Error && err.cause instanceof natsErrors.NoRespondersError)
  if (noResponders) return new BusError('BUS_NO_RESPONDERS', 503, `no service answers on ${subject}`, { cause: err })
  return new BusError('BUS_UNAVAILABLE', 503, `request to ${subject} failed: ${errorAttributes(err).message}`, { cause: err })
}
