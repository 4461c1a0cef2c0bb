import type { Kysely, Transaction } from 'kysely'
import type { DB } from './types.ts'

/** payment's schema through the platform's Kysely, typed by the generated `types.ts`. */
export type Database = Kysely<DB>

/**
 * A transaction of payment's schema. Services only hold it, to hand it to repositories and to the
 * outbox, so that what they write commits (or not) together.
 */
export type Tx = Transaction<DB>

/** What a repository runs a statement on: the pool, or the caller's transaction. */
export type Executor = Database | Tx

/** The platform's Kysely (`app.db`, untyped) as payment's. */
export const paymentDatabase = (db: Kysely<any>): Database => db

/** Opens transactions for services, which never see the driver. */
export class Transactions {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work)
  }
}
