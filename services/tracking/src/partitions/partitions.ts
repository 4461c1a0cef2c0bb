import type { Database } from '@sunbae/db'
import { PartitionsRepository } from './partitions.repository.ts'

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
  readonly #repo: PartitionsRepository
  readonly #tables: PartitionedTable[]
  readonly #aheadDays: number
  readonly #lockTimeoutMs: number

  constructor(db: Database<any>, tables: PartitionedTable[], opts: { aheadDays: number; lockTimeoutMs?: number }) {
    for (const t of tables) {
      if (!NAME.test(t.name) || !NAME.test(t.column)) throw new Error(`bad partitioned table ${t.name}.${t.column}`)
    }
    this.#repo = new PartitionsRepository(db)
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
  list(table: string): Promise<string[]> {
    return this.#repo.list(table)
  }

  /**
   * One round over every table. `currentOnly`: only the partition holding `now` is ensured (what
   * inserts need at once; a service starts with it), not the week behind and the days ahead.
   */
  async run(now = Date.now(), opts: { currentOnly?: boolean } = {}): Promise<MaintenanceResult> {
    const result: MaintenanceResult = { created: [], dropped: [], moved: 0, expired: 0, skipped: [] }
    for (const t of this.#tables) {
      try {
        await this.#maintain(t, now, result, opts.currentOnly ?? false)
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
    const name = partitionName(t.name, start, t.unit)
    const range = { from: new Date(start).toISOString(), to: new Date(nextUnit(start, t.unit)).toISOString() }
    const made = await this.#repo.create(t, name, range, this.#lockTimeoutMs)
    return made && { name, moved: made.moved }
  }

  async #maintain(t: PartitionedTable, now: number, result: MaintenanceResult, currentOnly: boolean): Promise<void> {
    const cutoff = retentionCutoff(now, t)
    // drop whole partitions that end at or before the cutoff
    const expired = await this.#repo.expire(t, new Date(cutoff).toISOString(), this.#lockTimeoutMs, (name) => {
      const range = parsePartitionName(t.name, name, t.unit)
      return range !== null && range.end <= cutoff
    })
    if (!expired) {
      result.skipped.push(t.name)
      return
    }
    result.dropped.push(...expired.dropped)
    result.expired += expired.rows
    const first = currentOnly ? unitStart(now, t.unit) : Math.max(cutoff, unitStart(now - BACKFILL_DAYS * DAY, t.unit))
    const last = currentOnly ? first : unitStart(now + this.#aheadDays * DAY, t.unit)
    for (let start = first; start <= last; start = nextUnit(start, t.unit)) {
      const made = await this.create(t, start)
      if (made) {
        result.created.push(made.name)
        result.moved += made.moved
      }
    }
  }
}
