import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import type { IdempotencyKeyRow } from './idempotency.table.ts'

const fromNow = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`

/** All Kysely code of Idempotency-Keys: one row per caller and key, held by a lease while its request runs. */
export class IdempotencyRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /** An expired key is as good as none. */
  async dropIfExpired(owner: string, key: string): Promise<void> {
    await this.#db.deleteFrom('idempotency_keys').where('owner', '=', owner).where('key', '=', key).where('expires_at', '<=', sql<Date>`now()`).execute()
  }

  /** Takes a key nobody holds, leased for `leaseSec`, living `ttlSec`: false when it exists. */
  async claim(owner: string, key: string, requestHash: string, leaseSec: number, ttlSec: number): Promise<boolean> {
    const mine = await this.#db
      .insertInto('idempotency_keys')
      .values({ owner, key, request_hash: requestHash, locked_until: fromNow(leaseSec), expires_at: fromNow(ttlSec) })
      .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst()
    return mine !== undefined
  }

  async find(owner: string, key: string): Promise<IdempotencyKeyRow | undefined> {
    return this.#db.selectFrom('idempotency_keys').selectAll().where('owner', '=', owner).where('key', '=', key).executeTakeFirst()
  }

  /** Takes over a key whose request died: no response stored and its lease ran out. */
  async takeOver(owner: string, key: string, leaseSec: number): Promise<boolean> {
    const taken = await this.#db
      .updateTable('idempotency_keys')
      .set({ locked_until: fromNow(leaseSec) })
      .where('owner', '=', owner)
      .where('key', '=', key)
      .where('status_code', 'is', null)
      .where('locked_until', '<', sql<Date>`now()`)
      .returning('key')
      .executeTakeFirst()
    return taken !== undefined
  }

  /** Renews the lease of a key whose request still runs. */
  async renew(owner: string, key: string, leaseSec: number): Promise<void> {
    await this.#db
      .updateTable('idempotency_keys')
      .set({ locked_until: fromNow(leaseSec) })
      .where('owner', '=', owner)
      .where('key', '=', key)
      .where('status_code', 'is', null)
      .execute()
  }

  /** The response a retry replays; the lease ends. */
  async storeResponse(owner: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.#db
      .updateTable('idempotency_keys')
      .set({ status_code: statusCode, response: JSON.stringify(body), locked_until: null })
      .where('owner', '=', owner)
      .where('key', '=', key)
      .execute()
  }

  /** Drops the key (`unanswered`: only while no response is stored), so the next retry runs the request again. */
  async release(owner: string, key: string, { unanswered = false } = {}): Promise<void> {
    let q = this.#db.deleteFrom('idempotency_keys').where('owner', '=', owner).where('key', '=', key)
    if (unanswered) q = q.where('status_code', 'is', null)
    await q.execute()
  }

  /** Drops expired keys. */
  async purgeExpired(): Promise<number> {
    const r = await this.#db.deleteFrom('idempotency_keys').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst()
    return Number(r.numDeletedRows)
  }
}
