import { sql, type Kysely, type Transaction } from 'kysely'
import type { DB } from '../db/types.ts'
import type { Cursor, Window } from './window.ts'

/** `%`, `_` and `\` in user input are matched literally (backslash is Postgres' default LIKE escape). */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export interface RequestFilter {
  path?: string
  route?: string
  method?: string
  status?: number
  statusClass?: number
  user?: string
  ip?: string
  requestId?: string
}

/**
 * Who searched: the uid, else the anonymous client's address (prefixed, so the two never collide);
 * null (counted by nobody) for an anonymous search from a producer that sent no address.
 */
const SEARCHER = sql`coalesce('u:' || user_id, 'ip:' || client_ip)`

/** An entry of tracking's own audit trail (admins' actions on tracking's data). */
export interface AuditRecord {
  eventId: string
  type: string
  actorId: string
  actorRole: string
  entityType: string
  entityId: string
  payload: Record<string, unknown>
  traceId: string | null
}

function insertAudit(trx: Transaction<DB>, a: AuditRecord, at: Date) {
  return trx
    .insertInto('audit_events')
    .values({
      event_id: a.eventId,
      occurred_at: at,
      type: a.type,
      version: 1,
      source: 'tracking',
      actor_type: 'user',
      actor_id: a.actorId,
      actor_role: a.actorRole,
      entity_type: a.entityType,
      entity_id: a.entityId,
      payload: JSON.stringify(a.payload),
      trace_id: a.traceId,
    })
    .execute()
}

/**
 * All SQL of the admin API. Every query is bounded by its window on the partition key, so
 * Postgres prunes to the partitions of that window.
 */
export class TrackingRepository {
  readonly #db: Kysely<DB>
  constructor(db: Kysely<DB>) {
    this.#db = db
  }

  requests(w: Window, f: RequestFilter, cursor: Cursor | null, limit: number) {
    let q = this.#db
      .selectFrom('access_log')
      .selectAll()
      .where('requested_at', '>=', w.from)
      .where('requested_at', '<', w.to)
    if (f.path !== undefined) {
      q = f.path.endsWith('*') ? q.where('path', 'like', `${escapeLike(f.path.slice(0, -1))}%`) : q.where('path', '=', f.path)
    }
    if (f.route !== undefined) q = q.where('route', '=', f.route)
    if (f.method !== undefined) q = q.where('method', '=', f.method.toUpperCase())
    if (f.status !== undefined) q = q.where('status', '=', f.status)
    if (f.statusClass !== undefined) q = q.where('status', '>=', f.statusClass * 100).where('status', '<', f.statusClass * 100 + 100)
    if (f.user !== undefined) q = q.where('user_id', '=', f.user)
    if (f.ip !== undefined) q = q.where('remote_addr', '=', f.ip)
    if (f.requestId !== undefined) q = q.where('request_id', '=', f.requestId)
    if (cursor) q = q.where(sql<boolean>`(requested_at, id) < (${cursor.at}, ${cursor.id}::uuid)`)
    return q.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
  }

  request(id: string, at: Date) {
    return this.#db.selectFrom('access_log').selectAll().where('requested_at', '=', at).where('id', '=', id).executeTakeFirst()
  }

