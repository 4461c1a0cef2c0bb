import { isSpanContextValid, trace } from '@opentelemetry/api'
import type { SlowQueryV1 } from '@sunbae/contracts'
import { Kysely, PostgresDialect, sql, type LogEvent, type PostgresPool, type Transaction } from 'kysely'
import pg from 'pg'
import { assertSchemaName } from './names.ts'
import { normalizeSql } from './normalize.ts'

export type SlowQuery = SlowQueryV1

export interface CreateDbOptions {
  /** The service role's URL (see serviceDatabaseUrl). */
  connectionString: string
  /** Schema the connection is bound to: unqualified names resolve here. */
  schema: string
  /** Service name carried in slow-query reports. */
  service: string
  /** Queries at least this slow are reported. */
  slowQueryMs: number
  /** Must not throw or block: it runs on the query path. Its promise is not awaited. */
  onSlowQuery?: (report: SlowQuery) => void | Promise<void>
  /** Any failure of a slow-query callback ends here (default: ignored). */
  onError?: (err: unknown) => void
  poolMax?: number
  /** Server-side cap per statement, so a runaway query cannot hold a connection forever. */
  statementTimeoutMs?: number
  /** Server-side cap on waiting for a lock. */
  lockTimeoutMs?: number
  /** Server-side end of a transaction left idle (its locks are released). */
  idleInTransactionTimeoutMs?: number
  applicationName?: string
  connectionTimeoutMs?: number
  /**
   * Called each time a query or transaction of `db` found every connection of the pool busy and had
   * to queue for one, once it got it: how long it waited (ms). For pool-wait metrics; it runs on the
   * query path, so it must be cheap and must not throw. Clients taken from `pool` directly are not seen.
   */
  onPoolWait?: (waitedMs: number) => void
  /**
   * Role every session takes at connect (SET ROLE as a startup option), e.g. migrations acting as a
   * schema's owner from the admin's login. The login must be a member of it.
   */
  role?: string
}

/**
 * The handles a service's wiring and rules pass around without importing Kysely: only repositories
 * (`*.repository.ts`), `*.table.ts`, migrations and this package may (lint-enforced). A service opens a
 * transaction on a `Database` and hands the `Tx` to repositories; it never builds a query itself.
 */
export type Database<DB> = Kysely<DB>
export type Tx<DB> = Transaction<DB>
/** What a repository method runs on: the caller's transaction or the database itself. */
export type Executor<DB> = Kysely<DB> | Transaction<DB>

/** Opens transactions for services, which never see the driver. */
export class Transactions<DB> {
  readonly #db: Database<DB>
  constructor(db: Database<DB>) {
    this.#db = db
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (tx: Tx<DB>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work)
  }
}

export interface Db<DB> {
  db: Kysely<DB>
  pool: pg.Pool
  /** Throws when the database cannot answer (for readiness probes). */
  ping(): Promise<void>
  /** Idempotent. */
  close(): Promise<void>
}

// Startup options are split on spaces and have no quoting of their own: only plain role names.
function roleOption(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`invalid role name ${JSON.stringify(role)}`)
  return role
}

function activeTraceId(): string | null {
  const ctx = trace.getActiveSpan()?.spanContext()
  return ctx && isSpanContextValid(ctx) ? ctx.traceId : null
}

/**
 * A Kysely instance bound to one service schema, with every query timed. Queries sent straight
 * through `pool` bypass the timing: go through `db` (or `sql`...execute(db)).
 */
export function createDb<DB>(options: CreateDbOptions): Db<DB> {
  const schema = assertSchemaName(options.schema)
  const max = options.poolMax ?? 10
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    // Setup also does ALTER ROLE ... SET search_path; this covers connecting with another role
    // (an admin in tests or tools) and a role created before that step ran.
    options: `-c search_path=${schema}${options.role === undefined ? '' : ` -c role=${roleOption(options.role)}`}`,
    max,
    application_name: options.applicationName ?? options.service,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    ...(options.statementTimeoutMs !== undefined ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.lockTimeoutMs !== undefined ? { lock_timeout: options.lockTimeoutMs } : {}),
    ...(options.idleInTransactionTimeoutMs !== undefined ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
  })
  // An idle client losing its server (restart, failover, FORCE drop) emits here; without a
  // listener that would crash the process, while pg already discards the broken client.
  pool.on('error', (err) => options.onError?.(err))
  // A client checked out of the pool (inside a transaction between two queries, a session held for
  // an advisory lock) emits 'error' on itself when its server goes, and the pool listens only to idle
  // ones: without this listener a Postgres restart crashed every service holding such a client. The
  // caller learns of the loss from its next query (the client is no longer queryable), and the pool
  // discards the client when it comes back.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      // an idle client's error reaches the pool's listener above already
      if (client.listenerCount('error') === 1) options.onError?.(err)
    })
  })

  const log = (event: LogEvent) => {
    if (event.queryDurationMillis < options.slowQueryMs || !options.onSlowQuery) return
    try {
      const report: SlowQuery = {
        service: options.service,
        sql: normalizeSql(event.query.sql),
        durationMs: Math.round(event.queryDurationMillis * 1000) / 1000,
        traceId: activeTraceId(),
        occurredAt: new Date().toISOString(),
      }
      // Reporting must never slow down or fail the query it describes.
      Promise.resolve(options.onSlowQuery(report)).catch((err: unknown) => options.onError?.(err))
    } catch (err) {
      options.onError?.(err)
    }
  }

  const { onPoolWait } = options
  // Kysely takes its connections through connect(): a request that finds no idle connection in a
  // full pool (or others already queued) joins pg's queue, and is timed until it leaves it.
  const queued = async () => {
    const start = performance.now()
    const client = await pool.connect()
    try {
      onPoolWait!(performance.now() - start)
    } catch (err) {
      options.onError?.(err)
    }
    return client
  }
  const dialectPool = onPoolWait
    ? {
        // what Kysely reads for cancelling a query (`controlClient`)
        options: pool.options,
        Client: (pool as unknown as { Client: PostgresPool['Client'] }).Client,
        // a free connection (or room for one): pg's own promise, nothing added on the query path
        connect: () => (pool.waitingCount === 0 && (pool.idleCount > 0 || pool.totalCount < max) ? pool.connect() : queued()),
        end: () => pool.end(),
      }
    : pool
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: dialectPool }), log })
  let closing: Promise<void> | undefined
  return {
    db,
    pool,
    async ping() {
      await sql`select 1`.execute(db)
    },
    close() {
      // Kysely's destroy ends the pool.
      closing ??= db.destroy()
      return closing
    },
  }
}
