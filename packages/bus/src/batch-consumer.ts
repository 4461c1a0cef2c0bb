import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core'
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { StreamDef } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { decodeText, encodeJson } from './codec.ts'
import type { BusLogger } from './logger.ts'
import { isNotFound } from './streams.ts'
import { errorAttributes, tracer } from './trace.ts'

/** One decoded message of a batch. */
export interface BatchItem<T> {
  value: T
  msg: JsMsg
  deliveryCount: number
}

export interface BatchConsumerOptions<T> {
  bus: Bus
  stream: StreamDef | string
  durable: string
  /** one subject filter (NATS 2.9 has no multi-filter consumers) */
  filterSubject: string
  /**
   * Turns one message into what the handler writes. Throwing means the payload itself is bad:
   * retrying cannot fix it, so the message goes to the dead letters on its first delivery.
   * Returning undefined skips the message (acked with the batch, nothing to write).
   */
  decode(msg: JsMsg): T | undefined
  /**
   * Writes the whole batch in one transaction and resolves only after the commit. It must be
   * idempotent (a redelivered message is in a later batch again): e.g. ON CONFLICT DO NOTHING on
   * the message's id. The messages are acked after it resolves.
   */
  handle(items: BatchItem<T>[]): Promise<void>
  /** messages per transaction; default 1,000 */
  batchSize?: number
  /**
   * Also cut a batch once its messages' payloads add up to this many bytes; default unbounded.
   * Bounds a transaction by its data, not its message count, when one message can hold one record
   * or hundreds (the gateway's access-log batches), and bounds the memory a batch holds.
   */
  batchBytes?: number
  /** how long a partial batch waits for more messages before it is written; default 50 ms */
  maxWaitMs?: number
  /** batches being written at once; default 2 (decoding the next overlaps writing this one) */
  concurrency?: number
  /** attempts before a message that keeps failing on its own is dead-lettered; default 5 */
  maxDeliver?: number
  /** nak delay per failed attempt (last value repeats); default 1 s, 5 s, 30 s, 2 min */
  backoffMs?: readonly number[]
  /** default 30 s; a batch being written keeps its messages alive past this (msg.working()) */
  ackWaitMs?: number
  /** default `dlq.<durable>.<original subject>` (the DEADLETTER stream) */
  deadLetterSubject?: string | ((originalSubject: string) => string)
  /**
   * Whether a failure says nothing about the messages (database unreachable, shutting down): then
   * the whole batch is retried later. Any other failure is assumed to come from one bad message,
   * and the batch is split to find it. Default: `isTransientError`.
   */
  isTransient?: (err: unknown) => boolean
  /** where a new durable starts; default all (the whole stream) */
  deliverPolicy?: DeliverPolicy
  logger?: BusLogger
}

export interface RunningBatchConsumer {
  /** stops pulling, writes what was already pulled, waits for the batches in flight */
  stop(): Promise<void>
  readonly stats: { batches: number; stored: number; deadLettered: number; retried: number }
}

const DEFAULT_BACKOFF = [1_000, 5_000, 30_000, 120_000] as const
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Failures that are about the infrastructure, not the data: network errors, Postgres' connection
 * (08), resource (53), operator-intervention (57: shutdown, statement timeout), system (58) and
 * transaction-rollback (40: serialization, deadlock) classes, and pg's and pg-pool's own connect timeouts.
 */
export function isTransientError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null
  if (e?.cause !== undefined && e.cause !== err && isTransientError(e.cause)) return true
  if (typeof e?.code === 'string') {
    if (NETWORK_CODES.has(e.code)) return true
    if (/^(08|40|53|57|58)[0-9A-Z]{3}$/.test(e.code)) return true
  }
  return typeof e?.message === 'string' && /timeout expired|timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|pool is (ended|closed)|Cannot use a pool after calling end/i.test(e.message)
}