  async stats(w: Window, interval: string, route: string | undefined, page: number, pageSize: number) {
    const routeExpr = sql<string>`coalesce(route, '(unmatched)')`
    const rows = await sql<{
      route: string
      bucket: Date
      count: string
      client_errors: string
      server_errors: string
      p: number[]
      total: string
    }>`
      select ${routeExpr} as route,
             date_bin(${interval}::interval, requested_at, ${w.from}::timestamptz) as bucket,
             count(*) as count,
             count(*) filter (where status >= 400 and status < 500) as client_errors,
             count(*) filter (where status >= 500) as server_errors,
             percentile_cont(array[0.5, 0.95, 0.99]) within group (order by response_ms) as p,
             count(*) over () as total
      from access_log
      where requested_at >= ${w.from} and requested_at < ${w.to}
        ${route !== undefined ? sql`and ${routeExpr} = ${route}` : sql``}
      group by 1, 2
      order by 2 desc, 1
      limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(this.#db)
    return rows.rows
  }

  /** Term counts in the window against the window of the same length just before it. */
  async keywords(w: Window, previousFrom: Date, sort: 'count' | 'growth', page: number, pageSize: number) {
    const order =
      sort === 'growth'
        ? sql`(cur.n - coalesce(prev.n, 0))::float8 / greatest(coalesce(prev.n, 0), 1) desc, cur.n desc, cur.term`
        : sql`cur.n desc, cur.term`
    const rows = await sql<{ term: string; n: string; users: string; searchers: string; hidden: boolean; prev: string; total: string }>`
      with cur as (
        select term, count(*) as n, count(distinct user_id) as users, count(distinct ${SEARCHER}) as searchers
        from search_events, unnest(terms) as term
        where occurred_at >= ${w.from} and occurred_at < ${w.to}
        group by term
      ), prev as (
        select term, count(*) as n
        from search_events, unnest(terms) as term
        where occurred_at >= ${previousFrom} and occurred_at < ${w.from}
        group by term
      )
      select cur.term, cur.n, cur.users, cur.searchers, coalesce(prev.n, 0) as prev,
             exists (select 1 from hidden_terms h where h.term = cur.term) as hidden,
             count(*) over () as total
      from cur left join prev using (term)
      order by ${order}
      limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(this.#db)
    return rows.rows
  }

  /**
   * The public trending list: terms of at least `minLength` characters searched by at least
   * `minSearchers` distinct searchers (uid, else the anonymous client's address; an anonymous search
   * without an address counts for nobody), none hidden, ranked by distinct searchers, then searches.
   * `prev` is the distinct searchers of the window just before (the trend).
   */
  async trending(w: Window, previousFrom: Date, o: { minSearchers: number; minLength: number; limit: number }) {
    const rows = await sql<{ term: string; n: string; searchers: string; prev: string }>`
      with cur as (
        select term, count(*) as n, count(distinct ${SEARCHER}) as searchers
        from search_events, unnest(terms) as term
        where occurred_at >= ${w.from} and occurred_at < ${w.to} and char_length(term) >= ${o.minLength}
        group by term
        having count(distinct ${SEARCHER}) >= ${o.minSearchers}
      ), shown as (
        select cur.* from cur
        where not exists (select 1 from hidden_terms h where h.term = cur.term)
        order by cur.searchers desc, cur.n desc, cur.term
        limit ${o.limit}
      ), prev as (
        select term, count(distinct ${SEARCHER}) as searchers
        from search_events, unnest(terms) as term
        where occurred_at >= ${previousFrom} and occurred_at < ${w.from} and term in (select term from shown)
        group by term
      )
      select shown.term, shown.n, shown.searchers, coalesce(prev.searchers, 0) as prev
      from shown left join prev using (term)
      order by shown.searchers desc, shown.n desc, shown.term`.execute(this.#db)
    return rows.rows
  }

  async hiddenTerms(page: number, pageSize: number) {
    return this.#db
      .selectFrom('hidden_terms')
      .selectAll()
      .select(sql<string>`count(*) over ()`.as('total'))
      .orderBy('hidden_at', 'desc')
      .orderBy('term')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute()
  }

  /**
   * Hides a term (or updates why it is hidden) and records who did it in the audit trail, in one
   * transaction; `created` is false when the term was hidden already.
   */
  hideTerm(row: { term: string; reason: string; hidden_by: string }, audit: AuditRecord) {
    return this.#db.transaction().execute(async (trx) => {
      const saved = await trx
        .insertInto('hidden_terms')
        .values(row)
        .onConflict((oc) => oc.column('term').doUpdateSet({ reason: row.reason, hidden_by: row.hidden_by, hidden_at: sql`now()` }))
        .returningAll()
        // xmax is 0 for a row this statement inserted, the updating transaction's id otherwise
        .returning(sql<boolean>`xmax = 0`.as('created'))
        .executeTakeFirstOrThrow()
      await insertAudit(trx, audit, saved.hidden_at)
      return saved
    })
  }

  /** An admin's action outside tracking's tables (a dead-letter redrive): its audit entry alone. */
  recordAudit(audit: AuditRecord) {
    return this.#db.transaction().execute((trx) => insertAudit(trx, audit, new Date()))
  }

