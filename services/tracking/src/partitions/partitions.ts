import { sql, type Kysely } from 'kysely'

export type PartitionUnit = 'day' | 'month'

export interface PartitionedTable {
  /** the partitioned parent, e.g. access_log (its DEFAULT partition is `<name>_default`) */
  name: string
  /** the range partition key */
  column: string
  unit: PartitionUnit
  retentionDays: number
}

export interface MaintenanceResult {
  created: string[]
  dropped: string[]
  /** rows moved out of a DEFAULT partition into a partition created for them */
  moved: number
  /** rows past retention deleted from a DEFAULT partition */
  expired: number
  /** tables skipped because another replica held their lock, or a lock wait timed out */
  skipped: string[]
}

const DAY = 86_400_000
/** partitions created behind today: the TELEMETRY stream keeps 3 days, late rows beyond go to DEFAULT */
const BACKFILL_DAYS = 7

const NAME = /^[a-z_][a-z0-9_]{0,40}$/

/** UTC start of the day / month that holds `ms`. */
export function unitStart(ms: number, unit: PartitionUnit): number {
  const d = new Date(ms)
  return unit === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

export function nextUnit(start: number, unit: PartitionUnit): number {
  const d = new Date(start)
  return unit === 'day' ? start + DAY : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

/** `access_log_p20261128`, `audit_events_p202611` */
export function partitionName(table: string, start: number, unit: PartitionUnit): string {
  const iso = new Date(start).toISOString()
  return `${table}_p${iso.slice(0, 4)}${iso.slice(5, 7)}${unit === 'day' ? iso.slice(8, 10) : ''}`
}

/** The range a partition name stands for, or null for names we did not create. */
export function parsePartitionName(table: string, name: string, unit: PartitionUnit): { start: number; end: number } | null {
  const m = (unit === 'day' ? /^(\d{4})(\d{2})(\d{2})$/ : /^(\d{4})(\d{2})$/).exec(name.startsWith(`${table}_p`) ? name.slice(table.length + 2) : '')
  if (!m) return null
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1)
  return Number.isFinite(start) ? { start, end: nextUnit(start, unit) } : null
}

/**
 * The oldest time a table keeps: the start of the unit holding `now − retention`. Everything
 * before is dropped (whole partitions) and not ingested any more.
 */
export function retentionCutoff(now: number, t: Pick<PartitionedTable, 'retentionDays' | 'unit'>): number {
  return unitStart(now - t.retentionDays * DAY, t.unit)
}

/**
 * Time partitions of tracking's tables, kept by the service itself (no extension needed):
 * partitions from a week back to `aheadDays` ahead exist, so inserts land in a dated partition and
 * the DEFAULT partition stays (nearly) empty; partitions entirely older than the retention are
 * dropped whole — no DELETE, no bloat. Rows that landed in DEFAULT (a partition did not exist yet)
 * are moved into their partition when it is created, and deleted from DEFAULT once past retention.
 *
 * Every step is a short transaction per table under a transaction-level advisory lock (replicas
 * skip a table another one is working on) and a lock timeout, so DDL waiting behind a long admin
 * query never makes the ingest's inserts queue behind it.
 */
export class PartitionManager {
  readonly #db: Kysely<any>
  readonly #tables: PartitionedTable[]
  readonly #aheadDays: number
  readonly #lockTimeoutMs: number

  constructor(db: Kysely<any>, tables: PartitionedTable[], opts: { aheadDays: number; lockTimeoutMs?: number }) {
    for (const t of tables) {
      if (!NAME.test(t.name) || !NAME.test(t.column)) throw new Error(`bad partitioned table ${t.name}.${t.column}`)
    }
    this.#db = db
    this.#tables = tables
    this.#aheadDays = opts.aheadDays
    this.#lockTimeoutMs = opts.lockTimeoutMs ?? 5_000
  }

  get tables(): readonly PartitionedTable[] {
    return this.#tables
  }

  cutoff(table: string, now = Date.now()): number {
    const t = this.#tables.find((x) => x.name === table)
    if (!t) throw new Error(`unknown partitioned table ${table}`)
    return retentionCutoff(now, t)
  }

  /** Partitions of a table, by name (ours and any other). */
  async list(table: string): Promise<string[]> {
    const rows = await sql<{ name: string }>`
      select c.relname as name
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
      join pg_namespace n on n.oid = p.relnamespace
      where p.relname = ${table} and n.nspname = current_schema()
      order by c.relname`.execute(this.#db)
    return rows.rows.map((r) => r.name)
  }

  async run(now = Date.now()): Promise<MaintenanceResult> {
    const result: MaintenanceResult = { created: [], dropped: [], moved: 0, expired: 0, skipped: [] }
    for (const t of this.#tables) {
      try {
        await this.#maintain(t, now, result)
      } catch (err) {
        // 55P03 lock_not_available: someone held the table too long; the next round retries
        if ((err as { code?: string }).code === '55P03') result.skipped.push(t.name)
        else throw err
      }
    }
    return result
  }

  /** Creates the partition for [start, end) now (used by run; tests use it to place old data). */
  async create(t: PartitionedTable, start: number): Promise<{ name: string; moved: number } | null> {
    const end = nextUnit(start, t.unit)
    const name = partitionName(t.name, start, t.unit)
    const from = new Date(start).toISOString()
    const to = new Date(end).toISOString()
    return this.#db.transaction().execute(async (trx) => {
      await sql`select set_config('lock_timeout', ${`${this.#lockTimeoutMs}ms`}, true)`.execute(trx)
      // replicas creating the same partition take turns; the second finds it made
      await sql`select pg_advisory_xact_lock(hashtext(${`tracking.partitions.${t.name}.create`}))`.execute(trx)
      const exists = await sql<{ n: number }>`select 1 as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = ${name} and n.nspname = current_schema()`.execute(trx)
      if (exists.rows.length) return null
      const def = sql.table(`${t.name}_default`)
      const col = sql.ref(t.column)
      const stray = await sql`select 1 from ${def} where ${col} >= ${from}::timestamptz and ${col} < ${to}::timestamptz limit 1`.execute(trx)
      if (stray.rows.length === 0) {
        await sql`create table ${sql.table(name)} partition of ${sql.table(t.name)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx)
        return { name, moved: 0 }
      }
      // Postgres refuses a new partition while DEFAULT holds rows of its range: build it beside
      // the parent, move the rows over, then attach it (all in this transaction).
      await sql`create table ${sql.table(name)} (like ${sql.table(t.name)} including defaults including constraints)`.execute(trx)
      const moved = await sql`
        with gone as (delete from ${def} where ${col} >= ${from}::timestamptz and ${col} < ${to}::timestamptz returning *)
        insert into ${sql.table(name)} select * from gone`.execute(trx)
      await sql`alter table ${sql.table(t.name)} attach partition ${sql.table(name)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx)
      return { name, moved: Number(moved.numAffectedRows ?? 0) }
    })
  }

  async #maintain(t: PartitionedTable, now: number, result: MaintenanceResult): Promise<void> {
    const cutoff = retentionCutoff(now, t)
    const locked = await this.#db.transaction().execute(async (trx) => {
      // one replica per table at a time; the lock ends with this transaction
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`tracking.partitions.${t.name}`})) as ok`.execute(trx)
      if (!got.rows[0]?.ok) return false
      await sql`select set_config('lock_timeout', ${`${this.#lockTimeoutMs}ms`}, true)`.execute(trx)

      // drop whole partitions that end at or before the cutoff
      for (const name of await this.list(t.name)) {
        const range = parsePartitionName(t.name, name, t.unit)
        if (range && range.end <= cutoff) {
          await sql`drop table ${sql.table(name)}`.execute(trx)
          result.dropped.push(name)
        }
      }
      const expired = await sql`delete from ${sql.table(`${t.name}_default`)} where ${sql.ref(t.column)} < ${new Date(cutoff).toISOString()}::timestamptz`.execute(trx)
      result.expired += Number(expired.numAffectedRows ?? 0)
      return true
    })
    if (!locked) {
      result.skipped.push(t.name)
      return
    }
    const first = Math.max(cutoff, unitStart(now - BACKFILL_DAYS * DAY, t.unit))
    const last = unitStart(now + this.#aheadDays * DAY, t.unit)
    for (let start = first; start <= last; start = nextUnit(start, t.unit)) {
      const made = await this.create(t, start)
      if (made) {
        result.created.push(made.name)
        result.moved += made.moved
      }
    }
  }
}
