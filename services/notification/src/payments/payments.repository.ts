import type { Database, Executor, Tx } from '../db/database.ts'

/** Who paid for what (from payment.created): the recipient of a payment's receipts. */
export class PaymentsRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  async remember(p: { paymentId: string; bookingId: string; payerUid: string; mentorUid: string | null }, trx: Tx): Promise<void> {
    await trx
      .insertInto('payments')
      .values({ payment_id: p.paymentId, booking_id: p.bookingId, payer_uid: p.payerUid, mentor_uid: p.mentorUid })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .execute()
  }

  /** The payer and the mentor (null for an imported mentor) of a payment. */
  async partiesOf(paymentId: string, trx: Executor = this.#db): Promise<{ payer_uid: string; mentor_uid: string | null } | undefined> {
    return trx.selectFrom('payments').select(['payer_uid', 'mentor_uid']).where('payment_id', '=', paymentId).executeTakeFirst()
  }
}
