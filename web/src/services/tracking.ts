// tracking: public trending keywords and the admin dashboards.
import type { AccessLogEntry, AuditEntry, ErrorDetail, ErrorGroup, KeywordStat, RouteStats, SlowQueryGroup, StatsBucket, TrendingKeywords, ZeroResultKeyword } from '@sunbae/contracts'
import { get } from './http.ts'

/** The dashboards' time range: `from` inclusive, `to` exclusive (ISO 8601). */
export interface Window {
  from: string
  to: string
}

export interface WindowPage<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
  from: string
  to: string
}

// GET /api/tracking/keywords/trending?limit=
export const trendingKeywords = (limit = 10) => get<TrendingKeywords>('/api/tracking/keywords/trending', { limit })
// GET /api/admin/tracking/requests?path=&method=&statusClass=&user=&from=&to=&limit=&cursor=
export const accessLog = (q: { path?: string; method?: string; statusClass?: string; user?: string; cursor?: string }, w: Window) =>
  get<{ items: AccessLogEntry[]; nextCursor: string | null }>('/api/admin/tracking/requests', { ...q, ...w, limit: 50 })
// GET /api/admin/tracking/stats?bucket=&route=&from=&to=&page=&pageSize=
export const routeStats = (bucket: StatsBucket, route: string | undefined, w: Window) => get<WindowPage<RouteStats>>('/api/admin/tracking/stats', { bucket, route, ...w, pageSize: 200 })
// GET /api/admin/tracking/keywords?sort=&from=&to=&page=&pageSize=
export const keywordStats = (sort: 'count' | 'growth', page: number, w: Window) => get<WindowPage<KeywordStat>>('/api/admin/tracking/keywords', { sort, page, ...w, pageSize: 20 })
// GET /api/admin/tracking/keywords/zero-results?from=&to=&page=&pageSize=
export const zeroResultKeywords = (page: number, w: Window) => get<WindowPage<ZeroResultKeyword>>('/api/admin/tracking/keywords/zero-results', { page, ...w, pageSize: 20 })
// GET /api/admin/tracking/audit?entityType=&entityId=&actor=&type=&from=&to=&limit=&cursor=
export const auditTrail = (q: { entityType?: string; entityId?: string; actor?: string; type?: string; cursor?: string }, w: Window) =>
  get<{ items: AuditEntry[]; nextCursor: string | null }>('/api/admin/tracking/audit', { ...q, ...w, limit: 50 })
// GET /api/admin/tracking/errors?service=&from=&to=&page=&pageSize=
export const errorGroups = (page: number, w: Window) => get<WindowPage<ErrorGroup>>('/api/admin/tracking/errors', { page, ...w, pageSize: 20 })
// GET /api/admin/tracking/errors/:fingerprint
export const errorDetail = (fingerprint: string) => get<ErrorDetail>(`/api/admin/tracking/errors/${encodeURIComponent(fingerprint)}`)
// GET /api/admin/tracking/slow-queries?sort=&from=&to=&page=&pageSize=
export const slowQueries = (sort: 'count' | 'p95', page: number, w: Window) => get<WindowPage<SlowQueryGroup>>('/api/admin/tracking/slow-queries', { sort, page, ...w, pageSize: 20 })
