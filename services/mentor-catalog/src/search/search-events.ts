import { randomUUID } from 'node:crypto'
import { context, type Context } from '@opentelemetry/api'
import { AckedPublisher, type AckedDropReason, type Bus } from '@sunbae/bus'
import { TELEMETRY_SUBJECTS, type SearchPerformedV1 } from '@sunbae/contracts'

export interface SearchEventsOptions {
  /** events kept until JetStream confirms them; beyond it they are dropped (and logged) */
  capacity?: number
  /** an unconfirmed event is sent again after this long */
  ackTimeoutMs?: number
}

/** at most one log line a minute about dropped events: an outage drops one per search */
const DROP_LOG_EVERY_MS = 60_000

/**
 * telemetry.search, kept off the request path: `performed` only queues the event with its trace
 * context; once per event-loop turn, after the responses of that turn were written, the queue is
 * handed to an AckedPublisher in one go — the NATS client sends everything published in one
 * synchronous run in one socket write, instead of one write per search (measured ≈ 8 % of the
 * route's CPU). Each event is kept until JetStream confirms it (resent after a NATS restart,
 * deduplicated by its msg id), within a bounded buffer: an event is lost only when that buffer is
 * full or at shutdown, and then logged. A delayed or failed search never is.
 */
export class SearchEvents {
  readonly #bus: Bus
  readonly #publisher: AckedPublisher
  /** this process, in every message id: ids stay unique across replicas and restarts */
  readonly #producerId = randomUUID()
  #seq = 0
  #queue: { event: SearchPerformedV1; ctx: Context }[] = []
  #dropped = 0
  #droppedLoggedAt = 0

  constructor(bus: Bus, opts: SearchEventsOptions = {}) {
    this.#bus = bus
    this.#publisher = new AckedPublisher(bus, {
      capacity: opts.capacity ?? 10_000,
      ackTimeoutMs: opts.ackTimeoutMs,
      name: 'search-events',
      onDropped: (n, reason) => this.#droppedEvents(n, reason),
    })
  }

  /** events queued or waiting for their ack */
  get size(): number {
    return this.#queue.length + this.#publisher.size
  }

  performed(event: SearchPerformedV1): void {
    if (this.#queue.push({ event, ctx: context.active() }) === 1) setImmediate(() => this.flush())
  }

  /** hands what is queued now to the publisher (also on close) */
  flush(): void {
    const batch = this.#queue
    this.#queue = []
    for (const { event, ctx } of batch) {
      this.#publisher.publish(TELEMETRY_SUBJECTS.search, event, { msgId: `${this.#producerId}.${++this.#seq}`, context: ctx })
    }
  }

  /** Last flush, then waits up to `timeoutMs` for the acks; call before the connection drains. */
  async close(timeoutMs = 2_000): Promise<void> {
    this.flush()
    await this.#publisher.close(timeoutMs)
  }

  #droppedEvents(n: number, reason: AckedDropReason): void {
    this.#dropped += n
    const now = Date.now()
    if (reason !== 'shutdown' && now - this.#droppedLoggedAt < DROP_LOG_EVERY_MS) return
    this.#droppedLoggedAt = now
    this.#bus.logger.warn({ dropped: this.#dropped, reason }, 'search events dropped (total since start)')
  }
}
