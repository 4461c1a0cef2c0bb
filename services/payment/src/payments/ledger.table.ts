import type { Insertable } from 'kysely'
import type { LedgerEntries } from '../db/types.ts'

export type NewLedgerEntry = Insertable<LedgerEntries>
