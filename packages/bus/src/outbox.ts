import { headers as natsHeaders } from '@nats-io/nats-core'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { DomainEvent } from '@sunbae/contracts'
import { defaultLogger, type BusLogger } from './logger.ts'
import { errorAttributes } from './trace.ts'
import { isTransientError } from './errors.ts'
import { insertOutbox, OutboxRepository, type BusDatabase, type BusTx, type OutboxBacklog, type OutboxInsert } from './outbox.repository.ts'
import { deleteProcessedBefore } from './processed-events.repository.ts'

type Db = BusDatabase | BusTx

const outboxRow = (event: DomainEvent): OutboxInsert => ({
  event_id: event.id,
  subject: event.type,
  payload: JSON.stringify(event),
  headers: JSON.stringify(event.trace ?? {}),
})

/**
 * Records the event in the caller's transaction, so it is published if and only if the change
 * commits. The trace headers are stored with it because the relay publishes from its own context.
 */
export async function publishInTx(trx: Db, event: DomainEvent): Promise<void> {
  await insertOutbox(trx, [outboxRow(event)])
}

/**
 * Records many events in the caller's transaction with one multi-row INSERT (bulk imports).
 * Rows keep the order of `events`, which is the order the relay publishes them in.
 */
export async function publishManyInTx(trx: Db, events: readonly DomainEvent[], opts: { chunkSize?: number } = {}): Promise<void> {
  // 4 parameters a row; Postgres allows 65,535 per statement
  const chunk = Math.min(opts.chunkSize ?? 5_000, 16_000)
  for (let i = 0; i < events.length; i += chunk) {
    await insertOutbox(trx, events.slice(i, i + chunk).map(outboxRow))
  }
}

export interface OutboxRelayOptions {
  db: BusDatabase
  js: JetStreamClient
  logger?: BusLogger
  pollIntervalMs?: number
  /** rows claimed (and marked) per transaction; default 500 */
  batchSize?: number
  /** JetStream publishes in flight at once (pipelined on the one connection); default 64, 1 = one at a time */
  concurrency?: number
  /**
   * ceiling of the back-off after failures (NATS or Postgres away); default 5 s: nothing says when
   * Postgres is back, and the relay's wait is added to every event's delay after an outage (the fault
   * suite measured up to 39 s after a 60 s NATS outage with 30 s). NATS coming back ends the wait at
   * once (resume()).
   */
  maxBackoffMs?: number
  /**
   * publishes a row may fail on its own (not because NATS is away: `isTransientError`) before it is
   * parked — left unpublished and out of the relay's way, so the rows after it flow; default 5
   */
  maxAttempts?: number
}

interface BatchResult {
  claimed: number
  published: number
  failed: Error | null
}

const encoder = new TextEncoder()

/**
 * Publishes committed outbox rows to JetStream. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several replicas can run a relay over the same table; the JetStream message id is the event id,
 * so a row published twice (crash between publish and marking) is dropped by the server as long
 * as the retry falls inside the stream's duplicate window — consumers are idempotent beyond it.
 *
 * A batch is published pipelined: up to `concurrency` publishes in flight on the one NATS
 * connection, each awaited for its PubAck, then every acknowledged row is marked with one UPDATE.
 *
 * Order. Publishes leave in row (id) order on one connection and JetStream appends them in the
 * order they arrive, so without failures a relay's events reach each stream exactly in outbox
 * order — what the one-at-a-time relay gave. On a failure the relay sends nothing more from that
 * batch, waits for the publishes already in flight (at most `concurrency - 1` rows after the failed
 * one, which may therefore land before it) and marks those that were acknowledged; the failed row
 * stays first in line for the next batch. With several replicas order across them was never
 * global (SKIP LOCKED hands each a different range). Consumers do not depend on more: durable ones
 * are idempotent (processed_events) and the search read model re-reads the mentor an event names.
 * `concurrency: 1` restores stop-at-the-first-failure strictness at the old speed.
 */
export class OutboxRelay {
  readonly #outbox: OutboxRepository
  readonly #js: JetStreamClient
  readonly #logger: BusLogger
  readonly #pollIntervalMs: number
  readonly #batchSize: number
  readonly #concurrency: number
  readonly #maxBackoffMs: number
  readonly #maxAttempts: number
  #running = false
  #loop: Promise<void> | null = null
  #wake: ((force?: boolean) => void) | null = null
  #kicked = false
  /** resume() came: the next wait, even a back-off's, ends at once (it may come while a batch runs) */
  #resumed = false
  #failures = 0
  /** serialises batches of this relay: flush() must not overlap the loop's own batch */
  #batchChain: Promise<unknown> = Promise.resolve()

  constructor(opts: OutboxRelayOptions) {
    this.#outbox = new OutboxRepository(opts.db)
    this.#js = opts.js
    this.#logger = opts.logger ?? defaultLogger
    this.#pollIntervalMs = opts.pollIntervalMs ?? 250
    this.#batchSize = Math.max(1, opts.batchSize ?? 500)
    this.#concurrency = Math.max(1, opts.concurrency ?? 64)
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5_000
    this.#maxAttempts = Math.max(1, opts.maxAttempts ?? 5)
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#loop = this.#run()
  }

  /** Wakes the relay now instead of at the next poll, e.g. right after a commit. */
  kick(): void {
    this.#kicked = true
    this.#wake?.()
  }

  /**
   * What failed is back (the bus reconnected to NATS): ends a back-off at once and starts counting
   * failures again, so what waited in the outbox goes now rather than after the back-off.
   */
  resume(): void {
    this.#failures = 0
    this.#kicked = true
    this.#resumed = true
    this.#wake?.(true)
  }

