import { headers as natsHeaders } from '@nats-io/nats-core'
import type { JetStreamClient } from '@nats-io/jetstream'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { DomainEvent } from '@sunbae/contracts'
import { encodeJson } from './codec.ts'
import { defaultLogger, type BusLogger } from './logger.ts'
import { errorAttributes } from './trace.ts'

type Db = Kysely<any> | Transaction<any>

/**
 * Records the event in the caller's transaction, so it is published if and only if the change
 * commits. The trace headers are stored with it because the relay publishes from its own context.
 */
export async function publishInTx(trx: Db, event: DomainEvent): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      event_id: event.id,
      subject: event.type,
      payload: JSON.stringify(event),
      headers: JSON.stringify(event.trace ?? {}),
    })
    .execute()
}

/**
 * Records many events in the caller's transaction with one multi-row INSERT (bulk imports).
 * Rows keep the order of `events`, which is the order the relay publishes them in.
 */
export async function publishManyInTx(trx: Db, events: readonly DomainEvent[], opts: { chunkSize?: number } = {}): Promise<void> {
  // 4 parameters a row; Postgres allows 65,535 per statement
  const chunk = Math.min(opts.chunkSize ?? 5_000, 16_000)
  for (let i = 0; i < events.length; i += chunk) {
    await trx
      .insertInto('outbox')
      .values(
        events.slice(i, i + chunk).map((event) => ({
          event_id: event.id,
          subject: event.type,
          payload: JSON.stringify(event),
          headers: JSON.stringify(event.trace ?? {}),
        })),
      )
      .execute()
  }
}

export interface OutboxRelayOptions {
  db: Kysely<any>
  js: JetStreamClient
  logger?: BusLogger
  pollIntervalMs?: number
  batchSize?: number
  /** ceiling of the back-off after publish failures; default 30 s */
  maxBackoffMs?: number
}

interface BatchResult {
  claimed: number
  published: number
  failed: Error | null
}

interface OutboxRow {
  id: string
  event_id: string
  subject: string
  payload: unknown
  headers: Record<string, unknown> | null
}

/**
 * Publishes committed outbox rows to JetStream. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several replicas can run a relay over the same table; the JetStream message id is the event id,
 * so a row published twice (crash between publish and marking) is dropped by the server as long
 * as the retry falls inside the stream's duplicate window — consumers are idempotent beyond it.
 */
export class OutboxRelay {
  readonly #db: Kysely<any>
  readonly #js: JetStreamClient
  readonly #logger: BusLogger
  readonly #pollIntervalMs: number
  readonly #batchSize: number
  readonly #maxBackoffMs: number
  #running = false
  #loop: Promise<void> | null = null
  #wake: (() => void) | null = null
  #kicked = false
  #failures = 0
  /** serialises batches of this relay: flush() must not overlap the loop's own batch */
  #batchChain: Promise<unknown> = Promise.resolve()

  constructor(opts: OutboxRelayOptions) {
    this.#db = opts.db
    this.#js = opts.js
    this.#logger = opts.logger ?? defaultLogger
    this.#pollIntervalMs = opts.pollIntervalMs ?? 250
    this.#batchSize = opts.batchSize ?? 100
    this.#maxBackoffMs = opts.maxBackoffMs ?? 30_000
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
    if (wakeable && this.#kicked) {
      this.#kicked = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake = null
        this.#kicked = false
        resolve()
      }
      const timer = setTimeout(done, ms)
      // while backing off after a failure only stop() may cut the wait short
      this.#wake = () => {
        if (wakeable || !this.#running) done()
      }
    })
  }

  #batch(): Promise<BatchResult> {
    const next = this.#batchChain.then(() => this.#publishBatch())
    this.#batchChain = next.catch(() => {})
    return next
  }

  async #publishBatch(): Promise<BatchResult> {
    return this.#db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom('outbox')
        .select(['id', 'event_id', 'subject', 'payload', 'headers'])
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(this.#batchSize)
        .forUpdate()
        .skipLocked()
        .execute()) as OutboxRow[]
      if (rows.length === 0) return { claimed: 0, published: 0, failed: null }

      const published: string[] = []
      let failed: Error | null = null
      // One at a time and stop at the first failure: keeps per-table publish order.
      for (const row of rows) {
        try {
          const h = natsHeaders()
          for (const [k, v] of Object.entries(row.headers ?? {})) if (typeof v === 'string') h.set(k, v)
          await this.#js.publish(row.subject, encodeJson(row.payload), { msgID: row.event_id, headers: h })
          published.push(row.id)
        } catch (err) {
          failed = err instanceof Error ? err : new Error(String(err))
          this.#logger.warn({ err, eventId: row.event_id, subject: row.subject }, 'outbox publish failed')
          await trx
            .updateTable('outbox')
            .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: errorAttributes(err).message.slice(0, 1000) }))
            .where('id', '=', row.id)
            .execute()
          break
        }
      }
      if (published.length > 0) {
        await trx
          .updateTable('outbox')
          .set({ published_at: sql`now()` })
          .where('id', 'in', published)
          .execute()
      }
      return { claimed: rows.length, published: published.length, failed }
    })
  }
}
