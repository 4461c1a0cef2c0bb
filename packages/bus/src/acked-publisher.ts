import type { Context } from '@opentelemetry/api'
import { createInbox, headers as natsHeaders, type Msg, type MsgHdrs, type Status, type Subscription } from '@nats-io/nats-core'
import type { Bus } from './connection.ts'
import { decodeJson, encodeJson } from './codec.ts'
import { injectTraceHeaders } from './trace.ts'

/** why records were given up: the buffer was full, the publisher closed with them unconfirmed, or the server refused the message itself (too large, invalid subject) */
export type AckedDropReason = 'buffer_full' | 'shutdown' | 'rejected'

export interface AckedPublisherOptions {
  /** records (not messages) kept until JetStream confirms them; beyond it publish() drops */
  capacity: number
  /** an unconfirmed message is sent again after this long (default 5 s); its Nats-Msg-Id makes that idempotent */
  ackTimeoutMs?: number
  /** records JetStream confirmed (stored, or already stored: a duplicate) */
  onAcked?: (records: number) => void
  /** records given up, and why */
  onDropped?: (records: number, reason: AckedDropReason) => void
  /** in log lines */
  name?: string
}

export interface AckedPublishOptions {
  /** `Nats-Msg-Id`, required: a resend must be deduplicated by the stream's duplicate window */
  msgId: string
  /** records this message carries (an access-log batch carries many); default 1 */
  records?: number
  /** the trace the message belongs to (default: the active context) */
  context?: Context
}

interface Pending {
  subject: string
  data: Uint8Array
  headers: MsgHdrs
  records: number
  /** when it was last sent; 0 = not sent yet (disconnected) */
  sentAt: number
}

interface PubAck {
  stream?: string
  seq?: number
  duplicate?: boolean
  error?: { code?: number; err_code?: number; description?: string }
}

/**
 * Telemetry that must not be lost to a NATS blip (access logs, search events): each message is
 * kept until its JetStream PubAck arrives, within a bounded buffer counted in records.
 *
 * Cheap per message, unlike `js.publish()` (which builds a request, a RequestError and a
 * TimeoutError with stacks per call — a sixth of the search route's CPU): one inbox subscription
 * for the whole publisher; each message is a core publish whose reply subject is `<inbox>.<seq>`,
 * so the PubAck comes back there and settles it. Nothing waits per message: one timer resends what
 * stays unconfirmed past `ackTimeoutMs`, a 'reconnect' resends everything pending at once, and
 * nothing is sent while disconnected (nats.js would drop it on reconnect). The `Nats-Msg-Id`
 * makes every resend idempotent within the stream's duplicate window.
 *
 * A PubAck error (stream missing, limits) or a 503 (no stream listening) leaves the message
 * pending, retried on the timer, logged once per kind. `publish()` never throws and never blocks:
 * false when the buffer is full (reported through onDropped).
 */
export class AckedPublisher {
  readonly #bus: Bus
  readonly #capacity: number
  readonly #ackTimeoutMs: number
  readonly #onAcked: (records: number) => void
  readonly #onDropped: (records: number, reason: AckedDropReason) => void
  readonly #name: string
  readonly #pending = new Map<number, Pending>()
  readonly #prefix: string
  readonly #sub: Subscription
  readonly #timer: NodeJS.Timeout
  readonly #loggedErrors = new Set<string>()
  #status: { stop(): void } | undefined
  #seq = 0
  #records = 0
  #connected = true
  #closed = false
  /** resolved when nothing is pending (close() waits on it) */
  #drained: (() => void) | undefined

  constructor(bus: Bus, opts: AckedPublisherOptions) {
    this.#bus = bus
    this.#capacity = opts.capacity
    this.#ackTimeoutMs = opts.ackTimeoutMs ?? 5_000
    this.#onAcked = opts.onAcked ?? (() => {})
    this.#onDropped = opts.onDropped ?? (() => {})
    this.#name = opts.name ?? 'acked-publisher'
    const inbox = createInbox(bus.inboxPrefix)
    this.#prefix = `${inbox}.`
    this.#sub = bus.nc.subscribe(`${inbox}.*`, { callback: (err, msg) => this.#settle(err, msg) })
    this.#timer = setInterval(() => this.#resendExpired(), Math.max(10, Math.min(1_000, Math.floor(this.#ackTimeoutMs / 2))))
    // the publisher never keeps a process alive: close() is what waits for acks
    this.#timer.unref()
    void this.#watch()
  }

  /** records not yet confirmed */
  get size(): number {
    return this.#records
  }

