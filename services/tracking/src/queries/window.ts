import { TRACKING_LIMITS, type StatsBucket } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'

const HOUR = 3_600_000
const DAY = 24 * HOUR

export interface Window {
  from: Date
  to: Date
}

const invalid = (field: string, message: string) =>
  new AppError(400, 'VALIDATION_FAILED', 'The request is invalid', { details: [{ field: `querystring/${field}`, message }] })

/**
 * The query's window: `to` defaults to now, `from` to `to` − 24 h; `from` must come before `to`
 * and the window may not exceed TRACKING_LIMITS.maxWindowDays (every query scans its window).
 */
export function windowOf(q: { from?: string | undefined; to?: string | undefined }, now = Date.now()): Window {
  const to = q.to !== undefined ? Date.parse(q.to) : now
  if (!Number.isFinite(to)) throw invalid('to', 'must be a date-time')
  const from = q.from !== undefined ? Date.parse(q.from) : to - TRACKING_LIMITS.defaultWindowHours * HOUR
  if (!Number.isFinite(from)) throw invalid('from', 'must be a date-time')
  if (from >= to) throw invalid('from', 'must be earlier than to')
  if (to - from > TRACKING_LIMITS.maxWindowDays * DAY) throw invalid('from', `the window may span at most ${TRACKING_LIMITS.maxWindowDays} days`)
  return { from: new Date(from), to: new Date(to) }
}

export const BUCKET_MS: Record<StatsBucket, number> = {
  '1m': 60_000,
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '1d': DAY,
}

/** Postgres interval text for date_bin. */
export const bucketInterval = (b: StatsBucket): string => `${BUCKET_MS[b] / 1000} seconds`

export function checkBuckets(w: Window, bucket: StatsBucket): void {
  const n = Math.ceil((w.to.getTime() - w.from.getTime()) / BUCKET_MS[bucket])
  if (n > TRACKING_LIMITS.maxBuckets) {
    throw invalid('bucket', `${n} buckets of ${bucket} in this window; at most ${TRACKING_LIMITS.maxBuckets}: choose a larger bucket or a shorter window`)
  }
}

/** Keyset cursor: the last row's (time, id), opaque to clients. */
export interface Cursor {
  at: Date
  id: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function encodeCursor(c: { at: Date; id: string }): string {
  // stored times are whole milliseconds (the ingest writes them so), so the ISO form is exact
  return Buffer.from(`${c.at.toISOString()}|${c.id}`).toString('base64url')
}

export function decodeCursor(s: string | undefined): Cursor | null {
  if (s === undefined) return null
  const [at, id, extra] = Buffer.from(s, 'base64url').toString('utf8').split('|')
  const ms = at ? Date.parse(at) : NaN
  if (extra !== undefined || !id || !UUID.test(id) || !Number.isFinite(ms)) throw invalid('cursor', 'is not a cursor this API gave out')
  return { at: new Date(ms), id }
}
