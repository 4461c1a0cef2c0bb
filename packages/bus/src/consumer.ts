import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core'
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import { SpanKind, SpanStatusCode, context, trace, type Context } from '@opentelemetry/api'
import type { Kysely, Transaction } from 'kysely'
import { validate as isUuid } from 'uuid'
import type { DomainEvent, StreamDef } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { decodeText, encodeJson } from './codec.ts'
import { type BusLogger } from './logger.ts'
import { isNotFound } from './streams.ts'
import { contextFromCarrier, errorAttributes, extractTraceContext, tracer } from './trace.ts'

export interface HandlerContext<DB = any> {
  /** the transaction the processed-event mark commits in: write the handler's effects through it */
  trx: Transaction<DB>
  msg: JsMsg
  deliveryCount: number
}

export type EventHandler<E extends DomainEvent = DomainEvent, DB = any> = (event: E, ctx: HandlerContext<DB>) => Promise<void>

export interface ConsumerOptions<E extends DomainEvent = DomainEvent, DB = any> {
  bus: Bus
  /** the service's database; its schema must hold processed_events (platform migration) */
  db: Kysely<DB>
  stream: StreamDef | string
  durable: string
  filterSubject: string
  handler: EventHandler<E, DB>
  /** attempts before the message is dead-lettered; default 5 */
  maxDeliver?: number
  /** nak delay per failed attempt (last value repeats); default 1 s, 5 s, 30 s, 2 min */
  backoffMs?: readonly number[]
  /** handlers running at once; default 1, which keeps the stream's order for read models */
  concurrency?: number
  /** default 30 s; a running handler keeps its message alive past this (msg.working()) */
  ackWaitMs?: number
  /** default `dlq.<durable>.<original subject>` (the DEADLETTER stream) */
  deadLetterSubject?: string | ((originalSubject: string) => string)
  logger?: BusLogger
}

export interface RunningConsumer {
  /** stops pulling and waits for the handlers in flight */
  stop(): Promise<void>
}

const DEFAULT_BACKOFF = [1_000, 5_000, 30_000, 120_000] as const

/**
 * A durable pull consumer whose handler runs at most once per event id per durable: the id is
 * recorded in processed_events in the same transaction as the handler's effects, and the message
 * is acked only after that transaction commits. A crash anywhere before the ack means redelivery,
 * and the redelivery either finds the mark (skip) or finds nothing committed (run again).
 */
