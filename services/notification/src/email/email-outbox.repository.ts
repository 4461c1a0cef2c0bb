import { sql } from 'kysely'
import type { Database, Executor } from '../db/database.ts'
import type { EmailRow } from './email-outbox.table.ts'

/** All SQL about the email outbox. */
export class EmailOutboxRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /**
   * Claims due emails for this sender: pending, due, not leased by a live sender. The claim commits
   * at once (a lease, not a held lock), so sending happens outside any transaction; a sender that
   * dies leaves the rows to the next one when the lease passes. SKIP LOCKED keeps replicas apart.
   */
  async claim(limit: number, leaseMs: number, trx: Executor = this.#db): Promise<EmailRow[]> {
    return trx
      .updateTable('email_outbox')
      .set({ lease_until: sql`now() + make_interval(secs => ${leaseMs / 1000})`, attempts: sql`attempts + 1` })
      .where('notification_id', 'in', (eb) =>
        eb
          .selectFrom('email_outbox')
          .select('notification_id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', sql<Date>`now()`)
          .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', sql<Date>`now()`)]))
          .orderBy('next_attempt_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute()
  }

  /** Marks a pass's accepted emails sent, in one statement. */
  async markSent(sent: readonly { id: string; to: string; response: string }[], trx: Executor = this.#db): Promise<void> {
    if (sent.length === 0) return
    await sql`
      update email_outbox o
         set status = 'sent', sent_at = now(), to_address = s.to_address, smtp_response = s.response, lease_until = null, last_error = null
        from unnest(${sent.map((x) => x.id)}::uuid[], ${sent.map((x) => x.to)}::text[], ${sent.map((x) => x.response)}::text[]) as s(id, to_address, response)
       where o.notification_id = s.id and o.status = 'pending'`.execute(trx)
  }

  async retryLater(id: string, delayMs: number, error: string, trx: Executor = this.#db): Promise<void> {
    await trx
      .updateTable('email_outbox')
      .set({ next_attempt_at: sql`now() + make_interval(secs => ${delayMs / 1000})`, lease_until: null, last_error: error })
      .where('notification_id', '=', id)
      .where('status', '=', 'pending')
      .execute()
  }

  async markFailed(id: string, to: string | null, error: string, trx: Executor = this.#db): Promise<void> {
    await trx
      .updateTable('email_outbox')
      .set({ status: 'failed', failed_at: sql`now()`, to_address: to, last_error: error, lease_until: null })
      .where('notification_id', '=', id)
      .where('status', '=', 'pending')
      .execute()
  }

  async counts(trx: Executor = this.#db): Promise<Record<string, number>> {
    const rows = await trx.selectFrom('email_outbox').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute()
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
  }
}
