import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sql, type Kysely } from 'kysely'
import { from as copyFrom } from 'pg-copy-streams'
import { pgErrorCode, type Db } from '@sunbae/db'
import { copyBuffer } from './copy.ts'
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
      ['page_size', 'int4'], ['result_count', 'int4'], ['latency_ms', 'float8'], ['client_ip', 'text'],
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

export type InsertMethod = 'copy' | 'insert'

/** The ingest's connection pool (a pg.Pool, as `@sunbae/db`'s createDb makes it). */
export type IngestPool = Db<DB>['pool']
/** pg.PoolClient (its callback overload names it; tracking does not depend on pg itself) */
type Client = NonNullable<Parameters<Parameters<IngestPool['connect']>[0]>[1]>

const UNIQUE_VIOLATION = '23505'

/**
 * The ingest's writes; each batch is committed before its messages are acked (the caller's
 * contract), and a row already stored (same primary key: a redelivery) is never stored twice.
 *
 * `copy` (the default): the batch goes to Postgres as ONE `COPY <table> FROM STDIN` (text format)
 * straight into the partitioned table, which routes each row to its partition. A COPY is one
 * statement in its own transaction: all rows or none. Were any row stored already, the primary key
 * refuses the whole COPY (unique violation, nothing written); the batch then takes the slow path —
 * COPY into a session-temporary staging table and `INSERT … SELECT … ON CONFLICT DO NOTHING` from
 * it, in one transaction. Redeliveries are rare (a crash between commit and ack), so nearly every
 * batch is one COPY: bench/tracking measured it at less than half of Postgres' CPU per row of the
 * INSERT below (no array parsing, no speculative insertion), see its RESULTS.md.
 *
 * `insert`: the former path, kept for comparison (bench/tracking runs both) and for a proxy that
 * cannot pass COPY through: one `INSERT … SELECT … FROM unnest($1::uuid[], …) ON CONFLICT DO NOTHING`.
 */
export class IngestRepository {
  readonly #db: Kysely<DB>
  readonly #pool: IngestPool | undefined
  readonly #method: InsertMethod
  /** rows written through the staging table (a duplicate made the direct COPY fail) */
  readonly stats = { slowPath: 0 }

  constructor(db: Kysely<DB>, pool?: IngestPool, method: InsertMethod = pool ? 'copy' : 'insert') {
    if (method === 'copy' && !pool) throw new Error('the copy method needs a pg pool')
    this.#db = db
    this.#pool = pool
    this.#method = method
  }

  #write(spec: TableSpec, rows: readonly object[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0)
    return this.#method === 'copy' ? this.#copy(spec, rows) : this.#insert(spec, rows)
  }

  /** Inserts the rows; resolves to how many were new (the rest were already stored). */
  async #insert(spec: TableSpec, rows: readonly object[]): Promise<number> {
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

  /** COPY straight in; on a duplicate, through the staging table. Resolves to how many were new. */
  async #copy(spec: TableSpec, rows: readonly object[]): Promise<number> {
    const columns = spec.columns.map(([name]) => name)
    const data = copyBuffer(columns, rows)
    const list = columns.map(ident).join(', ')
    const client = await this.#pool!.connect()
    let broken: Error | undefined
    try {
      try {
        // no BEGIN: the statement is its own transaction, committed before its CommandComplete and
        // ReadyForQuery, and pg-copy-streams resolves only after ReadyForQuery
        return await copyIn(client, `copy ${ident(spec.table)} (${list}) from stdin`, data)
      } catch (err) {
        if (pgErrorCode(err) !== UNIQUE_VIOLATION) throw err
      }
      this.stats.slowPath += rows.length
      const stage = ident(`${spec.table}_stage`)
      await client.query('begin')
      try {
        // per session, emptied at every commit; LIKE copies the columns (and defaults), not the keys
        await client.query(`create temporary table if not exists ${stage} (like ${ident(spec.table)} including defaults) on commit delete rows`)
        await copyIn(client, `copy ${stage} (${list}) from stdin`, data)
        const result = await client.query(`insert into ${ident(spec.table)} (${list}) select ${list} from ${stage} on conflict do nothing`)
        await client.query('commit')
        return result.rowCount ?? 0
      } catch (err) {
        await client.query('rollback').catch(() => undefined)
        throw err
      }
    } catch (err) {
      // a connection that failed mid-protocol is not handed to the next batch
      if (pgErrorCode(err) === undefined) broken = err instanceof Error ? err : new Error(String(err))
      throw err
    } finally {
      client.release(broken)
    }
  }

  /**
   * catalog.user.deleted (issue 21, PIPA / GDPR): what tracking holds about the person loses what names
   * them — the top-level personal fields of every audit payload that mentions the uid (the events stay:
   * who did what and when is the trail), the uid and request/response bodies of their access-log rows,
   * the uid of their searches. Idempotent: a redelivered batch changes nothing more.
   */
  async eraseUser(uid: string): Promise<{ audit: number; access: number; searches: number }> {
    return this.#db.transaction().execute(async (trx) => {
      const audit = await sql`
        update audit_events set payload = payload - ${PERSONAL_PAYLOAD_KEYS}::text[]
        where jsonb_typeof(payload) = 'object' and payload::text like ${`%${JSON.stringify(uid).replace(/[\\%_]/g, (c) => `\\${c}`)}%`}
          and payload ?| ${PERSONAL_PAYLOAD_KEYS}::text[]`.execute(trx)
      const access = await trx.updateTable('access_log').set({ user_id: null, body: null, response_body: null }).where('user_id', '=', uid).executeTakeFirst()
      const searches = await trx.updateTable('search_events').set({ user_id: null }).where('user_id', '=', uid).executeTakeFirst()
      return { audit: Number(audit.numAffectedRows ?? 0), access: Number(access.numUpdatedRows), searches: Number(searches.numUpdatedRows) }
    })
  }

  insertAccess = (rows: readonly AccessRow[]) => this.#write(SPECS.access, rows)
  insertSearches = (rows: readonly SearchRow[]) => this.#write(SPECS.search, rows)
  insertAudit = (rows: readonly AuditRow[]) => this.#write(SPECS.audit, rows)
  insertErrors = (rows: readonly ErrorRow[]) => this.#write(SPECS.error, rows)
  insertSlowQueries = (rows: readonly SlowQueryRow[]) => this.#write(SPECS.slowQuery, rows)
}

/** The fields of domain-event payloads that name a person or carry what they wrote. */
export const PERSONAL_PAYLOAD_KEYS = ['email', 'displayName', 'photoUrl', 'menteeName', 'mentorName', 'authorName', 'name', 'message', 'comment', 'text', 'headline', 'bio', 'company', 'links']

/** Our table and column names are plain lowercase identifiers; quoting keeps that an invariant. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Runs one COPY … FROM STDIN with `data`; resolves to the rows copied, after ReadyForQuery. */
async function copyIn(client: Client, statement: string, data: Buffer): Promise<number> {
  const stream = client.query(copyFrom(statement))
  await pipeline(Readable.from([data]), stream)
  return stream.rowCount
}