  /** Shows a hidden term again (audited in the same transaction); undefined when it was not hidden. */
  unhideTerm(term: string, audit: AuditRecord) {
    return this.#db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('hidden_terms').where('term', '=', term).returningAll().executeTakeFirst()
      if (removed) await insertAudit(trx, audit, new Date())
      return removed
    })
  }

  async zeroResults(w: Window, page: number, pageSize: number) {
    const rows = await sql<{ keyword: string; n: string; last: Date; total: string }>`
      select keyword, count(*) as n, max(occurred_at) as last, count(*) over () as total
      from search_events
      where occurred_at >= ${w.from} and occurred_at < ${w.to} and result_count = 0 and keyword is not null
      group by keyword
      order by n desc, keyword
      limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(this.#db)
    return rows.rows
  }

  audit(w: Window, f: { entityType?: string; entityId?: string; actor?: string; type?: string }, cursor: Cursor | null, limit: number) {
    let q = this.#db
      .selectFrom('audit_events')
      .selectAll()
      .where('occurred_at', '>=', w.from)
      .where('occurred_at', '<', w.to)
    if (f.entityType !== undefined) q = q.where('entity_type', '=', f.entityType)
    if (f.entityId !== undefined) q = q.where('entity_id', '=', f.entityId)
    if (f.actor !== undefined) q = q.where('actor_id', '=', f.actor)
    if (f.type !== undefined) q = f.type.endsWith('.') ? q.where('type', 'like', `${escapeLike(f.type)}%`) : q.where('type', '=', f.type)
    if (cursor) q = q.where(sql<boolean>`(occurred_at, event_id) < (${cursor.at}, ${cursor.id}::uuid)`)
    return q.orderBy('occurred_at', 'desc').orderBy('event_id', 'desc').limit(limit + 1).execute()
  }

  async errorGroups(w: Window, f: { service?: string; route?: string; fingerprint?: string }, page: number, pageSize: number) {
    const rows = await sql<{
      fingerprint: string
      service: string
      route: string | null
      method: string | null
      status: number
      code: string
      message: string
      n: string
      first_seen: Date
      last_seen: Date
      sample_trace_id: string | null
      sample_request_id: string | null
      stack: string | null
      total: string
    }>`
      with g as (
        select fingerprint,
               count(*) as n,
               max(occurred_at) as last_seen,
               (array_agg(service order by occurred_at desc))[1] as service,
               (array_agg(route order by occurred_at desc))[1] as route,
               (array_agg(method order by occurred_at desc))[1] as method,
               (array_agg(status order by occurred_at desc))[1] as status,
               (array_agg(code order by occurred_at desc))[1] as code,
               (array_agg(message order by occurred_at desc))[1] as message,
               (array_agg(stack order by occurred_at desc))[1] as stack,
               (array_agg(trace_id order by occurred_at desc) filter (where trace_id is not null))[1] as sample_trace_id,
               (array_agg(request_id order by occurred_at desc) filter (where request_id is not null))[1] as sample_request_id
        from error_reports
        where occurred_at >= ${w.from} and occurred_at < ${w.to}
          ${f.service !== undefined ? sql`and service = ${f.service}` : sql``}
          ${f.route !== undefined ? sql`and route = ${f.route}` : sql``}
          ${f.fingerprint !== undefined ? sql`and fingerprint = ${f.fingerprint}` : sql``}
        group by fingerprint
      )
      select g.*,
             -- first seen over everything kept, not only this window (fingerprint index)
             (select min(e.occurred_at) from error_reports e where e.fingerprint = g.fingerprint) as first_seen,
             count(*) over () as total
      from g
      order by n desc, last_seen desc, fingerprint
      limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(this.#db)
    return rows.rows
  }

  recentErrors(w: Window, fingerprint: string, limit: number) {
    return this.#db
      .selectFrom('error_reports')
      .select(['occurred_at', 'request_id', 'trace_id', 'route'])
      .where('occurred_at', '>=', w.from)
      .where('occurred_at', '<', w.to)
      .where('fingerprint', '=', fingerprint)
      .orderBy('occurred_at', 'desc')
      .limit(limit)
      .execute()
  }

  async slowQueries(w: Window, service: string | undefined, sort: 'count' | 'p95', page: number, pageSize: number) {
    const order = sort === 'p95' ? sql`p95 desc, n desc` : sql`n desc, p95 desc`
    const rows = await sql<{
      service: string
      sql: string
      n: string
      p95: number
      max: number
      avg: number
      last_seen: Date
      sample_trace_id: string | null
      total: string
    }>`
      select service,
             min(sql) as sql,
             count(*) as n,
             percentile_cont(0.95) within group (order by duration_ms) as p95,
             max(duration_ms) as max,
             avg(duration_ms) as avg,
             max(occurred_at) as last_seen,
             (array_agg(trace_id order by duration_ms desc) filter (where trace_id is not null))[1] as sample_trace_id,
             count(*) over () as total
      from slow_queries
      where occurred_at >= ${w.from} and occurred_at < ${w.to}
        ${service !== undefined ? sql`and service = ${service}` : sql``}
      group by service, sql_hash
      order by ${order}, sql_hash
      limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(this.#db)
    return rows.rows
  }
}
