import type { MsgHdrs } from '@nats-io/nats-core'
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream'
import { SpanKind, context, trace, type Context } from '@opentelemetry/api'
import { validate as isUuid } from 'uuid'
import type { DomainEvent, StreamDef } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { decodeText } from './codec.ts'
import { ConsumerCore, recordSpanError } from './consumer-core.ts'
import { isTransientError } from './errors.ts'
import { type BusLogger } from './logger.ts'
import { contextFromCarrier, extractTraceContext, tracer } from './trace.ts'
import type { BusDatabase, BusTx } from './outbox.repository.ts'
import { handleOnce } from './processed-events.repository.ts'

export interface HandlerContext<DB = any> {
  /** the transaction the processed-event mark commits in: write the handler's effects through it */
  trx: BusTx<DB>
  msg: JsMsg
  deliveryCount: number
  /**
   * Runs `fn` once the transaction has committed (never after a rollback): wake-ups of work that
   * must see the handler's rows, which another connection cannot see before the commit. A failing
   * `fn` is logged; the event stays handled.
   */
  afterCommit(fn: () => void | Promise<void>): void
}

/**
 * Thrown by a handler (or its router) when the event itself is unusable — unknown type, unknown
 * version, data its schema refuses. Retrying cannot fix it: it is dead-lettered on the first
 * delivery, with the message as the reason.
 */
export class UnprocessableEvent extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'UnprocessableEvent'
  }
}

export type EventHandler<E extends DomainEvent = DomainEvent, DB = any> = (event: E, ctx: HandlerContext<DB>) => Promise<void>

export interface ConsumerOptions<E extends DomainEvent = DomainEvent, DB = any> {
  bus: Bus
  /** the service's database; its schema must hold processed_events (platform migration) */
  db: BusDatabase<DB>
  stream: StreamDef | string
  durable: string
  filterSubject: string
  handler: EventHandler<E, DB>
  /**
   * attempts that fail on the message itself before it is dead-lettered; default 5. Failures on a
   * dependency (`isTransientError`: Postgres, NATS or Firestore down or timing out) do not count:
   * they are retried until the dependency is back.
   */
  maxDeliver?: number
  /** nak delay per attempt failed on the message itself (last value repeats); default 1 s, 5 s, 30 s, 2 min */
  backoffMs?: readonly number[]
  /** nak delay per delivery failed on a dependency (last value repeats); default 1 s, 2 s, 5 s, 10 s, 15 s */
  transientBackoffMs?: readonly number[]
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

/**
 * A durable pull consumer whose handler runs at most once per event id per durable: the id is
 * recorded in processed_events in the same transaction as the handler's effects, and the message
 * is acked only after that transaction commits. A crash anywhere before the ack means redelivery,
 * and the redelivery either finds the mark (skip) or finds nothing committed (run again).
 */
export async function startConsumer<E extends DomainEvent = DomainEvent, DB = any>(opts: ConsumerOptions<E, DB>): Promise<RunningConsumer> {
  const { durable, filterSubject, handler } = opts
  // processed_events is not in the service's generated DB type
  const db = opts.db as unknown as BusDatabase
  const core = new ConsumerCore(opts)
  const { logger } = core
  const maxDeliver = opts.maxDeliver ?? 5
  const concurrency = Math.max(1, opts.concurrency ?? 1)

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
      await core.deadLetter(msg, { raw: decodeText(msg.data) }, err, { subject: msg.subject })
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
    const stopKeepAlive = core.keepAlive([msg])
    const committed: Array<() => void | Promise<void>> = []
    try {
      const handled = await context.with(trace.setSpan(parent, span), () =>
        handleOnce(db, durable, event.id, (trx) => handler(event, { trx, msg, deliveryCount, afterCommit: (fn) => void committed.push(fn) })),
      )
      stopKeepAlive()
      // false: a redelivery of an event this consumer already handled (the mark existed)
      span.setAttribute('sunbae.duplicate', !handled)
      msg.ack()
      core.settled(msg)
    } catch (err) {
      // rolled back: what the handler queued for after the commit must not run
      committed.length = 0
      stopKeepAlive()
      recordSpanError(span, err)
      if (err instanceof UnprocessableEvent) {
        await core.deadLetter(msg, { event }, err, { eventId: event.id })
        core.settled(msg)
      } else if (isTransientError(err)) {
        // the database (or NATS, Firestore) is away: wait it out, however long, without giving up on the event
        span.setAttribute('sunbae.transient', true)
        logger.warn({ err, eventId: event.id, subject: msg.subject, consumer: durable, deliveryCount }, 'handler failed on a dependency, will retry until it is back')
        msg.nak(core.transientDelay(deliveryCount))
      } else {
        const failures = core.failedOnItsOwn(msg)
        if (failures >= maxDeliver) {
          await core.deadLetter(msg, { event }, err, { eventId: event.id })
          core.settled(msg)
        } else {
          logger.warn({ err, eventId: event.id, subject: msg.subject, consumer: durable, deliveryCount, failures }, 'handler failed, will retry')
          msg.nak(core.delay(failures))
        }
      }
    } finally {
      span.end()
    }
    // committed and acked: a hook can neither undo the effect nor get the event redelivered
    for (const fn of committed) {
      try {
        await fn()
      } catch (err) {
        logger.error({ err, eventId: event.id, consumer: durable }, 'afterCommit hook failed')
      }
    }
  }

  await core.pull({
    settings: {
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject,
      // Unlimited on the server: we count the failures that are the message's own ourselves, and a
      // dependency's outage must be waited out, never end an event's deliveries.
      max_deliver: -1,
      max_ack_pending: Math.max(concurrency * 2, 100),
    },
    maxMessages: concurrency,
    onMessage: async (msg) => {
      await core.below(concurrency)
      core.track(processOne(msg), (err) => logger.error({ err, consumer: durable }, 'consumer crashed on a message'))
    },
    loopError: 'consumer loop ended with an error',
  })

  logger.info({ stream: core.streamName, durable, filterSubject }, 'consumer started')
  return { stop: () => core.stop() }
}

function parentContext(h: MsgHdrs | undefined, event: DomainEvent): Context {
  if (h?.has('traceparent')) return extractTraceContext(h)
  return contextFromCarrier(event.trace)
}
