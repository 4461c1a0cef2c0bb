import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream'
import type { DomainEvent } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { decodeText } from './codec.ts'
import type { BusLogger } from './logger.ts'

/**
 * The last sequence a stream holds now (0 when empty). A read model captures it BEFORE reading its
 * snapshot and follows from the next one: every event after the snapshot is replayed, none is
 * missed (replays must be idempotent).
 */
export async function streamLastSeq(bus: Bus, stream: string): Promise<number> {
  const info = await bus.jsm.streams.info(stream)
  return info.state.last_seq
}

export interface FollowOptions {
  bus: Bus
  stream: string
  /** one subject filter (NATS 2.9), e.g. `catalog.mentor.>` */
  filterSubject: string
  /** first stream sequence to deliver (≥ 1); or `startTime` */
  startSeq?: number
  /** deliver from the first message stored at or after this time (instead of `startSeq`) */
  startTime?: Date
  /**
   * Called in stream order, one at a time. A malformed payload arrives as event null. Throwing does
   * not stop the follower (there is no redelivery: the consumer is not acknowledged); the handler
   * owns its retries.
   */
  handler: (event: DomainEvent | null, meta: { subject: string; seq: number }) => void | Promise<void>
  logger?: BusLogger
}

export interface Follower {
  /** stream sequence of the last message handled (startSeq - 1 before the first) */
  readonly lastSeq: number
  stop(): Promise<void>
}

/**
 * Follows a stream from a sequence with an ordered (ephemeral, in-memory, unacknowledged)
 * consumer: every process gets every message, in order; the client recreates the consumer after a
 * gap or a reconnect, resuming after the last sequence it delivered. For per-process read models
 * (a search index in every replica), not for work that must happen once — that is startConsumer.
 */
export async function followStream(opts: FollowOptions): Promise<Follower> {
  const { bus, stream, filterSubject, handler } = opts
  const logger = opts.logger ?? bus.logger
  const startSeq = Math.max(1, opts.startSeq ?? 1)
  const consumer = await bus.js.consumers.get(
    stream,
    opts.startTime
      ? { filter_subjects: filterSubject, deliver_policy: DeliverPolicy.StartTime, opt_start_time: opts.startTime.toISOString() }
      : { filter_subjects: filterSubject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq },
  )
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 512 })
  let lastSeq = startSeq - 1
  let stopping = false

  const loop = (async () => {
    for await (const msg of messages) {
      if (stopping) break
      let event: DomainEvent | null = null
      try {
        const parsed = JSON.parse(decodeText(msg.data)) as unknown
        if (typeof parsed === 'object' && parsed !== null && typeof (parsed as DomainEvent).type === 'string') event = parsed as DomainEvent
      } catch {
        event = null
      }
      try {
        await handler(event, { subject: msg.subject, seq: msg.seq })
      } catch (err) {
        logger.error({ err, subject: msg.subject, seq: msg.seq, stream }, 'follower handler failed')
      }
      lastSeq = msg.seq
    }
  })().catch((err: unknown) => logger.error({ err, stream }, 'follower loop ended with an error'))

  void (async () => {
    for await (const s of messages.status()) {
      if (s.type === 'heartbeats_missed' || s.type === 'stream_not_found' || s.type === 'consumer_deleted') {
        logger.warn({ status: s, stream }, `follower ${s.type}`)
      }
    }
  })()

  logger.info({ stream, filterSubject, startSeq }, 'following stream')
  return {
    get lastSeq() {
      return lastSeq
    },
    stop: async () => {
      if (stopping) return
      stopping = true
      await messages.close()
      await loop
    },
  }
}
