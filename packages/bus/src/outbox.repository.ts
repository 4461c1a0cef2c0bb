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

  /** The oldest unpublished rows no other relay holds (FOR UPDATE SKIP LOCKED). */
  async claim(trx: BusTx, limit: number): Promise<OutboxRow[]> {
    const { rows } = await sql<OutboxRow>`
      select id, event_id, subject, payload::text as payload, headers from outbox
      where published_at is null order by id limit ${limit}
      for update skip locked`.execute(trx)
    return rows
  }

  async markPublished(trx: BusTx, ids: string[]): Promise<void> {
    if (ids.length > 0) await sql`update outbox set published_at = now() where id = any(${ids}::bigint[])`.execute(trx)
  }

  async markFailed(trx: BusTx, failed: Array<{ id: string; error: string }>): Promise<void> {
    if (failed.length === 0) return
    await sql`
      update outbox as o set attempts = o.attempts + 1, last_error = f.error
      from unnest(${failed.map((f) => f.id)}::bigint[], ${failed.map((f) => f.error)}::text[]) as f(id, error)
      where o.id = f.id`.execute(trx)
  }
}
