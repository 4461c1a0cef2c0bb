import { createHash } from 'node:crypto'
import { Compile } from 'typebox/compile'
import type { JsMsg } from '@nats-io/jetstream'
import { AccessLogBatchV1, AccessLogV1, AnyEventEnvelope, ErrorReportV1, SearchPerformedV1, SlowQueryV1, type DomainEvent } from '@sunbae/contracts'
import { truncate, type Scrubber } from '@sunbae/service-kit/scrub'
import { batchTimeIds, timeId } from './ids.ts'
import { entityOf } from './entities.ts'
import type { AccessRow, AuditRow, ErrorRow, SearchRow, SlowQueryRow } from './ingest.table.ts'

// compiled once: every message is checked against its contract
const checkAccess = Compile(AccessLogV1)
const checkAccessBatch = Compile(AccessLogBatchV1)
const checkSearch = Compile(SearchPerformedV1)
const checkError = Compile(ErrorReportV1)
const checkSlow = Compile(SlowQueryV1)
const checkEnvelope = Compile(AnyEventEnvelope)

export class InvalidMessage extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidMessage'
  }
}

export interface MapperOptions {
  scrubber: Scrubber
  bodyMax: number
  /** events older than this (epoch ms) are past retention: not stored */
  cutoff(table: 'telemetry' | 'audit'): number
}

const decoder = new TextDecoder()

function parse(msg: JsMsg): unknown {
  try {
    return JSON.parse(decoder.decode(msg.data))
  } catch (err) {
    throw new InvalidMessage(`not JSON: ${(err as Error).message}`)
  }
}

function check<T>(validator: { Check(v: unknown): boolean; Errors(v: unknown): Iterable<{ instancePath: string; message: string }> }, value: unknown, what: string): T {
  if (validator.Check(value)) return value as T
  const first = [...validator.Errors(value)][0]
  throw new InvalidMessage(`not a ${what}: ${first?.instancePath || '(root)'} ${first?.message ?? 'is invalid'}`)
}

function timeOf(iso: string, what: string): number {
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) throw new InvalidMessage(`${what} is not a time: ${iso}`)
  return ms
}

/** Postgres text and jsonb refuse NUL characters; a hostile request must not poison a batch with one. */
const NUL = /\u0000/g
export function clean(s: string): string
export function clean(s: string | null | undefined): string | null
export function clean(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null
  return s.includes('\u0000') ? s.replace(NUL, '') : s
}
const clip = (s: string | null | undefined, max: number): string | null => (s === null || s === undefined ? null : truncate(clean(s), max))
/** JSON for a jsonb column: NULs dropped from strings (keys too) and the size bounded. */
function jsonText(value: unknown, max: number): string {
  // JSON.stringify writes a NUL as the escape \u0000: without one in its output there is no NUL to
  // drop, and the replacer (a function call per value, the slow form of stringify) is not needed
  const plain = JSON.stringify(value)
  if (!plain.includes('\\u0000')) return plain.length <= max ? plain : JSON.stringify({ '[truncated]': truncate(plain, max) })
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? clean(v) : v))
  const safe = text.includes('\\u0000') ? JSON.stringify(JSON.parse(text.replace(/\\u0000/g, ''))) : text
  if (safe.length <= max) return safe
  return JSON.stringify({ '[truncated]': truncate(safe, max) })
}

/**
 * The dedup key of a telemetry message: the producer's Nats-Msg-Id when it set one, else the
 * message bytes (a redelivery is byte-for-byte the same message). Telemetry carries no event id,
 * and the gateway's request id is no key on its own: a client may send its own X-Request-Id.
 */
function dedupKey(msg: JsMsg): string | Uint8Array {
  const id = msg.headers?.get('Nats-Msg-Id')
  return id ? `msgid:${id}` : msg.data
}

export function toAccessRow(msg: JsMsg, o: MapperOptions): AccessRow | undefined {
  const e = check<AccessLogV1>(checkAccess, parse(msg), 'AccessLogV1')
  const ms = timeOf(e.requestedAt, 'requestedAt')
  if (ms < o.cutoff('telemetry')) return undefined
  return accessRow(e, ms, timeId(ms, dedupKey(msg)), o)
}

/**
 * The gateway's batches (AccessLogBatchV1): record i is keyed by the batch's key and i (`batchTimeIds`),
 * so a redelivered batch maps to the same ids. One bad record makes the batch invalid as a whole (the
 * producer is broken; the dead letter keeps it for a look).
 */
export function toAccessRows(msg: JsMsg, o: MapperOptions): AccessRow[] | undefined {
  const batch = check<AccessLogBatchV1>(checkAccessBatch, parse(msg), 'AccessLogBatchV1')
  const idOf = batchTimeIds(dedupKey(msg))
  const cutoff = o.cutoff('telemetry')
  const rows: AccessRow[] = []
  for (let i = 0; i < batch.events.length; i++) {
    const e = batch.events[i]!
    const ms = timeOf(e.requestedAt, 'requestedAt')
    if (ms >= cutoff) rows.push(accessRow(e, ms, idOf(ms, i), o))
  }
  return rows.length > 0 ? rows : undefined
}

