import type { Insertable, Selectable } from 'kysely'
import type { Refunds } from '../db/types.ts'

export type RefundRow = Selectable<Refunds>
export type NewRefundRow = Insertable<Refunds>
