import { isSpanContextValid, trace } from '@opentelemetry/api'
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
  HiddenTerm,
  HiddenTermsPage,
  HiddenTermsQuery,
  HideTermBody,
  UnhideTermQuery,
  type Identity,
} from '@sunbae/contracts'
import { adminOnly, adminSchema, requireIdentity } from '@sunbae/service-kit'
import type { Actor } from '../../../queries/tracking.service.ts'

/** The admin, with the request's trace id, for tracking's own audit entries. */
function actorOf(admin: Identity): Actor {
  const span = trace.getActiveSpan()?.spanContext()
  return { uid: admin.uid, role: admin.role, traceId: span && isSpanContextValid(span) ? span.traceId : null }
}

const tags = ['admin', 'tracking']

/**
 * /api/admin/tracking — what happens on the platform: requests, per-route stats, search keywords,
 * the audit trail, errors and slow queries. Admin only (the gateway checks too; here one hook for every
 * route of the prefix); every list is bounded by a from–to window and paginated.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  /** A read-only query of the tracking data: its query string in, one page (or one record) out. */
  const query = <Q extends TSchema, R extends TSchema>(
    url: string,
    summary: string,
    querystring: Q,
    reply: R,
    run: (query: Static<Q>) => Promise<Static<R>>,
  ) =>
    app.get(url, { schema: adminSchema({ tags, summary, querystring, response: { 200: reply } }) }, (request) =>
      // the type provider cannot resolve a generic schema's static type: Q and R are checked at the call
      run(request.query as Static<Q>) as any,
    )

  query('/requests', 'The access log: requests through the gateway, newest first (keyset pagination)', RequestsQuery, CursorPage(AccessLogEntry), (q) =>
    app.tracking.requests(q),
  )

  app.get(
    '/requests/:id',
    {
      schema: adminSchema({
        tags,
        summary: 'One request, with its trace id',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: AccessLogEntry, 404: ErrorResponse },
      }),
    },
    (request) => app.tracking.request(request.params.id),
  )

  query('/stats', 'Per route and time bucket: request count, error rate, latency p50/p95/p99', StatsQuery, WindowPage(RouteStats), (q) =>
    app.tracking.stats(q),
  )
  query('/keywords', 'Top search terms in the window, trending against the window before it', KeywordsQuery, KeywordsPage, (q) =>
    app.tracking.keywords(q),
  )
  query('/hidden-terms', 'Terms hidden from the public trending list, newest first', HiddenTermsQuery, HiddenTermsPage, (q) => app.tracking.hiddenTerms(q))

  app.post(
    '/hidden-terms',
    {
      schema: adminSchema({
        tags,
        summary: 'Hide a term from the public trending list (again: the reason is updated); audited',
        description:
          'The term is normalized as searches are (NFKC, lower case) and must be one term. This replica serves the list without it at once; ' +
          'other replicas within their cache period (TRACKING_TRENDING_CACHE_MS). 201 when newly hidden, 200 when it was hidden already.',
        body: HideTermBody,
        response: { 200: HiddenTerm, 201: HiddenTerm },
      }),
    },
    async (request, reply) => {
      const admin = requireIdentity(request)
      const { term, created } = await app.tracking.hideTerm(request.body, actorOf(admin))
      request.log.info({ term: term.term, by: admin.uid }, 'trending term hidden')
      return reply.code(created ? 201 : 200).send(term)
    },
  )

  app.delete(
    '/hidden-terms',
    {
      schema: adminSchema({
        tags,
        summary: 'Show a hidden term again (it comes back once it meets the trending rules); audited',
        querystring: UnhideTermQuery,
        response: { 204: Type.Null(), 404: ErrorResponse },
      }),
    },
    async (request, reply) => {
      const admin = requireIdentity(request)
      await app.tracking.unhideTerm(request.query.term, actorOf(admin))
      request.log.info({ term: request.query.term, by: admin.uid }, 'trending term shown again')
      return reply.code(204).send(null)
    },
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
      schema: adminSchema({
        tags,
        summary: 'One error group with the latest stack and recent occurrences',
        params: Type.Object({ fingerprint: Type.String({ pattern: '^[0-9a-zA-Z_-]{1,64}$' }) }),
        querystring: Type.Object({ ...TimeRange }, { additionalProperties: false }),
        response: { 200: ErrorDetail, 404: ErrorResponse },
      }),
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
