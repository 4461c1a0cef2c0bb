import { isIP } from 'node:net'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { isSpanContextValid, trace } from '@opentelemetry/api'
import {
  ErrorResponse,
  MentorSearchQuery,
  MentorSearchResponse,
  SEARCH_LIMITS,
  type SearchPerformedV1,
} from '@sunbae/contracts'
import { AppError, badRequest } from '@sunbae/service-kit'
import { queryTerms } from '../../../search/text.ts'
import { searchResponseBytes } from '../../../search/search.json.ts'

/**
 * The client of an anonymous search, for tracking's distinct-searcher count: services are reached
 * only through the gateway, which rewrites X-Forwarded-For to the trusted chain, client first
 * (gateway/src/lib/client-ip.ts); without that header (a direct call in a test), the socket peer.
 */
function clientIp(request: FastifyRequest): { clientIp?: string } {
  const forwarded = request.headers['x-forwarded-for']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  const ip = first || request.ip
  return ip && isIP(ip) ? { clientIp: ip } : {}
}

/** `?skills=a,b&skills=c` → ['a', 'b', 'c'] */
const list = (values: string[] | undefined): string[] =>
  (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0)

/** GET /api/mentors — public keyword search and list, served from the in-memory read model. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
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
    async (request, reply) => {
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
        // an anonymous search counts by its address (a signed-in one by its uid: no address sent)
        ...(request.identity ? {} : clientIp(request)),
        requestId: request.id,
        traceId: span && isSpanContextValid(span) ? span.traceId : null,
        occurredAt: new Date().toISOString(),
      }
      app.searchEvents.performed(event)

      // the body exactly as the response schema's serializer would write it, from cached
      // per-mentor fragments (search/search.json.ts; test/search-json.test.ts compares the two)
      const body = searchResponseBytes({ hits: result.hits, total: result.total, page, pageSize, suggestion: result.suggestion })
      // a Buffer is sent as it is (the type provider only knows the schema's object type)
      return reply.type('application/json; charset=utf-8').send(body as unknown as MentorSearchResponse)
    },
  )
}

export default routes
