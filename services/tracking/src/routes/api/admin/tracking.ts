import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  AccessLogEntry,
  AuditEntry,
  AuditQuery,
  CursorPage,
  ErrorDetail,
  ErrorGroup,
  ErrorResponse,
  ErrorsQuery,
  KeywordsPage,
  KeywordsQuery,
  RequestsQuery,
  RouteStats,
  SlowQueriesQuery,
  SlowQueryGroup,
  StatsQuery,
  TimeRange,
  WindowPage,
  ZeroResultKeyword,
  ZeroResultsQuery,
} from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const refused = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }
const tags = ['admin', 'tracking']

/**
 * /api/admin/tracking — what happens on the platform: requests, per-route stats, search keywords,
 * the audit trail, errors and slow queries. Admin only (the gateway checks too); every list is
 * bounded by a from–to window and paginated.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/requests',
    {
      schema: {
        tags,
        summary: 'The access log: requests through the gateway, newest first (keyset pagination)',
        security,
        querystring: RequestsQuery,
        response: { 200: CursorPage(AccessLogEntry), ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.requests(request.query)
    },
  )

  app.get(
    '/requests/:id',
    {
      schema: {
        tags,
        summary: 'One request, with its trace id',
        security,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: AccessLogEntry, ...refused, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.request(request.params.id)
    },
  )

  app.get(
    '/stats',
    {
      schema: {
        tags,
        summary: 'Per route and time bucket: request count, error rate, latency p50/p95/p99',
        security,
        querystring: StatsQuery,
        response: { 200: WindowPage(RouteStats), ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.stats(request.query)
    },
  )

  app.get(
    '/keywords',
    {
      schema: {
        tags,
        summary: 'Top search terms in the window, trending against the window before it',
        security,
        querystring: KeywordsQuery,
        response: { 200: KeywordsPage, ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.keywords(request.query)
    },
  )

  app.get(
    '/keywords/zero-results',
    {
      schema: {
        tags,
        summary: 'Searches that found nothing, by normalized query',
        security,
        querystring: ZeroResultsQuery,
        response: { 200: WindowPage(ZeroResultKeyword), ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.zeroResults(request.query)
    },
  )

  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'The audit trail of one entity (entityType + entityId) or one actor, newest first',
        security,
        querystring: AuditQuery,
        response: { 200: CursorPage(AuditEntry), ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.audit(request.query)
    },
  )

  app.get(
    '/errors',
    {
      schema: {
        tags,
        summary: '5xx errors grouped by fingerprint: count, first/last seen, a sample trace id',
        security,
        querystring: ErrorsQuery,
        response: { 200: WindowPage(ErrorGroup), ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.errors(request.query)
    },
  )

  app.get(
    '/errors/:fingerprint',
    {
      schema: {
        tags,
        summary: 'One error group with the latest stack and recent occurrences',
        security,
        params: Type.Object({ fingerprint: Type.String({ pattern: '^[0-9a-zA-Z_-]{1,64}$' }) }),
        querystring: Type.Object({ ...TimeRange }, { additionalProperties: false }),
        response: { 200: ErrorDetail, ...refused, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.error(request.params.fingerprint, request.query)
    },
  )

  app.get(
    '/slow-queries',
    {
      schema: {
        tags,
        summary: 'Queries slower than SLOW_QUERY_MS, grouped by service and normalized SQL, with p95',
        security,
        querystring: SlowQueriesQuery,
        response: { 200: WindowPage(SlowQueryGroup), ...refused },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.tracking.slowQueries(request.query)
    },
  )
}

export default routes