export async function startConsumer<E extends DomainEvent = DomainEvent, DB = any>(opts: ConsumerOptions<E, DB>): Promise<RunningConsumer> {
  const { bus, durable, filterSubject, handler } = opts
  // processed_events is not in the service's generated DB type
  const db = opts.db as unknown as Kysely<any>
  const logger = opts.logger ?? bus.logger
  const streamName = typeof opts.stream === 'string' ? opts.stream : opts.stream.name
  const maxDeliver = opts.maxDeliver ?? 5
  const backoff = opts.backoffMs && opts.backoffMs.length > 0 ? opts.backoffMs : DEFAULT_BACKOFF
  const concurrency = Math.max(1, opts.concurrency ?? 1)
  const ackWaitMs = opts.ackWaitMs ?? 30_000
  const dlqSubject = (subject: string) =>
    typeof opts.deadLetterSubject === 'function'
      ? opts.deadLetterSubject(subject)
      : (opts.deadLetterSubject ?? `dlq.${durable}.${subject}`)

  await declareConsumer(bus, streamName, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filterSubject,
    // One spare delivery beyond ours: a crash during the last attempt is redelivered and reaches
    // the dead-letter path instead of being dropped silently by the server.
    max_deliver: maxDeliver + 1,
    ack_wait: ackWaitMs * 1_000_000,
    max_ack_pending: Math.max(concurrency * 2, 100),
  })

  const consumer = await bus.js.consumers.get(streamName, durable)
  const messages: ConsumerMessages = await consumer.consume({ max_messages: concurrency })
  const inFlight = new Set<Promise<void>>()
  let stopping = false

  const deadLetter = async (msg: JsMsg, body: Record<string, unknown>, err: unknown) => {
    const h = natsHeaders()
    copyTraceHeaders(msg.headers, h)
    await bus.js.publish(
      dlqSubject(msg.subject),
      encodeJson({ ...body, error: errorAttributes(err), consumer: durable, deliveries: msg.info.deliveryCount, failedAt: new Date().toISOString() }),
      // the same stream sequence is dead-lettered once, even if we crash before term()
      { msgID: `${durable}:${msg.info.stream}:${msg.seq}`, headers: h },
    )
    // no reason argument: "+TERM <reason>" is 2.10+, a 2.9 server ignores it and redelivers
    msg.term()
    logger.error({ err, subject: msg.subject, seq: msg.seq, consumer: durable }, 'message dead-lettered')
  }

  const processOne = async (msg: JsMsg): Promise<void> => {
    const deliveryCount = msg.info.deliveryCount
    let event: E
    try {
      event = JSON.parse(decodeText(msg.data)) as E
      if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || !isUuid(event.id) || typeof event.type !== 'string') {
        throw new Error('not an event envelope')
      }
    } catch (err) {
      // retrying cannot fix a payload: dead-letter on the first delivery
      await deadLetter(msg, { raw: decodeText(msg.data) }, err).catch((dlqErr: unknown) => {
        logger.error({ err: dlqErr, subject: msg.subject }, 'dead-letter publish failed')
        msg.nak(delayFor(backoff, deliveryCount))
      })
      return
    }

    const parent = parentContext(msg.headers, event)
    const span = tracer.startSpan(
      `${msg.subject} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': durable,
          'messaging.message.id': event.id,
          'messaging.message.delivery_count': deliveryCount,
        },
      },
      parent,
    )
    // a slow handler must not let ack_wait expire and get the message redelivered concurrently
    const keepAlive = setInterval(() => msg.working(), Math.max(250, Math.floor(ackWaitMs / 2)))
    try {
      let duplicate = false
      await context.with(trace.setSpan(parent, span), () =>
        db.transaction().execute(async (trx) => {
          const mark = await trx
            .insertInto('processed_events')
            .values({ consumer: durable, event_id: event.id })
            .onConflict((oc) => oc.doNothing())
            .returning('event_id')
            .executeTakeFirst()
          if (!mark) {
            duplicate = true
            return
          }
          await handler(event, { trx, msg, deliveryCount })
        }),
      )
      clearInterval(keepAlive)
      span.setAttribute('sunbae.duplicate', duplicate)
      msg.ack()
    } catch (err) {
      clearInterval(keepAlive)
      span.recordException(err instanceof Error ? err : new Error(String(err)))
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorAttributes(err).message })
      if (deliveryCount >= maxDeliver) {
        await deadLetter(msg, { event }, err).catch((dlqErr: unknown) => {
          // nothing may be lost: without a dead letter the message stays in the stream
          logger.error({ err: dlqErr, eventId: event.id }, 'dead-letter publish failed')
          msg.nak(delayFor(backoff, deliveryCount))
        })
      } else {
        logger.warn({ err, eventId: event.id, subject: msg.subject, consumer: durable, deliveryCount }, 'handler failed, will retry')
        msg.nak(delayFor(backoff, deliveryCount))
      }
    } finally {
      span.end()
    }
  }

  const loop = (async () => {
    for await (const msg of messages) {
      if (stopping) {
        // pulled but not started: hand it back at once rather than waiting out ack_wait
        msg.nak()
        continue
      }
      while (inFlight.size >= concurrency) await Promise.race(inFlight)
      const p = processOne(msg)
        .catch((err: unknown) => logger.error({ err, consumer: durable }, 'consumer crashed on a message'))
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
    }
  })().catch((err: unknown) => logger.error({ err, consumer: durable }, 'consumer loop ended with an error'))

  void (async () => {
    for await (const s of messages.status()) {
      // the client keeps retrying on these; say so, because nothing is consumed meanwhile
      if (s.type === 'heartbeats_missed' || s.type === 'consumer_not_found' || s.type === 'stream_not_found' || s.type === 'consumer_deleted') {
        logger.warn({ status: s, stream: streamName, consumer: durable }, `consumer ${s.type}`)
      }
    }
  })()

  logger.info({ stream: streamName, durable, filterSubject }, 'consumer started')
  return {
    stop: async () => {
      if (stopping) return
      stopping = true
      await messages.close()
      await loop
      await Promise.allSettled([...inFlight])
    },
  }
}

async function declareConsumer(bus: Bus, stream: string, want: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  const current = await bus.jsm.consumers.info(stream, want.durable_name).catch((err: unknown) => {
    if (isNotFound(err)) return null
    throw err
  })
  if (!current) {
    await bus.jsm.consumers.add(stream, want)
    return
  }
  const c = current.config
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

function parentContext(h: MsgHdrs | undefined, event: DomainEvent): Context {
  if (h?.has('traceparent')) return extractTraceContext(h)
  return contextFromCarrier(event.trace)
}

function copyTraceHeaders(from: MsgHdrs | undefined, to: MsgHdrs): void {
  for (const key of ['traceparent', 'tracestate']) if (from?.has(key)) to.set(key, from.get(key))
}
