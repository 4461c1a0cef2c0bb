import { sql, type Kysely } from 'kysely'

/** The test-only fault routes' query: a real statement slower than SLOW_QUERY_MS. */
export class FaultsRepository {
  readonly #db: Kysely<any>

  constructor(db: Kysely<any>) {
    this.#db = db
  }

  async sleep(ms: number): Promise<void> {
    await sql`select pg_sleep(${ms / 1000})`.execute(this.#db)
  }
}
