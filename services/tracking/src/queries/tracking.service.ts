import { randomUUID } from 'node:crypto'
import type {
  AccessLogEntry,
  AuditEntry,
  AuditQuery,
  ErrorDetail,
  ErrorGroup,
  ErrorsQuery,
  KeywordStat,
  KeywordsQuery,
  RequestsQuery,
  RouteStats,
  SlowQueriesQuery,
  SlowQueryGroup,
  StatsQuery,
  TrendingKeywords,
  ZeroResultKeyword,
  HiddenTerm,
  HiddenTermsPage,
  HiddenTermsQuery,
  HideTermBody,
} from '@sunbae/contracts'
import { TRENDING_LIMIT_MAX } from '@sunbae/contracts'
import { AppError, notFound } from '@sunbae/service-kit'
import type { AccessLogRow } from './tracking.table.ts'
import { timeOfId } from '../ingest/ids.ts'
import { normalizeKeyword } from '../ingest/mappers.ts'
import type { TrackingRepository } from './tracking.repository.ts'
import { TrendingCache } from './trending-cache.ts'
import { bucketInterval, checkBuckets, decodeCursor, encodeCursor, windowOf, type Window } from './window.ts'

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString()
const round3 = (n: number) => Math.round(n * 1000) / 1000

function toEntry(r: AccessLogRow): AccessLogEntry {
  return {
    id: r.id,
    requestId: r.request_id,
    traceId: r.trace_id,
    user: r.user_id,
    requestedAt: iso(r.requested_at),
    responseMs: r.response_ms,
    method: r.method,
    path: r.path,
    route: r.route,
    status: r.status,
    remoteAddr: r.remote_addr,
    host: r.host,
    queryParams: (r.query_params ?? {}) as Record<string, unknown>,
    body: r.body,
    responseBody: r.response_body,
    errors: r.error_code,
    userAgent: r.user_agent,
  }
}

function trendOf(count: number, previous: number): KeywordStat['trend'] {
  if (previous === 0) return 'new'
  if (count >= previous * 1.2) return 'up'
  if (count <= previous * 0.8) return 'down'
  return 'flat'
}

interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
  from: string
  to: string
}

/** No term shorter than this (in characters) is ever trending: `c`, `김`, `a` say nothing. */
export const TRENDING_MIN_TERM_LENGTH = 2
const DAY_MS = 24 * 3_600_000

export interface TrendingOptions {
  /** distinct searchers (users or anonymous client addresses) a term needs to be trending */
  minSearchers: number
  /** how long one aggregation of the trending list is served */
  cacheMs: number
}

/** Who acted, for tracking's own audit entries. */
export interface Actor {
  uid: string
  role: string
  traceId: string | null
}

/** A term as searches store it (NFKC, lower case); 400 unless it is exactly one term. */
function oneTerm(raw: string, field: string): string {
  const term = normalizeKeyword(raw)
  if (!term || term.includes(' ')) {
    throw new AppError(400, 'VALIDATION_FAILED', 'A hidden term is one search term', {
      details: [{ field, message: 'must be one term (no spaces or commas)' }],
    })
  }
  return term
}

function toHiddenTerm(r: { term: string; reason: string; hidden_by: string; hidden_at: Date | string }): HiddenTerm {
  return { term: r.term, reason: r.reason, hiddenBy: r.hidden_by, hiddenAt: iso(r.hidden_at) }
}

/** The admin API's answers, from the repository's rows; routes never see rows. */
export class TrackingService {
  readonly #repo: TrackingRepository
  readonly #minSearchers: number
  /** the public list at its largest size, computed at most once per period in this replica */
  readonly trendingCache: TrendingCache<TrendingKeywords>

  constructor(repo: TrackingRepository, trending: TrendingOptions, now: () => number = Date.now) {
    this.#repo = repo
    this.#minSearchers = trending.minSearchers
    this.trendingCache = new TrendingCache((at) => this.#computeTrending(at), trending.cacheMs, now)
  }

  /** A page past the end still says how many there are. */
  async #paged<R extends { total: string }, T>(
    w: Window,
    page: number,
    pageSize: number,
    fetch: (page: number, pageSize: number) => Promise<R[]>,
    map: (r: R) => T,
  ): Promise<Page<T>> {
    const rows = await fetch(page, pageSize)
    const total = rows.length ? Number(rows[0]!.total) : page > 1 ? Number((await fetch(1, 1))[0]?.total ?? 0) : 0
    return { items: rows.map(map), total, page, pageSize, from: iso(w.from), to: iso(w.to) }
  }