  publish(subject: string, payload: unknown, opts: AckedPublishOptions): boolean {
    const records = opts.records ?? 1
    if (this.#closed) {
      this.#onDropped(records, 'shutdown')
      return false
    }
    if (this.#records + records > this.#capacity) {
      this.#onDropped(records, 'buffer_full')
      return false
    }
    let entry: Pending
    try {
      const headers = injectTraceHeaders(natsHeaders(), opts.context)
      headers.set('Nats-Msg-Id', opts.msgId)
      entry = { subject, data: payload instanceof Uint8Array ? payload : encodeJson(payload), headers, records, sentAt: 0 }
    } catch (err) {
      this.#bus.logger.warn({ err, subject, publisher: this.#name }, 'telemetry message could not be encoded')
      this.#onDropped(records, 'rejected')
      return false
    }
    const maxPayload = this.#bus.nc.info?.max_payload
    if (maxPayload !== undefined && entry.data.length > maxPayload) {
      this.#logOnce('too-large', { subject, bytes: entry.data.length, maxPayload }, 'telemetry message above the server’s max_payload, dropped')
      this.#onDropped(records, 'rejected')
      return false
    }
    const seq = ++this.#seq
    this.#pending.set(seq, entry)
    this.#records += records
    if (!this.#send(seq, entry)) {
      this.#pending.delete(seq)
      this.#records -= records
      this.#onDropped(records, 'rejected')
      return false
    }
    return true
  }

  /**
   * Waits up to `timeoutMs` for what is pending to be confirmed, then gives the rest up (counted
   * 'shutdown'). Leaves no timer and no subscription behind. Call before the connection drains.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#pending.size > 0 && !this.#bus.nc.isClosed()) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.#drained = resolve
        timer = setTimeout(resolve, timeoutMs)
      })
      clearTimeout(timer)
      this.#drained = undefined
    }
    clearInterval(this.#timer)
    this.#status?.stop()
    if (!this.#bus.nc.isClosed()) this.#sub.unsubscribe()
    if (this.#records > 0) this.#onDropped(this.#records, 'shutdown')
    this.#pending.clear()
    this.#records = 0
  }

  /** false when the server can never take it (invalid subject); a closed or draining connection only waits */
  #send(seq: number, entry: Pending): boolean {
    const nc = this.#bus.nc
    if (!this.#connected || nc.isClosed() || nc.isDraining()) return true
    try {
      nc.publish(entry.subject, entry.data, { reply: `${this.#prefix}${seq}`, headers: entry.headers })
      entry.sentAt = Date.now()
      return true
    } catch (err) {
      if (nc.isClosed() || nc.isDraining()) return true
      this.#bus.logger.warn({ err, subject: entry.subject, publisher: this.#name }, 'telemetry publish refused')
      return false
    }
  }

  #settle(err: Error | null, msg: Msg): void {
    if (err || !msg.subject?.startsWith(this.#prefix)) return
    const seq = Number(msg.subject.slice(this.#prefix.length))
    const entry = this.#pending.get(seq)
    if (!entry) return // settled already (an ack for a resend)
    if (msg.headers?.hasError) {
      // 503: no stream listens on the subject (yet: JetStream still starting); retried on the timer
      this.#logOnce(`status-${msg.headers.code}`, { subject: entry.subject, code: msg.headers.code, status: msg.headers.description }, 'telemetry not stored yet, will retry')
      return
    }
    let ack: PubAck | undefined
    try {
      ack = decodeJson<PubAck>(msg.data)
    } catch {
      ack = undefined
    }
    if (!ack || ack.error || typeof ack.seq !== 'number') {
      const kind = ack?.error ? `error-${ack.error.err_code ?? ack.error.code}` : 'malformed'
      this.#logOnce(kind, { subject: entry.subject, error: ack?.error }, 'telemetry refused by JetStream, will retry')
      return
    }
    this.#pending.delete(seq)
    this.#records -= entry.records
    this.#onAcked(entry.records)
    if (this.#pending.size === 0) this.#drained?.()
  }

  #resendExpired(): void {
    if (!this.#connected || this.#pending.size === 0) return
    const due = Date.now() - this.#ackTimeoutMs
    for (const [seq, entry] of this.#pending) if (entry.sentAt <= due) this.#send(seq, entry)
  }

  async #watch(): Promise<void> {
    const status = this.#bus.nc.status() as AsyncIterable<Status> & { stop(): void }
    this.#status = status
    for await (const s of status) {
      if (s.type === 'disconnect') this.#connected = false
      else if (s.type === 'reconnect') {
        this.#connected = true
        // what was sent before the outage may never have reached the server: everything again
        for (const [seq, entry] of this.#pending) this.#send(seq, entry)
      }
    }
  }

  #logOnce(kind: string, details: object, message: string): void {
    if (this.#loggedErrors.has(kind)) return
    this.#loggedErrors.add(kind)
    this.#bus.logger.warn({ ...details, publisher: this.#name }, message)
  }
}
