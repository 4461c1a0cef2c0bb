import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static, type TSchema } from 'typebox'
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
 * the audit trail, errors and slow queries. Admin only (the gateway checks too; here one hook for every
 * route of the prefix); every list is bounded by a from–to window and paginated.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', async (request) => requireRole(request, 'admin'))

  /** A read-only query of the tracking data: its query string in, one page (or one record) out. */
  const query = <Q extends TSchema, R extends TSchema>(
    url: string,
    summary: string,
    querystring: Q,
    reply: R,
    run: (query: Static<Q>) => Promise<Static<R>>,
  ) =>
    app.get(url, { schema: { tags, summary, security, querystring, response: { 200: reply, ...refused } } }, (request) =>
      // the type provider cannot resolve a generic schema's static type: Q and R are checked at the call
      run(request.query as Static<Q>) as any,
    )

  query('/requests', 'The access log: requests through the gateway, newest first (keyset pagination)', RequestsQuery, CursorPage(AccessLogEntry), (q) =>
    app.tracking.requests(q),
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
    (request) => app.tracking.request(request.params.id),
  )

  query('/stats', 'Per route and time bucket: request count, error rate, latency p50/p95/p99', StatsQuery, WindowPage(RouteStats), (q) =>
    app.tracking.stats(q),
  )
  query('/keywords', 'Top search terms in the window, trending against the window before it', KeywordsQuery, KeywordsPage, (q) =>
    app.tracking.keywords(q),
  )
  query('/keywords/zero-results', 'Searches that found nothing, by normalized query', ZeroResultsQuery, WindowPage(ZeroResultKeyword), (q) =>
    app.tracking.zeroResults(q),
  )
  query('/audit', 'The audit trail of one entity (entityType + entityId) or one actor, newest first', AuditQuery, CursorPage(AuditEntry), (q) =>
    app.tracking.audit(q),
  )
  query('/errors', '5xx errors grouped by fingerprint: count, first/last seen, a sample trace id', ErrorsQuery, WindowPage(ErrorGroup), (q) =>
    app.tracking.errors(q),
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
    (request) => app.tracking.error(request.params.fingerprint, request.query),
  )

  query(
    '/slow-queries',
    'Queries slower than SLOW_QUERY_MS, grouped by service and normalized SQL, with p95',
    SlowQueriesQuery,
    WindowPage(SlowQueryGroup),
    (q) => app.tracking.slowQueries(q),
  )
}

export default routes
