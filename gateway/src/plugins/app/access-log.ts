import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { AccessLogV1 } from '@sunbae/contracts'
import { ACCESS_LOG_MESSAGE, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { AckedPublisher } from '@sunbae/bus'
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
  /** records queued or waiting for their JetStream ack, together (ACCESS_LOG_BUFFER) */
  capacity: number
  flushMs: number
  bodyMax: number
  subject?: string
  /** how long close() waits for the last acks before counting the rest dropped ('shutdown') */
  closeTimeoutMs?: number
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
 * A bounded in-memory queue between requests and NATS. `push` never blocks and never throws. A timer
 * (and a full batch) triggers the flusher, which encodes the records into batch messages and hands
 * them to an AckedPublisher: each message is kept until JetStream confirms it (resent after a NATS
 * reconnect, deduplicated by its Nats-Msg-Id), with no wait on the request path. Records are
 * counted published only when confirmed, and dropped (counted, by reason) only when the buffer —
 * queued plus unconfirmed records, ACCESS_LOG_BUFFER in all — is full, or at shutdown.
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
  private readonly publisher: AckedPublisher

  constructor(app: FastifyInstance, opts: Required<AccessLogOptions>) {
    this.app = app
    this.opts = opts
    const { accessLogPublished, accessLogDropped } = app.metrics
    this.publisher = new AckedPublisher(app.bus, {
      capacity: opts.capacity,
      name: 'access-log',
      onAcked: (n) => accessLogPublished.inc(n),
      onDropped: (n, reason) => accessLogDropped.inc({ reason }, n),
    })
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.opts.flushMs)
    this.timer.unref()
  }

  /** records queued, plus those sent and not yet confirmed */
  get size(): number {
    return this.queue.length + this.publisher.size
  }

  push(record: AccessRecord): void {
    if (this.queue.length + this.publisher.size >= this.opts.capacity) {
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
   * Hands everything queued to the publisher, many records per NATS message (AccessLogBatchV1).
   * Synchronous: core publishes are buffered by the client, acks come back later. Each message gets
   * a `Nats-Msg-Id` of this process's id and a sequence number, which JetStream deduplicates on
   * (a resend after a reconnect is stored once) and tracking keys the records by.
   */
  flush(): void {
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    let unencodable = 0
    let parts: string[] = []
    let chars = 0
    const send = () => {
      const bytes = this.encoder.encode(`{"events":[${parts.join(',')}]}`)
      // the records of many requests: the message belongs to none of their traces. A refusal is
      // counted by the publisher (onDropped).
      this.publisher.publish(this.opts.subject, bytes, { msgId: `${this.producerId}.${++this.sequence}`, records: parts.length, context: ROOT_CONTEXT })
      parts = []
      chars = 0
    }
    for (const record of batch) {
      let json: string
      try {
        json = JSON.stringify(toEvent(record, this.opts.bodyMax))
      } catch (err) {
        unencodable++
        this.app.log.warn({ err }, 'access-log record could not be encoded')
        continue
      }
      if (parts.length > 0 && (parts.length >= ACCESS_LOG_MESSAGE.maxEvents || chars + json.length > ACCESS_LOG_MESSAGE.maxChars)) send()
      parts.push(json)
      chars += json.length + 1
    }
    if (parts.length > 0) send()
    if (unencodable) this.app.metrics.accessLogDropped.inc({ reason: 'encode_failed' }, unencodable)
  }

  /**
   * Last flush on shutdown, then wait (up to closeTimeoutMs) until JetStream confirmed everything;
   * what is still unconfirmed then is counted dropped ('shutdown'). Runs before NATS drains.
   */
  async close(): Promise<void> {
    clearInterval(this.timer)
    this.flush()
    await this.publisher.close(this.opts.closeTimeoutMs)
  }
}

export default fp(
  async function accessLog(app: FastifyInstance, opts: AccessLogOptions) {
    const buffer = new AccessLogBuffer(app, { subject: TELEMETRY_SUBJECTS.accessLogBatch, closeTimeoutMs: 3_000, ...opts })
    app.decorate('accessLog', buffer)
    app.metrics.accessLogQueue.size = () => buffer.size
    if (opts.enabled) buffer.start()
    app.addHook('onClose', async () => {
      await buffer.close()
    })
  },
  { name: 'gateway-access-log', dependencies: ['gateway-nats', 'gateway-metrics'] },
)
