import type { Kysely, Selectable, Transaction, Updateable } from 'kysely'
import { sql } from 'kysely'
import type { Bookings, DB, Payments, Refunds } from '../db/types.ts'

type Db = Kysely<DB> | Transaction<DB>
export type PaymentRow = Selectable<Payments>
export type BookingRow = Selectable<Bookings>
export type RefundRow = Selectable<Refunds>

/** All Kysely code of payments, their bookings and refunds. */
export class PaymentsRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  async findById(id: string, trx: Db = this.#db): Promise<PaymentRow | undefined> {
    return trx.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async findByBooking(bookingId: string, trx: Db = this.#db): Promise<PaymentRow | undefined> {
    return trx.selectFrom('payments').selectAll().where('booking_id', '=', bookingId).executeTakeFirst()
  }

  async lock(id: string, trx: Transaction<DB>): Promise<PaymentRow | undefined> {
    return trx.selectFrom('payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  }

  async lockByBooking(bookingId: string, trx: Transaction<DB>): Promise<PaymentRow | undefined> {
    return trx.selectFrom('payments').selectAll().where('booking_id', '=', bookingId).forUpdate().executeTakeFirst()
  }

  /** Moves a locked payment on, only from the state it was read in. */
  async move(row: PaymentRow, set: Updateable<Payments> & { state: string }, trx: Transaction<DB>): Promise<PaymentRow> {
    return trx
      .updateTable('payments')
      .set({ ...set, updated_at: sql<Date>`now()` })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  async booking(bookingId: string, trx: Db = this.#db): Promise<BookingRow | undefined> {
    return trx.selectFrom('bookings').selectAll().where('booking_id', '=', bookingId).executeTakeFirst()
  }

  async bookings(ids: string[]): Promise<Map<string, BookingRow>> {
    if (ids.length === 0) return new Map()
    const rows = await this.#db.selectFrom('bookings').selectAll().where('booking_id', 'in', ids).execute()
    return new Map(rows.map((r) => [r.booking_id, r]))
  }

  async refundsOf(paymentIds: string[]): Promise<Map<string, RefundRow[]>> {
    const out = new Map<string, RefundRow[]>()
    if (paymentIds.length === 0) return out
    const rows = await this.#db.selectFrom('refunds').selectAll().where('payment_id', 'in', paymentIds).orderBy('created_at').execute()
    for (const r of rows) out.set(r.payment_id, [...(out.get(r.payment_id) ?? []), r])
    return out
  }

  async pendingRefundTotal(paymentId: string, trx: Db): Promise<number> {
    const r = await trx
      .selectFrom('refunds')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), sql<string>`0`).as('n'))
      .where('payment_id', '=', paymentId)
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow()
    return Number(r.n)
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
  async cancelDone(id: string, trx: Transaction<DB>): Promise<boolean> {
    const r = await trx
      .updateTable('payments')
      .set({ provider_cancel: 'done' })
      .where('id', '=', id)
      .where('state', '=', 'cancelled')
      .where('provider_cancel', '=', 'pending')
      .executeTakeFirst()
    return r.numUpdatedRows > 0n
  }

  /**
   * Opens the window of a webhook claim unless one is open: true for the first body with this claim
   * within `seconds` (across replicas: one row per claim), false for the repeats.
   */
  async openWebhookWindow(provider: string, key: string, seconds: number): Promise<boolean> {
    const row = await this.#db
      .insertInto('webhook_windows')
      .values({ provider, key, until: sql<Date>`now() + make_interval(secs => ${seconds})` })
      .onConflict((oc) =>
        oc
          .columns(['provider', 'key'])
          .doUpdateSet({ until: sql<Date>`now() + make_interval(secs => ${seconds})` })
          .where('webhook_windows.until', '<=', sql<Date>`now()`),
      )
      .returning('key')
      .executeTakeFirst()
    return row !== undefined
  }

  /** The claim could not be acted on (the provider did not answer): its next delivery is not a repeat. */
  async closeWebhookWindow(provider: string, key: string): Promise<void> {
    await this.#db.deleteFrom('webhook_windows').where('provider', '=', provider).where('key', '=', key).execute()
  }

  async purgeWebhookWindows(): Promise<number> {
    const r = await this.#db.deleteFrom('webhook_windows').where('until', '<=', sql<Date>`now()`).executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  async pendingRefunds(limit: number): Promise<RefundRow[]> {
    return this.#db.selectFrom('refunds').selectAll().where('state', '=', 'pending').orderBy('created_at').limit(limit).execute()
  }

  /** Per payment of a mentor: what the ledger says they and the platform keep. */
  async earnings(mentorUid: string, limit: number) {
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
