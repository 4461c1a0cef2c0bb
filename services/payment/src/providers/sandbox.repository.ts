import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import type { NewSandboxChargeRow, SandboxChargeRow } from './sandbox.table.ts'

/** All Kysely code of the sandbox provider's books, each call in its own transaction (never the payment's). */
export class SandboxRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /** The first charge for a reference; a repeat leaves it as it is. `settleAfterSec`: it stays processing until then. */
  async insertCharge(row: Omit<NewSandboxChargeRow, 'settles_at'>, settleAfterSec: number | null): Promise<void> {
    await this.#db
      .insertInto('sandbox_charges')
      .values({ ...row, settles_at: settleAfterSec === null ? null : sql<Date>`now() + make_interval(secs => ${settleAfterSec})` })
      .onConflict((oc) => oc.column('reference').doNothing())
      .execute()
  }

  /** A charge waiting on its payer's authentication, approved (succeeded) or denied (failed). */
  async authenticate(reference: string, outcome: 'approve' | 'deny'): Promise<void> {
    await this.#db
      .updateTable('sandbox_charges')
      .set(outcome === 'approve' ? { status: 'succeeded' } : { status: 'failed', failure_code: 'authentication_failed' })
      .where('reference', '=', reference)
      .where('status', '=', 'requires_action')
      .execute()
  }

  /** A charge still waiting (on its payer, or to settle) fails as cancelled. */
  async cancelWaiting(reference: string): Promise<void> {
    await this.#db
      .updateTable('sandbox_charges')
      .set({ status: 'failed', failure_code: 'canceled', settles_at: null })
      .where('reference', '=', reference)
      .where('status', 'in', ['requires_action', 'processing'])
      .execute()
  }

  /** A delayed charge whose time has come succeeds. */
  async settleDue(reference: string): Promise<void> {
    await this.#db
      .updateTable('sandbox_charges')
      .set({ status: 'succeeded', settles_at: null })
      .where('reference', '=', reference)
      .where('status', '=', 'processing')
      .where('settles_at', '<=', sql<Date>`now()`)
      .execute()
  }

  async findCharge(reference: string): Promise<SandboxChargeRow | undefined> {
    return this.#db.selectFrom('sandbox_charges').selectAll().where('reference', '=', reference).executeTakeFirst()
  }

  /**
   * Refunds `amount` of a reference's charge once per idempotency key (a repeat answers the first
   * refund's id). Throws when there is no succeeded charge or the refund exceeds what is left.
   */
  async refund(reference: string, idempotencyKey: string, amount: number, newId: string): Promise<string> {
    return this.#db.transaction().execute(async (trx) => {
      const charge = await trx.selectFrom('sandbox_charges').selectAll().where('reference', '=', reference).forUpdate().executeTakeFirst()
      if (!charge || charge.status !== 'succeeded') throw new Error(`sandbox: no succeeded charge for ${reference}`)
      const done = await trx.selectFrom('sandbox_refunds').select('id').where('idempotency_key', '=', idempotencyKey).executeTakeFirst()
      if (done) return done.id
      if (charge.refunded + amount > charge.amount) throw new Error(`sandbox: refund of ${amount} exceeds what is left of ${charge.id}`)
      await trx.insertInto('sandbox_refunds').values({ id: newId, charge_id: charge.id, idempotency_key: idempotencyKey, amount }).execute()
      await trx.updateTable('sandbox_charges').set({ refunded: charge.refunded + amount }).where('id', '=', charge.id).execute()
      return newId
    })
  }
}
