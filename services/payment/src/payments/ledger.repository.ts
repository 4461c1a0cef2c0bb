import type { Tx } from '../db/database.ts'
import type { NewLedgerEntry } from './ledger.table.ts'

/** All Kysely code of the ledger (append-only: the database refuses edits and unbalanced transactions). */
export class LedgerRepository {
  async append(entries: NewLedgerEntry[], tx: Tx): Promise<void> {
    if (entries.length > 0) await tx.insertInto('ledger_entries').values(entries).execute()
  }
}