function accessRow(e: AccessLogV1, ms: number, id: string, o: MapperOptions): AccessRow {
  const isError = e.status >= 400
  return {
    id,
    requested_at: new Date(ms).toISOString(),
    request_id: clip(e.requestId, 200)!,
    trace_id: clip(e.traceId, 64),
    user_id: clip(e.user, 128),
    method: clip(e.method, 16)!,
    path: clip(e.path, 2048)!,
    route: clip(e.route, 200),
    status: Math.max(0, Math.min(999, e.status)),
    response_ms: Number.isFinite(e.responseMs) ? e.responseMs : 0,
    remote_addr: clip(e.remoteAddr, 64)!,
    host: clip(e.host, 255),
    // scrubbed again here: tracking does not rely on every producer's list being complete
    query_params: jsonText(o.scrubber.value(e.queryParams), o.bodyMax),
    body: clean(o.scrubber.body(e.body, { max: o.bodyMax })),
    // response bodies only for errors (a success's body is data the client owns, not a log's)
    response_body: isError ? clean(o.scrubber.body(e.responseBody ?? null, { max: o.bodyMax })) : null,
    error_code: clip(e.errors, 200),
    user_agent: clip(e.userAgent, 512),
  }
}

/** `  Python   면접 ` → `python 면접`: what counts as the same search. */
export function normalizeKeyword(q: string | null | undefined): string | null {
  if (!q) return null
  const k = q.normalize('NFKC').toLowerCase().replace(/[\s,]+/g, ' ').trim()
  return k ? truncate(clean(k), 200) : null
}

export function toSearchRow(msg: JsMsg, o: MapperOptions): SearchRow | undefined {
  const e = check<SearchPerformedV1>(checkSearch, parse(msg), 'SearchPerformedV1')
  const ms = timeOf(e.occurredAt, 'occurredAt')
  if (ms < o.cutoff('telemetry')) return undefined
  const terms = e.terms.length ? e.terms : (normalizeKeyword(e.query)?.split(' ') ?? [])
  return {
    id: timeId(ms, dedupKey(msg)),
    occurred_at: new Date(ms).toISOString(),
    request_id: clip(e.requestId, 200)!,
    trace_id: clip(e.traceId, 64),
    user_id: clip(e.user, 128),
    query: clip(e.query, 500),
    keyword: normalizeKeyword(e.query),
    terms: [...new Set(terms.map((t) => normalizeKeyword(t)).filter((t): t is string => !!t))].slice(0, 20),
    filters: jsonText(e.filters, 4096),
    sort: clip(e.sort, 40)!,
    page: e.page,
    page_size: e.pageSize,
    result_count: e.resultCount,
    latency_ms: e.latencyMs,
    // only anonymous searches are keyed by address (a signed-in search counts by its uid); absent
    // in events from producers older than the field
    client_ip: e.user === null ? clip(e.clientIp, 64) : null,
  }
}

export function toErrorRow(msg: JsMsg, o: MapperOptions): ErrorRow | undefined {
  const e = check<ErrorReportV1>(checkError, parse(msg), 'ErrorReportV1')
  const ms = timeOf(e.occurredAt, 'occurredAt')
  if (ms < o.cutoff('telemetry')) return undefined
  return {
    id: timeId(ms, dedupKey(msg)),
    occurred_at: new Date(ms).toISOString(),
    service: clip(e.service, 100)!,
    fingerprint: clip(e.fingerprint, 64)!,
    request_id: clip(e.requestId, 200),
    trace_id: clip(e.traceId, 64),
    route: clip(e.route, 2048),
    method: clip(e.method, 16),
    status: Math.max(0, Math.min(999, e.status)),
    code: clip(e.code, 200)!,
    // an exception message can quote a value the request sent: scrub it like a body
    message: truncate(clean(o.scrubber.text(e.message)), 2_000),
    stack: e.stack === null ? null : truncate(clean(o.scrubber.text(e.stack)), 16_000),
  }
}

export function toSlowQueryRow(msg: JsMsg, o: MapperOptions): SlowQueryRow | undefined {
  const e = check<SlowQueryV1>(checkSlow, parse(msg), 'SlowQueryV1')
  const ms = timeOf(e.occurredAt, 'occurredAt')
  if (ms < o.cutoff('telemetry')) return undefined
  const sqlText = truncate(clean(e.sql), 8_000)
  return {
    id: timeId(ms, dedupKey(msg)),
    occurred_at: new Date(ms).toISOString(),
    service: clip(e.service, 100)!,
    sql: sqlText,
    sql_hash: createHash('sha256').update(sqlText).digest('hex').slice(0, 32),
    duration_ms: e.durationMs,
    trace_id: clip(e.traceId, 64),
  }
}

/** The W3C trace id inside a traceparent (`00-<trace id>-<span id>-<flags>`). */
function traceIdOf(traceparent: string | undefined): string | null {
  const m = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null
  return m ? m[1]! : null
}

export function toAuditRow(msg: JsMsg, o: MapperOptions): AuditRow | undefined {
  const e = check<DomainEvent>(checkEnvelope, parse(msg), 'event envelope')
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(e.id)) throw new InvalidMessage(`event id is not a UUID: ${e.id}`)
  const ms = timeOf(e.occurredAt, 'occurredAt')
  if (ms < o.cutoff('audit')) return undefined
  const entity = entityOf(e)
  return {
    event_id: e.id.toLowerCase(),
    occurred_at: new Date(ms).toISOString(),
    type: clip(e.type, 200)!,
    version: e.version,
    source: clip(e.source, 100)!,
    actor_type: clip(e.actor.type, 20)!,
    actor_id: clip(e.actor.id, 128),
    actor_role: clip(e.actor.role, 20),
    entity_type: entity.type,
    entity_id: clip(entity.id, 200),
    // domain events should carry no secrets; scrubbing anyway costs little and protects the trail
    payload: jsonText(o.scrubber.value(e.data ?? null), 256 * 1024),
    trace_id: traceIdOf(e.trace?.traceparent) ?? clip(msg.headers?.get('traceparent')?.split('-')[1] ?? null, 64),
  }
}
