import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Payments } from '../db/types.ts'

export type PaymentRow = Selectable<Payments>
export type NewPaymentRow = Insertable<Payments>
/** what a move may change besides the state (`updated_at` is the database's now) */
export type PaymentChange = Omit<Updateable<Payments>, 'id' | 'updated_at'> & { state: string }

/** A payment of a mentor with what the ledger says they and the platform keep (sums as strings: bigint). */
export type EarningsRow = Pick<PaymentRow, 'id' | 'booking_id' | 'currency' | 'amount' | 'refunded_amount' | 'state' | 'succeeded_at'> & {
  net: string | null
  fee: string | null
}
