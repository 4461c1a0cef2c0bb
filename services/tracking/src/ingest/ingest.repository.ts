import { sql, type Kysely } from 'kysely'
import type { DB } from '../db/types.ts'
import type { AccessRow, AuditRow, ErrorRow, SearchRow, SlowQueryRow } from './ingest.table.ts'

interface TableSpec {
  table: keyof DB & string
  /** columns written, in order, with the Postgres type their array is cast to */
  columns: readonly (readonly [name: string, type: string])[]
  /**
   * SELECT expressions for columns that cannot travel as a plain array element (`text[]` per
   * row: unnest would flatten a 2-D array, so it travels as jsonb and is unpacked here)
   */
  select?: Readonly<Record<string, string>>
}

const SPECS = {
  access: {
    table: 'access_log',
    columns: [
      ['id', 'uuid'], ['requested_at', 'timestamptz'], ['request_id', 'text'], ['trace_id', 'text'], ['user_id', 'text'],
      ['method', 'text'], ['path', 'text'], ['route', 'text'], ['status', 'int2'], ['response_ms', 'float8'],
      ['remote_addr', 'text'], ['host', 'text'], ['query_params', 'jsonb'], ['body', 'text'], ['response_body', 'text'],
      ['error_code', 'text'], ['user_agent', 'text'],
    ],
  },
  search: {
    table: 'search_events',
    columns: [
      ['id', 'uuid'], ['occurred_at', 'timestamptz'], ['request_id', 'text'], ['trace_id', 'text'], ['user_id', 'text'],
      ['query', 'text'], ['keyword', 'text'], ['terms', 'jsonb'], ['filters', 'jsonb'], ['sort', 'text'], ['page', 'int4'],
      ['page_size', 'int4'], ['result_count', 'int4'], ['latency_ms', 'float8'],
    ],
    select: { terms: 'array(select jsonb_array_elements_text(u.terms))' },
  },
  audit: {
    table: 'audit_events',
    columns: [
      ['event_id', 'uuid'], ['occurred_at', 'timestamptz'], ['type', 'text'], ['version', 'int4'], ['source', 'text'],
      ['actor_type', 'text'], ['actor_id', 'text'], ['actor_role', 'text'], ['entity_type', 'text'], ['entity_id', 'text'],
      ['payload', 'jsonb'], ['trace_id', 'text'],
    ],
  },
  error: {
    table: 'error_reports',
    columns: [
      ['id', 'uuid'], ['occurred_at', 'timestamptz'], ['service', 'text'], ['fingerprint', 'text'], ['request_id', 'text'],
      ['trace_id', 'text'], ['route', 'text'], ['method', 'text'], ['status', 'int2'], ['code', 'text'], ['message', 'text'],
      ['stack', 'text'],
    ],
  },
  slowQuery: {
    table: 'slow_queries',
    columns: [
      ['id', 'uuid'], ['occurred_at', 'timestamptz'], ['service', 'text'], ['sql', 'text'], ['sql_hash', 'text'],
      ['duration_ms', 'float8'], ['trace_id', 'text'],
    ],
  },
} as const satisfies Record<string, TableSpec>

/**
 * The ingest's writes: each batch is ONE statement, `INSERT … SELECT … FROM unnest($1::uuid[],
 * $2::timestamptz[], …) ON CONFLICT DO NOTHING` — one round trip and one array parameter per
 * column however many rows, and a redelivered row (same primary key) skipped. bench/tracking
 * measured it 1.5× faster than one JSON document through json_populate_recordset (README).
 */
export class IngestRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  /** Inserts the rows; resolves to how many were new (the rest were already stored). */
  async #insert(spec: TableSpec, rows: readonly object[]): Promise<number> {
    if (rows.length === 0) return 0
    const arrays = spec.columns.map(([name, type]) => {
      const values = rows.map((r) => {
        const v = (r as Record<string, unknown>)[name]
        // jsonb columns arrive as JSON text already (scrubbed, bounded); terms as a string array
        return Array.isArray(v) ? JSON.stringify(v) : v
      })
      return sql`${values}::${sql.raw(type)}[]`
    })
    const names = spec.columns.map(([name]) => sql.ref(name))
    const selected = spec.columns.map(([name]) => (spec.select?.[name] ? sql.raw(spec.select[name]) : sql.ref(`u.${name}`)))
    const result = await sql`
      insert into ${sql.table(spec.table)} (${sql.join(names)})
      select ${sql.join(selected)}
      from unnest(${sql.join(arrays)}) as u(${sql.join(names)})
      on conflict do nothing`.execute(this.#db)
    return Number(result.numAffectedRows ?? 0)
  }

  insertAccess = (rows: readonly AccessRow[]) => this.#insert(SPECS.access, rows)
  insertSearches = (rows: readonly SearchRow[]) => this.#insert(SPECS.search, rows)
  insertAudit = (rows: readonly AuditRow[]) => this.#insert(SPECS.audit, rows)
  insertErrors = (rows: readonly ErrorRow[]) => this.#insert(SPECS.error, rows)
  insertSlowQueries = (rows: readonly SlowQueryRow[]) => this.#insert(SPECS.slowQuery, rows)
}
