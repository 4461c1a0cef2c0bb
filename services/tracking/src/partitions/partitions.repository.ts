import { sql, type Kysely, type Transaction } from 'kysely'
import type { PartitionedTable } from './partitions.ts'

type Table = Pick<PartitionedTable, 'name' | 'column'>

/**
 * The catalog queries and DDL behind PartitionManager. Every step is a short transaction under a
 * transaction-level advisory lock and a lock timeout, so DDL waiting behind a long admin query never
 * makes the ingest's inserts queue behind it. Table and column names are checked by the manager.
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
        await sql`drop table ${sql.table(name)}`.execute(trx)
        dropped.push(name)
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
      const exists = await sql<{ n: number }>`select 1 as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = ${name} and n.nspname = current_schema()`.execute(trx)
      if (exists.rows.length) return null
      const def = sql.table(`${t.name}_default`)
      const col = sql.ref(t.column)
      const stray = await sql`select 1 from ${def} where ${col} >= ${from}::timestamptz and ${col} < ${to}::timestamptz limit 1`.execute(trx)
      if (stray.rows.length === 0) {
        await sql`create table ${sql.table(name)} partition of ${sql.table(t.name)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx)
        return { moved: 0 }
      }
      // Postgres refuses a new partition while DEFAULT holds rows of its range: build it beside
      // the parent, move the rows over, then attach it (all in this transaction).
      await sql`create table ${sql.table(name)} (like ${sql.table(t.name)} including defaults including constraints)`.execute(trx)
      const moved = await sql`
        with gone as (delete from ${def} where ${col} >= ${from}::timestamptz and ${col} < ${to}::timestamptz returning *)
        insert into ${sql.table(name)} select * from gone`.execute(trx)
      await sql`alter table ${sql.table(t.name)} attach partition ${sql.table(name)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx)
      return { moved: Number(moved.numAffectedRows ?? 0) }
    })
  }
}
