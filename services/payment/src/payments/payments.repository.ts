import { sql } from 'kysely'
import type { Database, Executor, Tx } from '../db/database.ts'
import type { EarningsRow, NewPaymentRow, PaymentChange, PaymentRow } from './payments.table.ts'

/** All Kysely code of payments. */
export class PaymentsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async findById(id: string, tx: Executor = this.#db): Promise<PaymentRow | undefined> {
    return tx.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async findByBooking(bookingId: string, tx: Executor = this.#db): Promise<PaymentRow | undefined> {
    return tx.selectFrom('payments').selectAll().where('booking_id', '=', bookingId).executeTakeFirst()
  }

  async lock(id: string, tx: Tx): Promise<PaymentRow | undefined> {
    return tx.selectFrom('payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  }

  async lockByBooking(bookingId: string, tx: Tx): Promise<PaymentRow | undefined> {
    return tx.selectFrom('payments').selectAll().where('booking_id', '=', bookingId).forUpdate().executeTakeFirst()
  }

  /** The booking's payment, unless it has one already (then undefined). */
  async insert(row: NewPaymentRow, tx: Tx): Promise<PaymentRow | undefined> {
    return tx.insertInto('payments').values(row).onConflict((oc) => oc.column('booking_id').doNothing()).returningAll().executeTakeFirst()
  }

  /** Moves a locked payment on, only from the state it was read in. */
  async move(row: PaymentRow, change: PaymentChange, tx: Tx): Promise<PaymentRow> {
    return tx
      .updateTable('payments')
      .set({ ...change, updated_at: sql<Date>`now()` })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  async list(filter: { menteeUid?: string; state?: string; bookingId?: string }, limit: number): Promise<PaymentRow[]> {
    let q = this.#db.selectFrom('payments').selectAll()
    if (filter.menteeUid) q = q.where('mentee_uid', '=', filter.menteeUid)
    if (filter.state) q = q.where('state', '=', filter.state)
    if (filter.bookingId) q = q.where('booking_id', '=', filter.bookingId)
    return q.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()
  }

  /** Payments waiting on the provider for longer than `olderThanMs`. */
  async stuck(olderThanMs: number, limit: number): Promise<PaymentRow[]> {
    return this.#db
      .selectFrom('payments')
      .selectAll()
      .where('state', 'in', ['processing', 'requires_action'])
      .where('updated_at', '<=', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
      .orderBy('updated_at')
      .limit(limit)
      .execute()
  }

  /** Payments cancelled here whose provider has still to be told (oldest first). */
  async pendingCancels(limit: number): Promise<PaymentRow[]> {
    return this.#db.selectFrom('payments').selectAll().where('provider_cancel', '=', 'pending').orderBy('updated_at').limit(limit).execute()
  }

  /** The provider was told; only while the payment is still the cancelled one we read. */
  async cancelDone(id: string, tx: Tx): Promise<boolean> {
    const r = await tx
      .updateTable('payments')
      .set({ provider_cancel: 'done' })
      .where('id', '=', id)
      .where('state', '=', 'cancelled')
      .where('provider_cancel', '=', 'pending')
      .executeTakeFirst()
    return r.numUpdatedRows > 0n
  }

  /** Per payment of a mentor: what the ledger says they and the platform keep. */
  async earnings(mentorUid: string, limit: number): Promise<EarningsRow[]> {
    return this.#db
      .selectFrom('payments as p')
      .innerJoin('ledger_entries as l', 'l.payment_id', 'p.id')
      .select([
        'p.id',
        'p.booking_id',
        'p.currency',
        'p.amount',
        'p.refunded_amount',
        'p.state',
        'p.succeeded_at',
        sql<string>`-sum(l.amount) filter (where l.account = 'mentor_payable')`.as('net'),
        sql<string>`-sum(l.amount) filter (where l.account = 'platform_revenue')`.as('fee'),
      ])
      .where('p.mentor_uid', '=', mentorUid)
      .groupBy('p.id')
      .orderBy('p.succeeded_at', 'desc')
      .limit(limit)
      .execute()
  }
}