/**
 * A durable pull consumer that writes messages in batches: up to `batchSize` messages (or whatever
 * arrived within `maxWaitMs`) go to `handle` together, in one transaction, and are acked only after
 * it commits. A crash before the ack redelivers the batch; the handler's idempotent insert makes the
 * second write a no-op, so every message is stored exactly once.
 *
 * Failures: a message that does not decode is dead-lettered at once; when a batch fails for a
 * transient reason every message is nak'ed with backoff; otherwise the batch is split in halves and
 * each half retried until the failing message stands alone, which is nak'ed with backoff and, after
 * `maxDeliver` deliveries, dead-lettered (`dlq.<durable>.<subject>`, the same convention as
 * `startConsumer`) — one poison message never holds back the others.
 */
export async function startBatchConsumer<T>(opts: BatchConsumerOptions<T>): Promise<RunningBatchConsumer> {
  const { bus, durable, filterSubject } = opts
  const logger = opts.logger ?? bus.logger
  const streamName = typeof opts.stream === 'string' ? opts.stream : opts.stream.name
  const batchSize = Math.max(1, opts.batchSize ?? 1_000)
  const batchBytes = Math.max(1, opts.batchBytes ?? Number.POSITIVE_INFINITY)
  const maxWaitMs = Math.max(0, opts.maxWaitMs ?? 50)
  const concurrency = Math.max(1, opts.concurrency ?? 2)
  const maxDeliver = Math.max(1, opts.maxDeliver ?? 5)
  const backoff = opts.backoffMs && opts.backoffMs.length > 0 ? opts.backoffMs : DEFAULT_BACKOFF
  const ackWaitMs = opts.ackWaitMs ?? 30_000
  const isTransient = opts.isTransient ?? isTransientError
  const dlqSubject = (subject: string) =>
    typeof opts.deadLetterSubject === 'function'
      ? opts.deadLetterSubject(subject)
      : (opts.deadLetterSubject ?? `dlq.${durable}.${subject}`)
  const stats = { batches: 0, stored: 0, deadLettered: 0, retried: 0 }

  await declareBatchConsumer(bus, streamName, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: opts.deliverPolicy ?? DeliverPolicy.All,
    filter_subject: filterSubject,
    // Unlimited on the server: we count deliveries ourselves. A transient failure (database down)
    // must be retried until it heals, never dropped or dead-lettered for being patient.
    max_deliver: -1,
    ack_wait: ackWaitMs * 1_000_000,
    // room for the batches being written plus the one being filled, so the server keeps sending
    max_ack_pending: batchSize * (concurrency + 2),
  })

  const consumer = await bus.js.consumers.get(streamName, durable)
  const messages: ConsumerMessages = await consumer.consume({ max_messages: batchSize })

  const deadLetter = async (msg: JsMsg, err: unknown) => {
    const h = natsHeaders()
    copyTraceHeaders(msg.headers, h)
    await bus.js.publish(
      dlqSubject(msg.subject),
      encodeJson({ raw: decodeText(msg.data), error: errorAttributes(err), consumer: durable, deliveries: msg.info.deliveryCount, failedAt: new Date().toISOString() }),
      // the same stream sequence is dead-lettered once, even if we crash before term()
      { msgID: `${durable}:${msg.info.stream}:${msg.seq}`, headers: h },
    )
    // no reason argument: "+TERM <reason>" is 2.10+, a 2.9 server ignores it and redelivers
    msg.term()
    stats.deadLettered++
    logger.error({ err, subject: msg.subject, seq: msg.seq, consumer: durable }, 'message dead-lettered')
  }
  const deadLetterOrRetry = async (msg: JsMsg, err: unknown) => {
    await deadLetter(msg, err).catch((dlqErr: unknown) => {
      // nothing may be lost: without a dead letter the message stays in the stream
      logger.error({ err: dlqErr, subject: msg.subject, seq: msg.seq }, 'dead-letter publish failed')
      msg.nak(delayFor(backoff, msg.info.deliveryCount))
    })
  }

  /** Writes items; on a data error, halves until the bad message is alone. */
  const write = async (items: BatchItem<T>[]): Promise<void> => {
    try {
      await opts.handle(items)
      for (const it of items) it.msg.ack()
      stats.stored += items.length
      return
    } catch (err) {
      if (items.length > 1 && !isTransient(err)) {
        const mid = items.length >> 1
        await write(items.slice(0, mid))
        await write(items.slice(mid))
        return
      }
      for (const it of items) {
        if (!isTransient(err) && it.deliveryCount >= maxDeliver) {
          await deadLetterOrRetry(it.msg, err)
        } else {
          stats.retried++
          it.msg.nak(delayFor(backoff, it.deliveryCount))
        }
      }
      logger.warn({ err, consumer: durable, messages: items.length, transient: isTransient(err) }, 'batch write failed, will retry')
    }
  }

  const processBatch = async (msgs: JsMsg[]): Promise<void> => {
    const span = tracer.startSpan(`${durable} batch`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'process',
        'messaging.destination.name': filterSubject,
        'messaging.consumer.group.name': durable,
        'messaging.batch.message_count': msgs.length,
      },
    })
    // a slow write must not let ack_wait expire and get the batch redelivered while it is written
    const keepAlive = setInterval(() => {
      for (const m of msgs) m.working()
    }, Math.max(250, Math.floor(ackWaitMs / 2)))
    try {
      const items: BatchItem<T>[] = []
      const skipped: JsMsg[] = []
      for (const msg of msgs) {
        try {
          const value = opts.decode(msg)
          if (value === undefined) skipped.push(msg)
          else items.push({ value, msg, deliveryCount: msg.info.deliveryCount })
        } catch (err) {
          await deadLetterOrRetry(msg, err)
        }
      }
      if (items.length) await write(items)
      for (const m of skipped) m.ack()
      stats.batches++
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)))
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorAttributes(err).message })
      throw err
    } finally {
      clearInterval(keepAlive)
      span.end()
    }
  }

  let current: JsMsg[] = []
  let currentBytes = 0
  let timer: NodeJS.Timeout | undefined
  const inFlight = new Set<Promise<void>>()
  let stopping = false

  const cut = () => {
    clearTimeout(timer)
    timer = undefined
    if (current.length === 0) return
    const batch = current
    current = []
    currentBytes = 0
    const p: Promise<void> = processBatch(batch)
      .catch((err: unknown) => {
        logger.error({ err, consumer: durable }, 'batch crashed; its messages will be redelivered')
        for (const m of batch) m.nak(delayFor(backoff, m.info.deliveryCount))
      })
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }

  const loop = (async () => {
    for await (const msg of messages) {
      if (stopping) {
        // pulled after stop: hand it back at once rather than waiting out ack_wait
        msg.nak()
        continue
      }
      current.push(msg)
      currentBytes += msg.data.length
      if (current.length >= batchSize || currentBytes >= batchBytes) {
        cut()
        // backpressure: stop reading while enough batches are being written
        while (inFlight.size >= concurrency) await Promise.race(inFlight)
      } else if (current.length === 1) {
        timer = setTimeout(cut, maxWaitMs)
      }
    }
  })().catch((err: unknown) => logger.error({ err, consumer: durable }, 'batch consumer loop ended with an error'))

  void (async () => {
    for await (const s of messages.status()) {
      if (s.type === 'heartbeats_missed' || s.type === 'consumer_not_found' || s.type === 'stream_not_found' || s.type === 'consumer_deleted') {
        logger.warn({ status: s, stream: streamName, consumer: durable }, `consumer ${s.type}`)
      }
    }
  })()

  logger.info({ stream: streamName, durable, filterSubject, batchSize }, 'batch consumer started')
  return {
    stats,
    stop: async () => {
      if (stopping) return
      stopping = true
      await messages.close()
      await loop
      // what was pulled already is written rather than left to ack_wait
      cut()
      while (inFlight.size) await Promise.allSettled([...inFlight])
    },
  }
}

async function declareBatchConsumer(bus: Bus, stream: string, want: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
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

function delayFor(backoff: readonly number[], deliveryCount: number): number {
  return backoff[Math.min(deliveryCount, backoff.length) - 1] ?? backoff[backoff.length - 1] ?? 1000
}

function copyTraceHeaders(from: MsgHdrs | undefined, to: MsgHdrs): void {
  for (const key of ['traceparent', 'tracestate']) if (from?.has(key)) to.set(key, from.get(key))
}
