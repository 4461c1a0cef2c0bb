import { sql, type Kysely, type Transaction } from 'kysely'
import type { PartitionedTable } from './partitions.ts'

type Table = Pick<PartitionedTable, 'name' | 'column'>

/**
 * The catalog queries and DDL behind PartitionManager. Every step is a short transaction under a
 * transaction-level advisory lock and a lock timeout, so DDL waiting behind a long admin query never
 * makes the ingest's inserts queue behind it. Table and column names are checked by the manager.
 * The service's login role may not run DDL itself: creating and dropping partitions goes through
 * create_time_partition / drop_time_partition (migration 2026-12-07T1000), which run as the
 * schema's owner and accept only dated partitions of this schema's partitioned tables.
 */
export class PartitionsRepository {
  readonly #db: Kysely<any>

  constructor(db: Kysely<any>) {
    this.#db = db
  }

  /** Partitions of a table, by name (ours and any other). */
  async list(table: string, trx: Kysely<any> | Transaction<any> = this.#db): Promise<string[]> {
    const rows = await sql<{ name: string }>`
      select c.relname as name
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
      join pg_namespace n on n.oid = p.relnamespace
      where p.relname = ${table} and n.nspname = current_schema()
      order by c.relname`.execute(trx)
    return rows.rows.map((r) => r.name)
  }

  /**
   * Under the table's maintenance lock (one replica per table at a time; null when another holds it):
   * drops the partitions `isExpired` names, deletes DEFAULT rows older than `cutoff`.
   */
  expire(t: Table, cutoff: string, lockTimeoutMs: number, isExpired: (partition: string) => boolean): Promise<{ dropped: string[]; rows: number } | null> {
    return this.#db.transaction().execute(async (trx) => {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`tracking.partitions.${t.name}`})) as ok`.execute(trx)
      if (!got.rows[0]?.ok) return null
      await sql`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(trx)
      const dropped: string[] = []
      for (const name of await this.list(t.name, trx)) {
        if (!isExpired(name)) continue
        const gone = await sql<{ dropped: boolean }>`select drop_time_partition(${t.name}, ${name}) as dropped`.execute(trx)
        if (gone.rows[0]?.dropped) dropped.push(name)
      }
      const expired = await sql`delete from ${sql.table(`${t.name}_default`)} where ${sql.ref(t.column)} < ${cutoff}::timestamptz`.execute(trx)
      return { dropped, rows: Number(expired.numAffectedRows ?? 0) }
    })
  }

  /** Creates partition `name` for [from, to); null when it exists already. */
  create(t: Table, name: string, range: { from: string; to: string }, lockTimeoutMs: number): Promise<{ moved: number } | null> {
    const { from, to } = range
    return this.#db.transaction().execute(async (trx) => {
      await sql`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(trx)
      // replicas creating the same partition take turns; the second finds it made
      await sql`select pg_advisory_xact_lock(hashtext(${`tracking.partitions.${t.name}.create`}))`.execute(trx)
      const made = await sql<{ moved: string | null }>`
        select create_time_partition(${t.name}, ${name}, ${from}::timestamptz, ${to}::timestamptz) as moved`.execute(trx)
      const moved = made.rows[0]?.moved
      return moved === null || moved === undefined ? null : { moved: Number(moved) }
    })
  }
}
