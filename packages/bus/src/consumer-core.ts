import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core'
import { AckPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import { SpanStatusCode, type Span } from '@opentelemetry/api'
import type { StreamDef } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { encodeJson } from './codec.ts'
import type { BusLogger } from './logger.ts'
import { isNotFound } from './streams.ts'
import { errorAttributes } from './trace.ts'

/**
 * What `startConsumer` and `startBatchConsumer` share (internal, not exported from the package):
 * declaring the durable, pulling and stopping, the nak back-off, keep-alive while a message is
 * being handled, and the dead-letter publish. What they do with a message is theirs.
 */
export interface CoreOptions {
  bus: Bus
  stream: StreamDef | string
  durable: string
  /** nak delay per failed attempt of a message failing on its own (last value repeats); default 1 s, 5 s, 30 s, 2 min */
  backoffMs?: readonly number[]
  /** nak delay per delivery that failed on a dependency (`isTransientError`; last value repeats); default 1 s, 2 s, 5 s, 10 s, 15 s */
  transientBackoffMs?: readonly number[]
  /** default 30 s */
  ackWaitMs?: number
  /** default `dlq.<durable>.<original subject>` (the DEADLETTER stream) */
  deadLetterSubject?: string | ((originalSubject: string) => string)
  logger?: BusLogger
}

/** The consumer settings each kind chooses; the core adds the durable name, explicit ack and ack_wait. */
export type ConsumerSettings = Required<Pick<ConsumerConfig, 'filter_subject' | 'deliver_policy' | 'max_deliver' | 'max_ack_pending'>>

export interface PullOptions {
  settings: ConsumerSettings
  /** messages the client asks the server for at once */
  maxMessages: number
  /** called for each message in order; the next message waits for it (backpressure) */
  onMessage(msg: JsMsg): Promise<void>
  /** the log message when the pull loop itself fails */
  loopError: string
}

export const DEFAULT_BACKOFF = [1_000, 5_000, 30_000, 120_000] as const
const PULL_EXPIRES_MS = 10_000
/** Capped low: once the dependency is back, work resumes within seconds. */
export const DEFAULT_TRANSIENT_BACKOFF = [1_000, 2_000, 5_000, 10_000, 15_000] as const
/** messages whose own failures are counted at once; beyond it the oldest count is forgotten (it starts again: more retries, never fewer) */
const MAX_COUNTED = 10_000

export class ConsumerCore {
  readonly durable: string
  readonly streamName: string
  readonly logger: BusLogger
  readonly ackWaitMs: number
  readonly #bus: Bus
  readonly #backoff: readonly number[]
  readonly #transientBackoff: readonly number[]
  /** stream sequence → failures of the message itself (not of a dependency), in this process */
  readonly #ownFailures = new Map<number, number>()
  readonly #deadLetterSubject: CoreOptions['deadLetterSubject']
  readonly #inFlight = new Set<Promise<void>>()
  #messages: ConsumerMessages | undefined
  /** this consumer in `bus.durables` while it pulls */
  readonly #registered: { readonly stream: string; readonly durable: string }
  #loop: Promise<void> = Promise.resolve()
  #stopping = false

  constructor(opts: CoreOptions) {
    this.#bus = opts.bus
    this.durable = opts.durable
    this.streamName = typeof opts.stream === 'string' ? opts.stream : opts.stream.name
    this.logger = opts.logger ?? opts.bus.logger
    this.ackWaitMs = opts.ackWaitMs ?? 30_000
    this.#backoff = opts.backoffMs && opts.backoffMs.length > 0 ? opts.backoffMs : DEFAULT_BACKOFF
    this.#transientBackoff = opts.transientBackoffMs && opts.transientBackoffMs.length > 0 ? opts.transientBackoffMs : DEFAULT_TRANSIENT_BACKOFF
    this.#deadLetterSubject = opts.deadLetterSubject
    this.#registered = { stream: this.streamName, durable: this.durable }
  }

  /** the nak delay after a message's nth delivery failed */
  delay(deliveryCount: number): number {
    return delayFor(this.#backoff, deliveryCount)
  }

  /**
   * A delivery failed on a dependency (Postgres, NATS, Firestore down or timing out): the nak delay,
   * capped low. It never counts toward the dead letters — an outage of any length is waited out.
   */
  transientDelay(deliveryCount: number): number {
    return delayFor(this.#transientBackoff, deliveryCount)
  }

  /**
   * A delivery failed on the message itself: counts it and answers how many times that has happened
   * (in this process; deliveries that failed on a dependency are not counted). The caller dead-letters
   * at its limit, otherwise naks with `delay(count)`.
   */
  failedOnItsOwn(msg: JsMsg): number {
    const n = (this.#ownFailures.get(msg.seq) ?? 0) + 1
    this.#ownFailures.delete(msg.seq)
    this.#ownFailures.set(msg.seq, n)
    if (this.#ownFailures.size > MAX_COUNTED) this.#ownFailures.delete(this.#ownFailures.keys().next().value!)
    return n
  }

  /** The message is settled (handled or dead-lettered): its count goes. */
  settled(msg: JsMsg): void {
    this.#ownFailures.delete(msg.seq)
  }

  /** Creates or updates the durable, then pulls: a message pulled after stop() is handed back at once. */
  async pull(opts: PullOptions): Promise<void> {
    await declareConsumer(this.#bus, this.streamName, {
      durable_name: this.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: this.ackWaitMs * 1_000_000,
      ...opts.settings,
    })
    const consumer = await this.#bus.js.consumers.get(this.streamName, this.durable)
    // Pull requests last 10 s (heartbeats every 5 s) instead of nats.js's 30 s: a pull that goes
    // silent (seen in CI under load: "heartbeats_missed" after the first of a journey's booking events,
    // which then waited ~30 s for payment) is noticed and re-issued within ~10 s. One idle pull per 10 s
    // per consumer is all it costs.
    const messages = await consumer.consume({ max_messages: opts.maxMessages, expires: PULL_EXPIRES_MS })
    this.#messages = messages
    this.#bus.durables.add(this.#registered)
    this.#loop = (async () => {
      for await (const msg of messages) {
        if (this.#stopping) {
          // pulled but not started: hand it back at once rather than waiting out ack_wait
          msg.nak()
          continue
        }
        await opts.onMessage(msg)
      }
    })().catch((err: unknown) => this.logger.error({ err, consumer: this.durable }, opts.loopError))

    void (async () => {
      for await (const s of messages.status()) {
        // the client keeps retrying on these; say so, because nothing is consumed meanwhile
        if (s.type === 'heartbeats_missed' || s.type === 'consumer_not_found' || s.type === 'stream_not_found' || s.type === 'consumer_deleted') {
          this.logger.warn({ status: s, stream: this.streamName, consumer: this.durable }, `consumer ${s.type}`)
        }
      }
    })()
  }

  /** Counts work as in flight until it settles; `onCrash` handles its rejection. */
  track(work: Promise<void>, onCrash: (err: unknown) => void): void {
    const p: Promise<void> = work.catch(onCrash).finally(() => this.#inFlight.delete(p))
    this.#inFlight.add(p)
  }

  /** Resolves once fewer than `limit` pieces of work are in flight. */
  async below(limit: number): Promise<void> {
    while (this.#inFlight.size >= limit) await Promise.race(this.#inFlight)
  }

  /** Stops pulling, runs `beforeDrain` (work pulled but not yet started), waits for all work in flight. */
  async stop(beforeDrain?: () => void): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    this.#bus.durables.delete(this.#registered)
    await this.#messages?.close()
    await this.#loop
    beforeDrain?.()
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight])
  }

  /** Until the returned function is called, keeps the messages from being redelivered when ack_wait runs out (msg.working()). */
  keepAlive(msgs: readonly JsMsg[]): () => void {
    const timer = setInterval(() => {
      for (const m of msgs) m.working()
    }, Math.max(250, Math.floor(this.ackWaitMs / 2)))
    return () => clearInterval(timer)
  }

  /**
   * Publishes `body` with the error to the dead letters and terminates the message; true when it
   * did. When the publish fails, nothing may be lost: the message is nak'ed with back-off instead
   * and stays in the stream (logged with `logFields`).
   */
  async deadLetter(msg: JsMsg, body: Record<string, unknown>, err: unknown, logFields: Record<string, unknown>): Promise<boolean> {
    try {
      const h = natsHeaders()
      copyTraceHeaders(msg.headers, h)
      const dlq = this.#deadLetterSubject
      await this.#bus.js.publish(
        typeof dlq === 'function' ? dlq(msg.subject) : (dlq ?? `dlq.${this.durable}.${msg.subject}`),
        encodeJson({ ...body, error: errorAttributes(err), consumer: this.durable, deliveries: msg.info.deliveryCount, failedAt: new Date().toISOString() }),
        // the same stream sequence is dead-lettered once, even if we crash before term()
        { msgID: `${this.durable}:${msg.info.stream}:${msg.seq}`, headers: h },
      )
    } catch (dlqErr) {
      this.logger.error({ err: dlqErr, ...logFields }, 'dead-letter publish failed')
      msg.nak(this.delay(msg.info.deliveryCount))
      return false
    }
    // no reason argument: "+TERM <reason>" is 2.10+, a 2.9 server ignores it and redelivers
    msg.term()
    this.logger.error({ err, subject: msg.subject, seq: msg.seq, consumer: this.durable }, 'message dead-lettered')
    return true
  }
}