  async requests(q: RequestsQuery): Promise<{ items: AccessLogEntry[]; nextCursor: string | null }> {
    const w = windowOf(q)
    const limit = q.limit ?? 50
    const rows = await this.#repo.requests(
      w,
      {
        ...(q.path !== undefined ? { path: q.path } : {}),
        ...(q.route !== undefined ? { route: q.route } : {}),
        ...(q.method !== undefined ? { method: q.method } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.statusClass !== undefined ? { statusClass: Number(q.statusClass[0]) } : {}),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.ip !== undefined ? { ip: q.ip } : {}),
        ...(q.requestId !== undefined ? { requestId: q.requestId } : {}),
      },
      decodeCursor(q.cursor),
      limit,
    )
    const more = rows.length > limit
    const items = rows.slice(0, limit)
    const last = items[items.length - 1]
    return { items: items.map(toEntry), nextCursor: more && last ? encodeCursor({ at: new Date(last.requested_at), id: last.id }) : null }
  }

  async request(id: string): Promise<AccessLogEntry> {
    // the id carries the request's time: the lookup goes straight to its partition
    const at = timeOfId(id)
    const row = at ? await this.#repo.request(id.toLowerCase(), at) : undefined
    if (!row) throw notFound('No request with this id is kept', 'REQUEST_NOT_FOUND')
    return toEntry(row)
  }

  async stats(q: StatsQuery): Promise<Page<RouteStats>> {
    const w = windowOf(q)
    const bucket = q.bucket ?? '1h'
    checkBuckets(w, bucket)
    return this.#paged(
      w,
      q.page ?? 1,
      q.pageSize ?? 50,
      (page, size) => this.#repo.stats(w, bucketInterval(bucket), q.route, page, size),
      (r) => {
        const count = Number(r.count)
        const serverErrors = Number(r.server_errors)
        return {
          route: r.route,
          bucketStart: iso(r.bucket),
          count,
          clientErrors: Number(r.client_errors),
          serverErrors,
          errorRate: count ? round3(serverErrors / count) : 0,
          p50Ms: round3(r.p[0] ?? 0),
          p95Ms: round3(r.p[1] ?? 0),
          p99Ms: round3(r.p[2] ?? 0),
        }
      },
    )
  }

  async keywords(q: KeywordsQuery): Promise<Page<KeywordStat> & { previousFrom: string }> {
    const w = windowOf(q)
    const previousFrom = new Date(w.from.getTime() - (w.to.getTime() - w.from.getTime()))
    const page = await this.#paged(
      w,
      q.page ?? 1,
      q.pageSize ?? 50,
      (p, size) => this.#repo.keywords(w, previousFrom, q.sort ?? 'count', p, size),
      (r) => {
        const count = Number(r.n)
        const previousCount = Number(r.prev)
        return {
          keyword: r.term,
          count,
          users: Number(r.users),
          searchers: Number(r.searchers),
          hidden: r.hidden,
          previousCount,
          growth: previousCount ? round3((count - previousCount) / previousCount) : null,
          trend: trendOf(count, previousCount),
        }
      },
    )
    return { ...page, previousFrom: iso(previousFrom) }
  }

  /**
   * The public trending list: the top `limit` of the cached aggregation (computed at the largest
   * limit, so every `limit` shares it); `from`/`to` are that aggregation's window.
   */
  async trending(limit: number): Promise<TrendingKeywords> {
    const top = await this.trendingCache.get()
    return { ...top, items: top.items.slice(0, limit) }
  }

  async #computeTrending(at: number): Promise<TrendingKeywords> {
    const w = { from: new Date(at - DAY_MS), to: new Date(at) }
    const rows = await this.#repo.trending(w, new Date(at - 2 * DAY_MS), {
      minSearchers: this.#minSearchers,
      minLength: TRENDING_MIN_TERM_LENGTH,
      limit: TRENDING_LIMIT_MAX,
    })
    return {
      items: rows.map((r) => {
        const searchers = Number(r.searchers)
        return { keyword: r.term, count: Number(r.n), searchers, trend: trendOf(searchers, Number(r.prev)) }
      }),
      from: iso(w.from),
      to: iso(w.to),
    }
  }

  async hiddenTerms(q: HiddenTermsQuery): Promise<HiddenTermsPage> {
    const page = q.page ?? 1
    const pageSize = q.pageSize ?? 50
    const rows = await this.#repo.hiddenTerms(page, pageSize)
    const total = rows.length ? Number(rows[0]!.total) : page > 1 ? Number((await this.#repo.hiddenTerms(1, 1))[0]?.total ?? 0) : 0
    return { items: rows.map(toHiddenTerm), total, page, pageSize }
  }

  /** Hides a term from the public list (this replica's cache at once, the others within their period). */
  async hideTerm(body: HideTermBody, actor: Actor): Promise<{ term: HiddenTerm; created: boolean }> {
    const term = oneTerm(body.term, 'body/term')
    const reason = body.reason.trim()
    const saved = await this.#repo.hideTerm(
      { term, reason, hidden_by: actor.uid },
      this.#audit('tracking.term.hidden', term, { term, reason }, actor),
    )
    this.trendingCache.invalidate()
    return { term: toHiddenTerm(saved), created: saved.created }
  }

  async unhideTerm(raw: string, actor: Actor): Promise<void> {
    const term = oneTerm(raw, 'querystring/term')
    const removed = await this.#repo.unhideTerm(term, this.#audit('tracking.term.unhidden', term, { term }, actor))
    if (!removed) throw notFound('This term is not hidden', 'TERM_NOT_HIDDEN')
    this.trendingCache.invalidate()
  }

  /**
   * A dead-letter redrive in the audit trail: who, why, what was asked (sequences or a filter) and
   * what happened. Written after the redrive (NATS, not this database): a redrive that failed half-way
   * throws before, and is not recorded as done.
   */
  async auditRedrive(actor: Actor, asked: { seqs?: number[] | undefined; durable?: string | undefined; subject?: string | undefined }, reason: string, result: { redriven: number[]; skipped: { seq: number; reason: string }[] }): Promise<void> {
    const entity = asked.seqs?.length ? asked.seqs.join(',').slice(0, 200) : [asked.durable, asked.subject].filter(Boolean).join(' ')
    await this.#repo.recordAudit({
      ...this.#audit('tracking.dead_letters.redriven', entity, { ...asked, reason: reason.trim(), redriven: result.redriven, skipped: result.skipped }, actor),
      entityType: 'dead_letters',
    })
  }

  #audit(type: string, term: string, payload: Record<string, unknown>, actor: Actor) {
    return {
      eventId: randomUUID(),
      type,
      actorId: actor.uid,
      actorRole: actor.role,
      entityType: 'search_term',
      entityId: term,
      payload,
      traceId: actor.traceId,
    }
  }

  zeroResults(q: { from?: string; to?: string; page?: number; pageSize?: number }): Promise<Page<ZeroResultKeyword>> {
    const w = windowOf(q)
    return this.#paged(
      w,
      q.page ?? 1,
      q.pageSize ?? 50,
      (p, size) => this.#repo.zeroResults(w, p, size),
      (r) => ({ query: r.keyword, count: Number(r.n), lastSearchedAt: iso(r.last) }),
    )
  }

  async audit(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    if (q.entityId !== undefined && q.entityType === undefined) {
      throw new AppError(400, 'VALIDATION_FAILED', 'The request is invalid', {
        details: [{ field: 'querystring/entityType', message: 'is required with entityId' }],
      })
    }
    const w = windowOf(q)
    const limit = q.limit ?? 50
    const rows = await this.#repo.audit(
      w,
      {
        ...(q.entityType !== undefined ? { entityType: q.entityType } : {}),
        ...(q.entityId !== undefined ? { entityId: q.entityId } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.type !== undefined ? { type: q.type } : {}),
      },
      decodeCursor(q.cursor),
      limit,
    )
    const more = rows.length > limit
    const items = rows.slice(0, limit)
    const last = items[items.length - 1]
    return {
      items: items.map((r) => ({
        eventId: r.event_id,
        type: r.type,
        version: r.version,
        source: r.source,
        occurredAt: iso(r.occurred_at),
        actor: { type: r.actor_type, id: r.actor_id, role: r.actor_role },
        entity: { type: r.entity_type, id: r.entity_id },
        payload: r.payload,
        traceId: r.trace_id,
      })),
      nextCursor: more && last ? encodeCursor({ at: new Date(last.occurred_at), id: last.event_id }) : null,
    }
  }

  errors(q: ErrorsQuery): Promise<Page<ErrorGroup>> {
    const w = windowOf(q)
    const f = { ...(q.service !== undefined ? { service: q.service } : {}), ...(q.route !== undefined ? { route: q.route } : {}) }
    return this.#paged(w, q.page ?? 1, q.pageSize ?? 50, (p, size) => this.#repo.errorGroups(w, f, p, size), toErrorGroup)
  }

  async error(fingerprint: string, q: { from?: string; to?: string }): Promise<ErrorDetail> {
    const w = windowOf(q)
    const [row] = await this.#repo.errorGroups(w, { fingerprint }, 1, 1)
    if (!row) throw notFound('No error with this fingerprint in the window', 'ERROR_NOT_FOUND')
    const recent = await this.#repo.recentErrors(w, fingerprint, 20)
    return {
      ...toErrorGroup(row),
      stack: row.stack,
      recent: recent.map((r) => ({ occurredAt: iso(r.occurred_at), requestId: r.request_id, traceId: r.trace_id, route: r.route })),
    }
  }

  slowQueries(q: SlowQueriesQuery): Promise<Page<SlowQueryGroup>> {
    const w = windowOf(q)
    return this.#paged(
      w,
      q.page ?? 1,
      q.pageSize ?? 50,
      (p, size) => this.#repo.slowQueries(w, q.service, q.sort ?? 'count', p, size),
      (r) => ({
        service: r.service,
        sql: r.sql,
        count: Number(r.n),
        p95Ms: round3(r.p95),
        maxMs: round3(r.max),
        avgMs: round3(Number(r.avg)),
        lastSeen: iso(r.last_seen),
        sampleTraceId: r.sample_trace_id,
      }),
    )
  }
}

function toErrorGroup(r: Awaited<ReturnType<TrackingRepository['errorGroups']>>[number]): ErrorGroup {
  return {
    fingerprint: r.fingerprint,
    service: r.service,
    route: r.route,
    method: r.method,
    status: r.status,
    code: r.code,
    message: r.message,
    count: Number(r.n),
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
    sampleTraceId: r.sample_trace_id,
    sampleRequestId: r.sample_request_id,
  }
}
