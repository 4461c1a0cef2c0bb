import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream'
import { SpanKind } from '@opentelemetry/api'
import type { StreamDef } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { decodeText } from './codec.ts'
import { ConsumerCore, recordSpanError } from './consumer-core.ts'
import { isTransientError } from './errors.ts'
import type { BusLogger } from './logger.ts'
import { tracer } from './trace.ts'

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
  /** nak delay per attempt failed on the message itself (last value repeats); default 1 s, 5 s, 30 s, 2 min */
  backoffMs?: readonly number[]
  /** nak delay per delivery failed on a dependency (last value repeats); default 1 s, 2 s, 5 s, 10 s, 15 s */
  transientBackoffMs?: readonly number[]
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
  const { durable, filterSubject } = opts
  const core = new ConsumerCore(opts)
  const { logger } = core
  const batchSize = Math.max(1, opts.batchSize ?? 1_000)
  const batchBytes = Math.max(1, opts.batchBytes ?? Number.POSITIVE_INFINITY)
  const maxWaitMs = Math.max(0, opts.maxWaitMs ?? 50)
  const concurrency = Math.max(1, opts.concurrency ?? 2)
  const maxDeliver = Math.max(1, opts.maxDeliver ?? 5)
  const isTransient = opts.isTransient ?? isTransientError
  const stats = { batches: 0, stored: 0, deadLettered: 0, retried: 0 }

  const deadLetterOrRetry = async (msg: JsMsg, err: unknown) => {
    if (await core.deadLetter(msg, { raw: decodeText(msg.data) }, err, { subject: msg.subject, seq: msg.seq })) stats.deadLettered++
  }

  /** Writes items; on a data error, halves until the bad message is alone. */
  const write = async (items: BatchItem<T>[]): Promise<void> => {
    try {
      await opts.handle(items)
      for (const it of items) {
        it.msg.ack()
        core.settled(it.msg)
      }
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
        if (isTransient(err)) {
          // a dependency is away: retried until it is back, never counted toward the dead letters
          stats.retried++
          it.msg.nak(core.transientDelay(it.deliveryCount))
          continue
        }
        const failures = core.failedOnItsOwn(it.msg)
        if (failures >= maxDeliver) {
          await deadLetterOrRetry(it.msg, err)
          core.settled(it.msg)
        } else {
          stats.retried++
          it.msg.nak(core.delay(failures))
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
    const stopKeepAlive = core.keepAlive(msgs)
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
      recordSpanError(span, err)
      throw err
    } finally {
      stopKeepAlive()
      span.end()
    }
  }

  let current: JsMsg[] = []
  let currentBytes = 0
  let timer: NodeJS.Timeout | undefined

  const cut = () => {
    clearTimeout(timer)
    timer = undefined
    if (current.length === 0) return
    const batch = current
    current = []
    currentBytes = 0
    core.track(processBatch(batch), (err) => {
      logger.error({ err, consumer: durable }, 'batch crashed; its messages will be redelivered')
      for (const m of batch) m.nak(core.delay(m.info.deliveryCount))
    })
  }

  await core.pull({
    settings: {
      deliver_policy: opts.deliverPolicy ?? DeliverPolicy.All,
      filter_subject: filterSubject,
      // Unlimited on the server: we count deliveries ourselves. A transient failure (database down)
      // must be retried until it heals, never dropped or dead-lettered for being patient.
      max_deliver: -1,
      // room for the batches being written plus the one being filled, so the server keeps sending
      max_ack_pending: batchSize * (concurrency + 2),
    },
    maxMessages: batchSize,
    onMessage: async (msg) => {
      current.push(msg)
      currentBytes += msg.data.length
      if (current.length >= batchSize || currentBytes >= batchBytes) {
        cut()
        // backpressure: stop reading while enough batches are being written
        await core.below(concurrency)
      } else if (current.length === 1) {
        timer = setTimeout(cut, maxWaitMs)
      }
    },
    loopError: 'batch consumer loop ended with an error',
  })

  logger.info({ stream: core.streamName, durable, filterSubject, batchSize }, 'batch consumer started')
  return {
    stats,
    // what was pulled already is written rather than left to ack_wait
    stop: () => core.stop(cut),
  }
}
