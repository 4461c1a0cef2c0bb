import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { AccessLogV1 } from '@sunbae/contracts'
import { ACCESS_LOG_MESSAGE, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { publishTelemetry } from '@sunbae/bus'
import { ROOT_CONTEXT } from '@opentelemetry/api'
import { randomUUID } from 'node:crypto'
import { createScrubber } from '@sunbae/service-kit/scrub'

/**
 * What onResponse records: raw values only. Everything that costs (ISO dates, query parsing,
 * scrubbing, JSON) happens in the background flusher, off the request path.
 */
export interface AccessRecord {
  requestId: string
  traceId: string | null
  user: string | null
  /** epoch ms */
  startedAt: number
  responseMs: number
  /** path and query as received */
  url: string
  route: string | null
  method: string
  remoteAddr: string
  host: string
  body: Buffer | string | null
  /** false when only the start of a large body was kept */
  bodyComplete: boolean
  contentType: string | undefined
  status: number
  error: string | null
  userAgent: string | null
  /** a service's JSON error body (errors only) */
  responseBody: Buffer | null
}

export interface AccessLogOptions {
  enabled: boolean
  capacity: number
  flushMs: number
  bodyMax: number
  subject?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    accessLog: AccessLogBuffer
  }
}

/** Bodies above this are kept only in part (for the text scrubber): the buffer must stay small. */
export const BODY_KEEP_MAX = 64 * 1024
/** queued records that trigger a flush before the timer */
const BATCH = 1_000

/** Secrets out of bodies and query strings (the same scrubber tracking applies again on ingest). */
const scrubber = createScrubber()

export function toEvent(r: AccessRecord, bodyMax: number): AccessLogV1 {
  const q = r.url.indexOf('?')
  return {
    requestId: r.requestId,
    traceId: r.traceId,
    user: r.user,
    requestedAt: new Date(r.startedAt).toISOString(),
    responseMs: Math.round(r.responseMs * 1000) / 1000,
    path: q < 0 ? r.url : r.url.slice(0, q),
    route: r.route,
    method: r.method,
    remoteAddr: r.remoteAddr,
    host: r.host,
    queryParams: q < 0 ? {} : scrubber.query(r.url.slice(q + 1)),
    body: scrubber.body(r.body, { contentType: r.contentType, max: bodyMax, complete: r.bodyComplete }),
    status: r.status,
    errors: r.error,
    userAgent: r.userAgent,
    responseBody: r.responseBody === null ? null : scrubber.body(r.responseBody, { contentType: 'application/json', max: bodyMax }),
  }
}

/**
 * A bounded in-memory queue between requests and NATS. `push` never blocks and never throws: when
 * the queue is full or NATS is gone the event is dropped and counted. A timer (and a full batch)
 * triggers the flusher, which publishes through the bus' publishTelemetry (core NATS into the
 * TELEMETRY stream's subject) — no per-message acknowledgement round trip, so the cost per request
 * stays a few microseconds.
 */
export class AccessLogBuffer {
  private queue: AccessRecord[] = []
  private scheduled = false
  private timer: NodeJS.Timeout | undefined
  private readonly encoder = new TextEncoder()
  /** this process, in every message id: ids stay unique across gateway replicas and restarts */
  private readonly producerId = randomUUID()
  private sequence = 0
  private readonly app: FastifyInstance
  private readonly opts: Required<AccessLogOptions>

  constructor(app: FastifyInstance, opts: Required<AccessLogOptions>) {
    this.app = app
    this.opts = opts
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.opts.flushMs)
    this.timer.unref()
  }

  get size(): number {
    return this.queue.length
  }

  push(record: AccessRecord): void {
    if (this.queue.length >= this.opts.capacity) {
      this.app.metrics.accessLogDropped.inc({ reason: 'buffer_full' })
      return
    }
    this.queue.push(record)
    if (this.queue.length >= BATCH && !this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        this.flush()
      })
    }
  }

  /**
   * Publishes everything queued, many records per NATS message (AccessLogBatchV1). Synchronous:
   * core publishes are buffered by the client. Each message gets a `Nats-Msg-Id` of this process's
   * id and a sequence number, which JetStream deduplicates on and tracking keys the records by.
   */
  flush(): void {
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    const nc = this.app.bus.nc
    if (nc.isClosed() || nc.isDraining()) {
      this.app.metrics.accessLogDropped.inc({ reason: 'nats_unavailable' }, batch.length)
      return
    }
    let published = 0
    let failed = 0
    let parts: string[] = []
    let chars = 0
    const send = () => {
      const bytes = this.encoder.encode(`{"events":[${parts.join(',')}]}`)
      // the records of many requests: the message belongs to none of their traces
      if (publishTelemetry(this.app.bus, this.opts.subject, bytes, { msgId: `${this.producerId}.${++this.sequence}`, context: ROOT_CONTEXT })) published += parts.length
      else failed += parts.length
      parts = []
      chars = 0
    }
    for (const record of batch) {
      let json: string
      try {
        json = JSON.stringify(toEvent(record, this.opts.bodyMax))
      } catch (err) {
        failed++
        this.app.log.warn({ err }, 'access-log record could not be encoded')
        continue
      }
      if (parts.length > 0 && (parts.length >= ACCESS_LOG_MESSAGE.maxEvents || chars + json.length > ACCESS_LOG_MESSAGE.maxChars)) send()
      parts.push(json)
      chars += json.length + 1
    }
    if (parts.length > 0) send()
    if (published) this.app.metrics.accessLogPublished.inc(published)
    if (failed) this.app.metrics.accessLogDropped.inc({ reason: 'publish_failed' }, failed)
  }

  /** Last flush on shutdown, then wait until the server has everything we sent. */
  async close(): Promise<void> {
    clearInterval(this.timer)
    this.flush()
    const nc = this.app.bus.nc
    if (!nc.isClosed()) await nc.flush().catch(() => {})
  }
}

export default fp(
  async function accessLog(app: FastifyInstance, opts: AccessLogOptions) {
    const buffer = new AccessLogBuffer(app, { subject: TELEMETRY_SUBJECTS.accessLogBatch, ...opts })
    app.decorate('accessLog', buffer)
    app.metrics.accessLogQueue.size = () => buffer.size
    if (opts.enabled) buffer.start()
    app.addHook('onClose', async () => {
      await buffer.close()
    })
  },
  { name: 'gateway-access-log', dependencies: ['gateway-nats', 'gateway-metrics'] },
)