/** Marks a span failed with the error. */
export function recordSpanError(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)))
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorAttributes(err).message })
}

/** The delay for the nth delivery: the nth value, the last one beyond the list. */
export function delayFor(backoff: readonly number[], deliveryCount: number): number {
  return backoff[Math.min(deliveryCount, backoff.length) - 1] ?? backoff[backoff.length - 1] ?? 1000
}

/**
 * Creates the durable or brings its settings up to date. Replicas start at once: when another one
 * creates it between our info and add, its settings are compared like any existing durable's.
 */
async function declareConsumer(bus: Bus, stream: string, want: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  const current = await bus.jsm.consumers.info(stream, want.durable_name).catch((err: unknown) => {
    if (isNotFound(err)) return null
    throw err
  })
  if (!current) {
    try {
      await bus.jsm.consumers.add(stream, want)
      return
    } catch (err) {
      // another replica created it between our info and add: compare below
      if (!(await bus.jsm.consumers.info(stream, want.durable_name).then(() => true, () => false))) throw err
    }
  }
  const c = (current ?? (await bus.jsm.consumers.info(stream, want.durable_name))).config
  if (c.filter_subject !== want.filter_subject || c.max_deliver !== want.max_deliver || c.ack_wait !== want.ack_wait || c.max_ack_pending !== want.max_ack_pending) {
    await bus.jsm.consumers.update(stream, want.durable_name, {
      filter_subject: want.filter_subject,
      max_deliver: want.max_deliver,
      ack_wait: want.ack_wait,
      max_ack_pending: want.max_ack_pending,
    })
  }
}

function copyTraceHeaders(from: MsgHdrs | undefined, to: MsgHdrs): void {
  for (const key of ['traceparent', 'tracestate']) if (from?.has(key)) to.set(key, from.get(key))
}