  /** Publishes everything pending now (used at shutdown, before the bus drains). Throws on a publish failure. */
  async flush(): Promise<number> {
    let total = 0
    for (;;) {
      const { claimed, published, failed } = await this.#batch()
      total += published
      if (failed) throw failed
      if (claimed < this.#batchSize) return total
    }
  }

  /** What waits in this relay's outbox (rows, parked rows, the oldest's age): for the service's /metrics. */
  backlog(): Promise<OutboxBacklog> {
    return this.#outbox.backlog(this.#maxAttempts)
  }

  async stop(): Promise<void> {
    this.#running = false
    this.#wake?.()
    await this.#loop
    this.#loop = null
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let full = false
      try {
        const { claimed, failed } = await this.#batch()
        if (failed) this.#failures++
        else this.#failures = 0
        full = !failed && claimed === this.#batchSize
      } catch (err) {
        // database unreachable and the like: keep polling, with back-off
        this.#failures++
        this.#logger.error({ err }, 'outbox relay batch failed')
      }
      if (full) continue
      const delay = this.#failures === 0 ? this.#pollIntervalMs : Math.min(this.#pollIntervalMs * 2 ** this.#failures, this.#maxBackoffMs)
      await this.#sleep(delay, this.#failures === 0)
    }
  }

  #sleep(ms: number, wakeable: boolean): Promise<void> {
    // stop() during the batch that just ended found no wait to cut short: it must not start one (it
    // would hold stop() for a whole poll interval or back-off)
    if (!this.#running) return Promise.resolve()
    // a resume during the batch that just failed (it was in flight when NATS came back) ends the
    // back-off too: otherwise it was lost and the relay sat the back-off out
    if (this.#resumed || (wakeable && this.#kicked)) {
      this.#kicked = false
      this.#resumed = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake = null
        this.#kicked = false
        this.#resumed = false
        resolve()
      }
      const timer = setTimeout(done, ms)
      // while backing off after a failure only stop() and resume() may cut the wait short
      this.#wake = (force) => {
        if (wakeable || force || !this.#running) done()
      }
    })
  }

  #batch(): Promise<BatchResult> {
    const next = this.#batchChain.then(() => this.#publishBatch())
    this.#batchChain = next.catch(() => {})
    return next
  }

  async #publishBatch(): Promise<BatchResult> {
    return this.#outbox.transaction(async (trx) => {
      const rows = await this.#outbox.claim(trx, this.#batchSize, this.#maxAttempts)
      if (rows.length === 0) return { claimed: 0, published: 0, failed: null }

      const acked: string[] = []
      const failedRows: { id: string; error: string; counts: boolean }[] = []
      let failed: Error | null = null
      let next = 0
      // `concurrency` lanes take rows in id order; a publish is sent synchronously when called, so
      // the wire (and the stream) sees them in that order. After a failure no lane starts another.
      const lane = async () => {
        while (failed === null && next < rows.length) {
          const row = rows[next++]!
          try {
            const h = natsHeaders()
            for (const [k, v] of Object.entries(row.headers ?? {})) if (typeof v === 'string') h.set(k, v)
            await this.#js.publish(row.subject, encoder.encode(row.payload), { msgID: row.event_id, headers: h })
            acked.push(row.id)
          } catch (err) {
            const error = err instanceof Error ? err : new Error(String(err))
            failed ??= error
            failedRows.push({ id: row.id, error: errorAttributes(err).message.slice(0, 1000), counts: countsAgainstRow(err) })
            this.#logger.warn({ err, eventId: row.event_id, subject: row.subject }, 'outbox publish failed')
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, rows.length) }, lane))

      await this.#outbox.markPublished(trx, acked)
      for (const p of await this.#outbox.markFailed(trx, failedRows, this.#maxAttempts)) {
        this.#logger.error({ eventId: p.event_id, subject: p.subject, attempts: this.#maxAttempts }, 'outbox row parked: its publish failed on its own too often; the rows after it go on (redrive it once fixed)')
      }
      return { claimed: rows.length, published: acked.length, failed }
    })
  }
}

/**
 * Whether a failed publish says something about the row: yes, unless NATS itself is away (the
 * connection lost, closed or timing out). "No responders" counts: the connection is fine and no
 * stream takes the subject — the row will not publish until someone fixes that.
 */
function countsAgainstRow(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  // nats.js: JetStreamNotEnabled ("jetstream is not enabled", its cause a NoResponders) when no stream takes the subject
  if (name === 'JetStreamNotEnabled' || name === 'NoResponders' || name === 'NoRespondersError') return true
  return !isTransientError(err)
}

export interface RetentionResult {
  /** published outbox rows deleted */
  outbox: number
  /** processed-event marks deleted */
  processedEvents: number
}

/**
 * One retention pass over a service's platform tables: published outbox rows older than
 * `outboxBefore` and processed-event marks older than `processedBefore`, `batch` rows per statement
 * until none are left (short statements: no long lock, no long transaction). Safe in every replica
 * at once: a row deleted by another replica is simply not there.
 */
export async function purgePlatformTables(db: BusDatabase, opts: { outboxBefore: Date; processedBefore: Date; batch?: number }): Promise<RetentionResult> {
  const batch = Math.max(1, opts.batch ?? 5_000)
  const repo = new OutboxRepository(db)
  const result: RetentionResult = { outbox: 0, processedEvents: 0 }
  for (let n = batch; n === batch; result.outbox += n) n = await repo.deletePublished(opts.outboxBefore, batch)
  for (let n = batch; n === batch; result.processedEvents += n) n = await deleteProcessedBefore(db, opts.processedBefore, batch)
  return result
}
