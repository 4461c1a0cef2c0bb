import { Type, type Static } from 'typebox'
import { MentorProfile } from './mentors.ts'
import { SEARCH_LIMITS } from './search-limits.ts'

export { SEARCH_LIMITS }

export const SearchSort = Type.Union(
  [Type.Literal('relevance'), Type.Literal('rating'), Type.Literal('price_asc'), Type.Literal('price_desc')],
  { description: 'relevance (default with q) | rating (default without q) | price_asc | price_desc' },
)
export type SearchSort = Static<typeof SearchSort>

const csv = (description: string, item: object) =>
  Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100, ...item }), {
      maxItems: SEARCH_LIMITS.filterValues,
      description: `${description}; repeat the parameter or separate with commas`,
    }),
  )

/** ?q=&skills=&languages=&minRate=&maxRate=&minYears=&sort=&page=&pageSize= */
export const MentorSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: SEARCH_LIMITS.q,
        description:
          'Every whitespace- or comma-separated term must occur, case-insensitively, in the name, headline, bio or skills. %, _, \\ and quotes are literal.',
      }),
    ),
    skills: csv('the mentor has every one of these skills (case-insensitive, exact)', {}),
    languages: csv('the mentor speaks any of these (ISO 639-1)', {}),
    minRate: Type.Optional(Type.Integer({ minimum: 0, description: 'KRW per hour, inclusive' })),
    maxRate: Type.Optional(Type.Integer({ minimum: 0, description: 'KRW per hour, inclusive' })),
    minYears: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    sort: Type.Optional(SearchSort),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.pageMax, default: 1 })),
    pageSize: Type.Optional(
      Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.pageSizeMax, default: SEARCH_LIMITS.pageSizeDefault }),
    ),
  },
  { additionalProperties: false },
)
export type MentorSearchQuery = Static<typeof MentorSearchQuery>

export const HighlightField = Type.Union([
  Type.Literal('displayName'),
  Type.Literal('headline'),
  Type.Literal('bio'),
  Type.Literal('skills'),
])
export type HighlightField = Static<typeof HighlightField>

/**
 * Where the terms matched, as plain text plus offsets (UTF-16 code units into `snippet`, end
 * exclusive, sorted, not overlapping). No markup: a client renders `snippet.slice(start, end)` in a
 * <mark> element itself, so a profile can never inject HTML.
 */
export const SearchHighlight = Type.Object({
  field: HighlightField,
  snippet: Type.String({ description: 'the whole field, or for a long bio a window around the first match (with …)' }),
  ranges: Type.Array(Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) })),
})
export type SearchHighlight = Static<typeof SearchHighlight>

/** A search hit: the public profile (as GET /api/mentors/:id shows it, without links) plus highlights. */
const { links: _links, approvedAt: _approvedAt, ...listedFields } = MentorProfile.properties
export const MentorSearchItem = Type.Object({ ...listedFields, highlights: Type.Array(SearchHighlight) })
export type MentorSearchItem = Static<typeof MentorSearchItem>

export const MentorSearchResponse = Type.Object({
  items: Type.Array(MentorSearchItem),
  total: Type.Integer({ description: 'every match, not just this page' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  suggestion: Type.Optional(Type.String({ description: 'did you mean: only when q found nothing' })),
})
export type MentorSearchResponse = Static<typeof MentorSearchResponse>
