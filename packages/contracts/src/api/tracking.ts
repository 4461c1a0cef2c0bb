import { Type, type Static, type TSchema } from 'typebox'

/**
 * The admin tracking API (`/api/admin/tracking/...`) and the public trending keywords. Every list is
 * bounded by a time range: `from`/`to` (ISO 8601; default the last 24 hours, `to` exclusive).
 */

export const TRACKING_LIMITS = {
  /** widest from–to window any query accepts */
  maxWindowDays: 31,
  /** most time buckets one stats query may return per route */
  maxBuckets: 1_000,
  defaultWindowHours: 24,
} as const

const dateTime = (description: string) => Type.String({ format: 'date-time', description })

export const TimeRange = {
  from: Type.Optional(dateTime('start of the window, inclusive (default: `to` minus 24 h)')),
  to: Type.Optional(dateTime('end of the window, exclusive (default: now)')),
}

export const CursorQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
}

export const TrackingPageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const CursorPage = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) })

export const WindowPage = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    pageSize: Type.Integer(),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
  })

// --- requests (the access log) -----------------------------------------------------------------

export const StatusClass = Type.Union([Type.Literal('1xx'), Type.Literal('2xx'), Type.Literal('3xx'), Type.Literal('4xx'), Type.Literal('5xx')])

export const RequestsQuery = Type.Object(
  {
    ...TimeRange,
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'exact path, or a prefix ending in `*`' })),
    route: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the gateway route prefix, e.g. /api/mentors' })),
    method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{1,10}$' })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    statusClass: Type.Optional(StatusClass),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'uid' })),
    ip: Type.Optional(Type.String({ minLength: 2, maxLength: 64 })),
    requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...CursorQuery,
  },
  { additionalProperties: false },
)
export type RequestsQuery = Static<typeof RequestsQuery>

/** One request through the gateway: drf-tracking's fields, scrubbed. */
export const AccessLogEntry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  requestId: Type.String(),
  traceId: Nullable(Type.String()),
  user: Nullable(Type.String()),
  requestedAt: Type.String({ format: 'date-time' }),
  responseMs: Type.Number(),
  method: Type.String(),
  path: Type.String(),
  route: Nullable(Type.String()),
  status: Type.Integer(),
  remoteAddr: Type.String(),
  host: Nullable(Type.String()),
  queryParams: Type.Record(Type.String(), Type.Unknown()),
  body: Nullable(Type.String()),
  responseBody: Nullable(Type.String({ description: 'kept only for errors (status ≥ 400), scrubbed' })),
  errors: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
})
export type AccessLogEntry = Static<typeof AccessLogEntry>

// --- stats ---------------------------------------------------------------------------------------

export const StatsBucket = Type.Union([
  Type.Literal('1m'),
  Type.Literal('5m'),
  Type.Literal('15m'),
  Type.Literal('1h'),
  Type.Literal('6h'),
  Type.Literal('1d'),
])
export type StatsBucket = Static<typeof StatsBucket>

export const StatsQuery = Type.Object(
  {
    ...TimeRange,
    bucket: Type.Optional(StatsBucket),
    route: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...TrackingPageQuery,
  },
  { additionalProperties: false },
)
export type StatsQuery = Static<typeof StatsQuery>

export const RouteStats = Type.Object({
  route: Type.String({ description: '`(unmatched)` for requests no route took' }),
  bucketStart: Type.String({ format: 'date-time' }),
  count: Type.Integer(),
  clientErrors: Type.Integer({ description: 'status 4xx' }),
  serverErrors: Type.Integer({ description: 'status 5xx' }),
  errorRate: Type.Number({ description: 'serverErrors / count' }),
  p50Ms: Type.Number(),
  p95Ms: Type.Number(),
  p99Ms: Type.Number(),
})
export type RouteStats = Static<typeof RouteStats>

// --- keywords ------------------------------------------------------------------------------------

export const KeywordsQuery = Type.Object(
  {
    ...TimeRange,
    sort: Type.Optional(Type.Union([Type.Literal('count'), Type.Literal('growth')])),
    ...TrackingPageQuery,
  },
  { additionalProperties: false },
)
export type KeywordsQuery = Static<typeof KeywordsQuery>

export const KeywordTrend = Type.Union([Type.Literal('new'), Type.Literal('up'), Type.Literal('down'), Type.Literal('flat')])

