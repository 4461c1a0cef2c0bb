import { sql, type Kysely, type Transaction } from 'kysely'

/** The service's database as the bus uses it (any schema: each service has its own outbox). */
export type BusDatabase<DB = any> = Kysely<DB>
/** An open transaction of the caller's: outbox rows and processed-event marks commit with its change. */
export type BusTx<DB = any> = Transaction<DB>
type Executor = BusDatabase | BusTx

export interface OutboxInsert {
  event_id: string
  subject: string
  payload: string
  headers: string
}

export interface OutboxRow {
  id: string
  event_id: string
  subject: string
  /** the stored JSON as text: published as it is, never parsed and re-serialized here */
  payload: string
  headers: Record<string, unknown> | null
}

/** Rows in the caller's transaction, in the order given (the relay publishes in id order). */
export async function insertOutbox(trx: Executor, rows: OutboxInsert[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('outbox').values(rows).execute()
}

export interface OutboxBacklog {
  /** rows not published yet, parked ones included */
  pending: number
  /** rows whose publish failed on their own too often: left aside until redriven */
  parked: number
  /** age of the oldest unpublished row, seconds (0: none) */
  oldestAgeSeconds: number
}

/** The relay's side of the outbox table. */
export class OutboxRepository {
  readonly #db: BusDatabase

  constructor(db: BusDatabase) {
    this.#db = db
  }

  /** One batch's transaction: its claimed rows stay locked until it ends. */
  transaction<T>(work: (trx: BusTx) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work)
  }

  /**
   * The oldest unpublished rows no other relay holds (FOR UPDATE SKIP LOCKED), except parked ones:
   * rows whose publish failed on their own `maxAttempts` times stay aside until redriven.
   */
  async claim(trx: BusTx, limit: number, maxAttempts: number): Promise<OutboxRow[]> {
    const { rows } = await sql<OutboxRow>`
      select id, event_id, subject, payload::text as payload, headers from outbox
      where published_at is null and attempts < ${maxAttempts} order by id limit ${limit}
      for update skip locked`.execute(trx)
    return rows
  }

  async markPublished(trx: BusTx, ids: string[]): Promise<void> {
    if (ids.length > 0) await sql`update outbox set published_at = now() where id = any(${ids}::bigint[])`.execute(trx)
  }

  /**
   * Records the publish errors; `counts` failures (the row's own, not NATS being away) add an attempt.
   * Answers the rows that reached `maxAttempts` with this: parked.
   */
  async markFailed(trx: BusTx, failed: Array<{ id: string; error: string; counts: boolean }>, maxAttempts: number): Promise<Array<{ id: string; event_id: string; subject: string }>> {
    if (failed.length === 0) return []
    const { rows } = await sql<{ id: string; event_id: string; subject: string; attempts: number }>`
      update outbox as o set attempts = o.attempts + case when f.counts then 1 else 0 end, last_error = f.error
      from unnest(${failed.map((f) => f.id)}::bigint[], ${failed.map((f) => f.error)}::text[], ${failed.map((f) => f.counts)}::boolean[]) as f(id, error, counts)
      where o.id = f.id
      returning o.id, o.event_id, o.subject, o.attempts`.execute(trx)
    return rows.filter((r) => r.attempts >= maxAttempts && failed.some((f) => f.counts && f.id === String(r.id)))
  }

  /** Published rows older than `before`, at most `limit` at a time (retention). */
  async deletePublished(before: Date, limit: number): Promise<number> {
    const r = await sql`
      delete from outbox where id in (
        select id from outbox where published_at < ${before} order by id limit ${limit}
      )`.execute(this.#db)
    return Number(r.numAffectedRows ?? 0)
  }

  /**
   * What waits in the outbox: unpublished rows, how many of them are parked, and the age of the
   * oldest (seconds; 0 when none). One pass over the partial index of unpublished rows, which stays
   * small while the relay keeps up; its cost grows with the backlog only.
   */
  async backlog(maxAttempts: number): Promise<OutboxBacklog> {
    const { rows } = await sql<{ pending: number; parked: number; oldest_age: number | null }>`
      select count(*)::int as pending, (count(*) filter (where attempts >= ${maxAttempts}))::int as parked,
        extract(epoch from now() - min(created_at))::float8 as oldest_age
      from outbox where published_at is null`.execute(this.#db)
    const r = rows[0]!
    return { pending: r.pending, parked: r.parked, oldestAgeSeconds: Math.max(0, r.oldest_age ?? 0) }
  }

  /** Parked rows (publish failed on their own `maxAttempts` times), oldest first. */
  async parked(maxAttempts: number, limit: number): Promise<Array<{ id: string; event_id: string; subject: string; attempts: number; last_error: string | null; created_at: Date }>> {
    const { rows } = await sql<{ id: string; event_id: string; subject: string; attempts: number; last_error: string | null; created_at: Date }>`
      select id, event_id, subject, attempts, last_error, created_at from outbox
      where published_at is null and attempts >= ${maxAttempts} order by id limit ${limit}`.execute(this.#db)
    return rows
  }
}
