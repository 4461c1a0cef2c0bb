import type { Database as Handle, Executor as AnyExecutor, Transactions as AnyTransactions, Tx as AnyTx } from '@sunbae/db'
import type { DB } from './types.ts'

/** notification's schema through the platform's Kysely, typed by the generated `types.ts` (see @sunbae/db). */
export type Database = Handle<DB>
/** A transaction of notification's schema: services only hold it, to hand it to repositories. */
export type Tx = AnyTx<DB>
/** What a repository runs a statement on: the pool, or the caller's transaction. */
export type Executor = AnyExecutor<DB>
export type Transactions = AnyTransactions<DB>

/** The platform's handle (`app.db`, untyped) as notification's. */
export const notificationDatabase = (db: Handle<any>): Database => db