export const KeywordStat = Type.Object({
  keyword: Type.String({ description: 'one normalized search term' }),
  count: Type.Integer({ description: 'searches with this term in the window' }),
  users: Type.Integer({ description: 'distinct signed-in users who searched it' }),
  searchers: Type.Integer({ description: 'distinct searchers: signed-in users plus anonymous client addresses (what the public trending list counts)' }),
  hidden: Type.Boolean({ description: 'hidden by an admin: never in the public trending list' }),
  previousCount: Type.Integer({ description: 'in the window of the same length just before' }),
  growth: Nullable(Type.Number({ description: '(count − previousCount) / previousCount; null when new' })),
  trend: KeywordTrend,
})
export type KeywordStat = Static<typeof KeywordStat>

export const KeywordsPage = Type.Object({
  ...WindowPage(KeywordStat).properties,
  previousFrom: Type.String({ format: 'date-time' }),
})

export const ZeroResultsQuery = Type.Object({ ...TimeRange, ...TrackingPageQuery }, { additionalProperties: false })

export const ZeroResultKeyword = Type.Object({
  query: Type.String({ description: 'the whole normalized query' }),
  count: Type.Integer(),
  lastSearchedAt: Type.String({ format: 'date-time' }),
})
export type ZeroResultKeyword = Static<typeof ZeroResultKeyword>

/** the most terms the public trending list answers (the cached aggregation is computed at this size) */
export const TRENDING_LIMIT_MAX = 20

export const TrendingQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TRENDING_LIMIT_MAX, default: 10 })) },
  { additionalProperties: false },
)
export const TrendingKeywords = Type.Object({
  items: Type.Array(
    Type.Object({
      keyword: Type.String(),
      count: Type.Integer({ description: 'searches with this term in the window' }),
      searchers: Type.Integer({ description: 'distinct signed-in users and anonymous client addresses that searched it (the ranking)' }),
      trend: KeywordTrend,
    }),
  ),
  from: Type.String({ format: 'date-time', description: 'start of the aggregation served (computed at most once per cache period)' }),
  to: Type.String({ format: 'date-time', description: 'when the aggregation served was computed' }),
})
export type TrendingKeywords = Static<typeof TrendingKeywords>

// --- hidden terms (the trending blocklist) -------------------------------------------------------

export const HIDDEN_TERM_LIMITS = { term: 100, reason: 500 } as const

export const HideTermBody = Type.Object(
  {
    term: Type.String({
      minLength: 1,
      maxLength: HIDDEN_TERM_LIMITS.term,
      pattern: '\\S',
      description: 'one search term; normalized as searches are (NFKC, lower case) before it is stored',
    }),
    reason: Type.String({ minLength: 1, maxLength: HIDDEN_TERM_LIMITS.reason, pattern: '\\S' }),
  },
  { additionalProperties: false },
)
export type HideTermBody = Static<typeof HideTermBody>

export const HiddenTerm = Type.Object({
  term: Type.String({ description: 'the normalized term' }),
  reason: Type.String(),
  hiddenBy: Type.String({ description: 'uid of the admin' }),
  hiddenAt: Type.String({ format: 'date-time' }),
})
export type HiddenTerm = Static<typeof HiddenTerm>

export const HiddenTermsQuery = Type.Object({ ...TrackingPageQuery }, { additionalProperties: false })
export type HiddenTermsQuery = Static<typeof HiddenTermsQuery>

export const HiddenTermsPage = Type.Object({
  items: Type.Array(HiddenTerm),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
})
export type HiddenTermsPage = Static<typeof HiddenTermsPage>

/** unhide: the term travels in the query string (a path parameter would cap a Korean term at 11 syllables, percent-encoded) */
export const UnhideTermQuery = Type.Object(
  { term: Type.String({ minLength: 1, maxLength: HIDDEN_TERM_LIMITS.term, pattern: '\\S', description: 'the term as hidden (normalized again here)' }) },
  { additionalProperties: false },
)
export type UnhideTermQuery = Static<typeof UnhideTermQuery>

// --- audit ---------------------------------------------------------------------------------------

export const AuditQuery = Type.Object(
  {
    ...TimeRange,
    entityType: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'e.g. mentor, chat_request' })),
    entityId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'uid of who did it' })),
    type: Type.Optional(Type.String({ pattern: '^[a-z0-9_.]{1,120}$', description: 'event type, or a prefix ending in `.`' })),
    ...CursorQuery,
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuery>

export const AuditEntry = Type.Object({
  eventId: Type.String({ format: 'uuid' }),
  type: Type.String(),
  version: Type.Integer(),
  source: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), role: Nullable(Type.String()) }),
  entity: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }),
  payload: Type.Unknown(),
  traceId: Nullable(Type.String()),
})
export type AuditEntry = Static<typeof AuditEntry>

// --- errors --------------------------------------------------------------------------------------

export const ErrorsQuery = Type.Object(
  {
    ...TimeRange,
    service: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    route: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    ...TrackingPageQuery,
  },
  { additionalProperties: false },
)
export type ErrorsQuery = Static<typeof ErrorsQuery>

