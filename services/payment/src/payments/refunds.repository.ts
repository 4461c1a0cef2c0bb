import { sql } from 'kysely'
import type { Database, Tx } from '../db/database.ts'
import type { NewRefundRow, RefundRow } from './refunds.table.ts'

/** All Kysely code of refunds. */
export class RefundsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async ofPayments(paymentIds: string[]): Promise<Map<string, RefundRow[]>> {
    const out = new Map<string, RefundRow[]>()
    if (paymentIds.length === 0) return out
    const rows = await this.#db.selectFrom('refunds').selectAll().where('payment_id', 'in', paymentIds).orderBy('created_at').execute()
    for (const r of rows) out.set(r.payment_id, [...(out.get(r.payment_id) ?? []), r])
    return out
  }

  async pendingTotal(paymentId: string, tx: Tx): Promise<number> {
    const r = await tx
      .selectFrom('refunds')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), sql<string>`0`).as('n'))
      .where('payment_id', '=', paymentId)
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** A refund to run, once per `cause` (a second one with the same cause is dropped): whether this one was queued. */
  async queue(row: Omit<NewRefundRow, 'state'>, tx: Tx): Promise<boolean> {
    const r = await tx
      .insertInto('refunds')
      .values({ ...row, state: 'pending' })
      .onConflict((oc) => oc.column('cause').doNothing())
      .executeTakeFirst()
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
  }

  async byCause(cause: string, tx: Tx): Promise<RefundRow | undefined> {
    return tx.selectFrom('refunds').selectAll().where('cause', '=', cause).executeTakeFirst()
  }

  async pending(limit: number): Promise<RefundRow[]> {
    return this.#db.selectFrom('refunds').selectAll().where('state', '=', 'pending').orderBy('created_at').limit(limit).execute()
  }

  /** The refund, locked, while it is still pending. */
  async lockPending(id: string, tx: Tx): Promise<RefundRow | undefined> {
    return tx.selectFrom('refunds').selectAll().where('id', '=', id).where('state', '=', 'pending').forUpdate().executeTakeFirst()
  }

  async succeeded(id: string, providerRef: string, tx: Tx): Promise<void> {
    await tx.updateTable('refunds').set({ state: 'succeeded', provider_ref: providerRef, succeeded_at: sql<Date>`now()` }).where('id', '=', id).execute()
  }
}
