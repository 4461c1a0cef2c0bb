import type { Database as Handle, Executor as AnyExecutor, Transactions as AnyTransactions, Tx as AnyTx } from '@sunbae/db'
import type { DB } from './types.ts'

/** payment's schema through the platform's Kysely, typed by the generated `types.ts` (see @sunbae/db). */
export type Database = Handle<DB>
/** A transaction of payment's schema: services only hold it, to hand it to repositories and the outbox. */
export type Tx = AnyTx<DB>
/** What a repository runs a statement on: the pool, or the caller's transaction. */
export type Executor = AnyExecutor<DB>
export type Transactions = AnyTransactions<DB>

/** The platform's handle (`app.db`, untyped) as payment's. */
export const paymentDatabase = (db: Handle<any>): Database => db
