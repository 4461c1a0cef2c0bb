import { Type, type Static } from 'typebox'

/** One per request through the gateway: the drf-tracking fields, scrubbed. */
export const AccessLogV1 = Type.Object({
  requestId: Type.String(),
  traceId: Type.Union([Type.String(), Type.Null()]),
  user: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.String({ format: 'date-time' }),
  responseMs: Type.Number(),
  path: Type.String(),
  route: Type.Union([Type.String(), Type.Null()]),
  method: Type.String(),
  remoteAddr: Type.String(),
  host: Type.String(),
  queryParams: Type.Record(Type.String(), Type.Unknown()),
  body: Type.Union([Type.String(), Type.Null()], { description: 'scrubbed and size-capped request body' }),
  status: Type.Integer(),
  errors: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  responseBody: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'scrubbed and size-capped; sent only for error responses (status ≥ 400)' }),
  ),
})
export type AccessLogV1 = Static<typeof AccessLogV1>

/**
 * Many access-log records in one message (subject `telemetry.access.batch`): how the gateway ships
 * them. One NATS message (and one JetStream write, one ack in tracking) per batch instead of per
 * request keeps the access log nearly free for the gateway, NATS and tracking. Published with a
 * `Nats-Msg-Id` unique per batch; record i of a batch is identified by that id and i.
 */
export const AccessLogBatchV1 = Type.Object({
  events: Type.Array(AccessLogV1, { minItems: 1, maxItems: 1000 }),
})
export type AccessLogBatchV1 = Static<typeof AccessLogBatchV1>

/**
 * How producers pack AccessLogBatchV1 messages: a message is closed at `maxEvents` records or when the
 * next record would take its JSON past `maxChars` characters, whichever comes first.
 *
 * 32 K characters (≈ 70 records of a typical request) keeps the consumer's decoded string under V8's
 * large-object size (128 KiB, and a string with one Korean character takes two bytes a character).
 * Larger ones are allocated outside the young generation and cost tracking ~20× more to decode:
 * TextDecoder measured 3–4 GB/s at 4–32 KB and 160–190 MB/s at 128–256 KB on the 2-core machines.
 */
export const ACCESS_LOG_MESSAGE = { maxEvents: 500, maxChars: 32 * 1024 } as const

/** A 5xx somewhere. The stack is kept server side; clients never see it. */
export const ErrorReportV1 = Type.Object({
  service: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  traceId: Type.Union([Type.String(), Type.Null()]),
  route: Type.Union([Type.String(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]),
  status: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
  stack: Type.Union([Type.String(), Type.Null()]),
  fingerprint: Type.String({ description: 'hash of error name + top stack frames, groups repeats' }),
  occurredAt: Type.String({ format: 'date-time' }),
})
export type ErrorReportV1 = Static<typeof ErrorReportV1>

/** A query slower than SLOW_QUERY_MS. SQL is normalized: no parameter values. */
export const SlowQueryV1 = Type.Object({
  service: Type.String(),
  sql: Type.String(),
  durationMs: Type.Number(),
  traceId: Type.Union([Type.String(), Type.Null()]),
  occurredAt: Type.String({ format: 'date-time' }),
})
export type SlowQueryV1 = Static<typeof SlowQueryV1>

/** One per GET /api/mentors: what was searched, what came back, how long it took (tracking's search keywords). */
export const SearchPerformedV1 = Type.Object({
  query: Type.Union([Type.String(), Type.Null()], { description: 'q as given, null for a plain list' }),
  terms: Type.Array(Type.String(), { description: 'normalized terms that had to match' }),
  filters: Type.Object({
    skills: Type.Array(Type.String()),
    languages: Type.Array(Type.String()),
    minRate: Type.Union([Type.Integer(), Type.Null()]),
    maxRate: Type.Union([Type.Integer(), Type.Null()]),
    minYears: Type.Union([Type.Integer(), Type.Null()]),
  }),
  sort: Type.String(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  resultCount: Type.Integer({ description: 'total matches' }),
  latencyMs: Type.Number(),
  user: Type.Union([Type.String(), Type.Null()], { description: 'uid, null when anonymous' }),
  clientIp: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        "an anonymous search's client address (the gateway's first X-Forwarded-For entry), so trending counts distinct clients; absent when signed in, and in events from older producers",
    }),
  ),
  requestId: Type.String(),
  traceId: Type.Union([Type.String(), Type.Null()]),
  occurredAt: Type.String({ format: 'date-time' }),
})
export type SearchPerformedV1 = Static<typeof SearchPerformedV1>