export const ErrorGroup = Type.Object({
  fingerprint: Type.String(),
  service: Type.String(),
  route: Nullable(Type.String()),
  method: Nullable(Type.String()),
  status: Type.Integer(),
  code: Type.String(),
  message: Type.String({ description: 'of the latest occurrence' }),
  count: Type.Integer({ description: 'in the window' }),
  firstSeen: Type.String({ format: 'date-time', description: 'earliest kept occurrence, any time' }),
  lastSeen: Type.String({ format: 'date-time' }),
  sampleTraceId: Nullable(Type.String()),
  sampleRequestId: Nullable(Type.String()),
})
export type ErrorGroup = Static<typeof ErrorGroup>

export const ErrorDetail = Type.Object({
  ...ErrorGroup.properties,
  stack: Nullable(Type.String({ description: 'of the latest occurrence; server side only' })),
  recent: Type.Array(
    Type.Object({
      occurredAt: Type.String({ format: 'date-time' }),
      requestId: Nullable(Type.String()),
      traceId: Nullable(Type.String()),
      route: Nullable(Type.String()),
    }),
  ),
})
export type ErrorDetail = Static<typeof ErrorDetail>

// --- slow queries --------------------------------------------------------------------------------

export const SlowQueriesQuery = Type.Object(
  {
    ...TimeRange,
    service: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    sort: Type.Optional(Type.Union([Type.Literal('count'), Type.Literal('p95')])),
    ...TrackingPageQuery,
  },
  { additionalProperties: false },
)
export type SlowQueriesQuery = Static<typeof SlowQueriesQuery>

export const SlowQueryGroup = Type.Object({
  service: Type.String(),
  sql: Type.String({ description: 'normalized: no literals, no parameter values' }),
  count: Type.Integer(),
  p95Ms: Type.Number(),
  maxMs: Type.Number(),
  avgMs: Type.Number(),
  lastSeen: Type.String({ format: 'date-time' }),
  sampleTraceId: Nullable(Type.String()),
})
export type SlowQueryGroup = Static<typeof SlowQueryGroup>

// ── Dead letters (the DEADLETTER stream; served by tracking, same data as `npm run dlq`) ──

const DurableName = Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 200, description: 'a consumer (durable) name' })
const SubjectFilter = Type.String({ pattern: '^[A-Za-z0-9_*>-]+(\\.[A-Za-z0-9_*>-]+)*$', maxLength: 300, description: 'an original subject; NATS wildcards * and > allowed' })

export const DeadLettersQuery = Type.Object({
  durable: Type.Optional(DurableName),
  subject: Type.Optional(SubjectFilter),
  afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'the page after this sequence (nextSeq of the previous page)' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
})
export type DeadLettersQuery = Static<typeof DeadLettersQuery>

export const DeadLetterSummary = Type.Object({
  seq: Type.Integer({ description: 'its sequence in DEADLETTER' }),
  consumer: Type.String(),
  originalSubject: Type.String(),
  failedAt: Nullable(Type.String()),
  deliveries: Nullable(Type.Integer()),
  error: Type.Object({ name: Nullable(Type.String()), message: Nullable(Type.String()) }),
  eventId: Nullable(Type.String()),
  eventType: Nullable(Type.String()),
  redrivable: Type.Boolean({ description: 'false when the payload was not an event envelope' }),
})
export type DeadLetterSummary = Static<typeof DeadLetterSummary>

export const DeadLettersPage = Type.Object({
  items: Type.Array(DeadLetterSummary),
  total: Type.Integer({ description: 'all dead letters matching the filter' }),
  nextSeq: Nullable(Type.Integer()),
})
export type DeadLettersPage = Static<typeof DeadLettersPage>

export const DeadLetterDetail = Type.Intersect([DeadLetterSummary, Type.Object({ body: Type.Unknown({ description: 'the stored dead letter: the event (or raw payload), the error with its stack, the consumer' }) })])
export type DeadLetterDetail = Static<typeof DeadLetterDetail>

export const RedriveBody = Type.Object(
  {
    seqs: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { minItems: 1, maxItems: 1000, uniqueItems: true })),
    durable: Type.Optional(DurableName),
    subject: Type.Optional(SubjectFilter),
    reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: "why (the cause was fixed, …): kept with the admin's uid in the audit trail" }),
  },
  { additionalProperties: false, description: 'the sequences, or every dead letter matching durable and/or subject (at most 1,000 a call); one of them is required, and a reason' },
)
export type RedriveBody = Static<typeof RedriveBody>

export const RedriveResult = Type.Object({
  redriven: Type.Array(Type.Integer()),
  skipped: Type.Array(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
})
export type RedriveResult = Static<typeof RedriveResult>
