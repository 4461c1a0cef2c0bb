import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isSpanContextValid, trace } from '@opentelemetry/api'
import {
  ErrorResponse,
  MentorSearchQuery,
  MentorSearchResponse,
  SEARCH_LIMITS,
  TELEMETRY_SUBJECTS,
  type SearchPerformedV1,
} from '@sunbae/contracts'
import { headers as natsHeaders } from '@nats-io/nats-core'
import { injectTraceHeaders } from '@sunbae/bus'
import { AppError, badRequest } from '@sunbae/service-kit'
import { queryTerms } from '../../../search/text.ts'
import { toSearchItem } from '../../../search/search.types.ts'

/** `?skills=a,b&skills=c` → ['a', 'b', 'c'] */
const list = (values: string[] | undefined): string[] =>
  (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0)

/** GET /api/mentors — public keyword search and list, served from the in-memory read model. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  /**
   * Fire-and-forget with a core NATS publish into the TELEMETRY stream's subject, as the gateway's
   * access log does: no PubAck round trip. publishTelemetry (a JetStream publish) builds a request,
   * a RequestError and a TimeoutError with stack traces per call — measured at about a sixth of
   * this route's CPU under load. A search event lost while NATS is down is acceptable; a delayed or
   * failed search is not.
   */
  const encoder = new TextEncoder()
  const publishSearchEvent = (event: SearchPerformedV1) => {
    try {
      app.bus.nc.publish(TELEMETRY_SUBJECTS.search, encoder.encode(JSON.stringify(event)), { headers: injectTraceHeaders(natsHeaders()) })
    } catch (err) {
      app.log.warn({ err }, 'search telemetry publish failed')
    }
  }
  app.get(
    '/',
    {
      schema: {
        tags: ['mentors'],
        summary: 'Search mentors (public)',
        description:
          'Every term of q (split on whitespace and commas) must occur, case-insensitively, in the name, headline, bio or skills. ' +
          'Sorted by relevance when q is given (name or skills over headline over bio, then rating), else by rating.',
        querystring: MentorSearchQuery,
        response: { 200: MentorSearchResponse, 400: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request) => {
      const started = performance.now()
      const query = request.query
      const skills = list(query.skills)
      const languages = list(query.languages)
      if (skills.length > SEARCH_LIMITS.filterValues || languages.length > SEARCH_LIMITS.filterValues) {
        throw badRequest(`At most ${SEARCH_LIMITS.filterValues} skills and languages`, [
          { field: skills.length > SEARCH_LIMITS.filterValues ? 'querystring/skills' : 'querystring/languages', message: `must have at most ${SEARCH_LIMITS.filterValues} values` },
        ])
      }
      if (query.minRate !== undefined && query.maxRate !== undefined && query.minRate > query.maxRate) {
        throw badRequest('minRate is above maxRate', [{ field: 'querystring/minRate', message: 'must not exceed maxRate' }])
      }
      const q = query.q ?? ''
      if (queryTerms(q).length > SEARCH_LIMITS.terms) {
        throw badRequest(`Search for at most ${SEARCH_LIMITS.terms} words`, [
          { field: 'querystring/q', message: `must have at most ${SEARCH_LIMITS.terms} terms` },
        ])
      }
      if (!app.mentorSearch.ready) throw new AppError(503, 'SEARCH_NOT_READY', 'Search is starting, try again in a moment', { headers: { 'retry-after': '2' } })

      const page = query.page ?? 1
      const pageSize = query.pageSize ?? SEARCH_LIMITS.pageSizeDefault
      const result = app.mentorSearch.index.search({
        q,
        skills,
        languages,
        minRate: query.minRate,
        maxRate: query.maxRate,
        minYears: query.minYears,
        sort: query.sort,
        page,
        pageSize,
      })

      const span = trace.getActiveSpan()?.spanContext()
      const event: SearchPerformedV1 = {
        query: query.q ?? null,
        terms: result.terms,
        filters: {
          skills,
          languages,
          minRate: query.minRate ?? null,
          maxRate: query.maxRate ?? null,
          minYears: query.minYears ?? null,
        },
        sort: result.sort,
        page,
        pageSize,
        resultCount: result.total,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
        user: request.identity?.uid ?? null,
        requestId: request.id,
        traceId: span && isSpanContextValid(span) ? span.traceId : null,
        occurredAt: new Date().toISOString(),
      }
      publishSearchEvent(event)

      return {
        items: result.hits.map(toSearchItem),
        total: result.total,
        page,
        pageSize,
        ...(result.suggestion ? { suggestion: result.suggestion } : {}),
      }
    },
  )
}

export default routes
