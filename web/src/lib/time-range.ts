// The time range of an admin dashboard or list, kept in the URL so a view can be shared, reloaded and
// reached with the back button: `?range=7d` (a window ending now) or `?from=…&to=…` (ISO instants, a
// fixed window). Every admin page reads and writes it through this module only (useTimeRange), so
// one range follows the admin from tab to tab. The APIs take `from`/`to`; resolveTimeRange gives them.
import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'

export const RANGE_PRESETS = ['24h', '7d', '30d', '90d'] as const
export type RangePreset = (typeof RANGE_PRESETS)[number]

export type TimeRange = { preset: RangePreset } | { from: string; to: string }

/** the URL keys this module owns; the rest of the query (the tab, filters) is left alone */
export const TIME_RANGE_KEYS = ['range', 'from', 'to'] as const

const HOUR = 60 * 60 * 1000
const PRESET_MS: Record<RangePreset, number> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR, '90d': 90 * 24 * HOUR }

const isPreset = (v: string | null): v is RangePreset => v !== null && (RANGE_PRESETS as readonly string[]).includes(v)

/** an instant the URL may carry: a parseable date within years 2000–9999, as its canonical ISO string */
const instant = (v: string | null): string | null => {
  if (v === null || v.length > 40) return null
  const ms = Date.parse(v)
  if (!Number.isFinite(ms) || ms < Date.UTC(2000, 0, 1) || ms >= Date.UTC(10000, 0, 1)) return null
  return new Date(ms).toISOString()
}

/**
 * The range a URL names, leniently: a valid from < to wins, then a known preset, else the page's
 * default. A hand-edited or truncated URL never breaks the page.
 */
export function parseTimeRange(params: URLSearchParams, fallback: RangePreset = '24h'): TimeRange {
  const from = instant(params.get('from'))
  const to = instant(params.get('to'))
  if (from !== null && to !== null && from < to) return { from, to }
  const preset = params.get('range')
  return { preset: isPreset(preset) ? preset : fallback }
}

/**
 * `params` with the range written in (and nothing else changed). A preset is always written, the
 * page's default too: pages default differently (reviews 30 d, traffic 24 h), and a range left out
 * would change meaning on the next tab.
 */
export function withTimeRange(params: URLSearchParams, range: TimeRange): URLSearchParams {
  const next = new URLSearchParams(params)
  for (const k of TIME_RANGE_KEYS) next.delete(k)
  if ('preset' in range) {
    next.set('range', range.preset)
  } else {
    next.set('from', range.from)
    next.set('to', range.to)
  }
  return next
}

/** only the range's keys of `params` (to carry the range over when the rest of the query is replaced) */
export function timeRangeParams(params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams()
  for (const k of TIME_RANGE_KEYS) for (const v of params.getAll(k)) out.append(k, v)
  return out
}

/** the `from`/`to` an API takes for the range, presets ending at `now` */
export function resolveTimeRange(range: TimeRange, now: number = Date.now()): { from: string; to: string } {
  if ('preset' in range) return { from: new Date(now - PRESET_MS[range.preset]).toISOString(), to: new Date(now).toISOString() }
  return { from: range.from, to: range.to }
}

/** a stable key for query caches: the preset's name or the fixed bounds */
export const timeRangeKey = (range: TimeRange): string => ('preset' in range ? range.preset : `${range.from}/${range.to}`)

const parseKey = (key: string): TimeRange => {
  const slash = key.indexOf('/')
  return slash < 0 ? { preset: key as RangePreset } : { from: key.slice(0, slash), to: key.slice(slash + 1) }
}

/**
 * The page's time range from the URL, and a setter that writes it back (a new history entry, the
 * rest of the query kept). `bounds` is what to send to the API: a preset is resolved against the
 * time the range was chosen or the page loaded, so a query key stays stable while the page is open
 * (refetching the same window); another range, or a reload, moves a preset to now.
 */
export function useTimeRange(fallback: RangePreset = '24h') {
  const [params, setParams] = useSearchParams()
  const range = useMemo(() => parseTimeRange(params, fallback), [params, fallback])
  const key = timeRangeKey(range)
  // `range` is a new object on every change of the query (a tab, a filter); the window moves only
  // when the range itself does
  const bounds = useMemo(() => resolveTimeRange(parseKey(key)), [key])
  const setRange = useCallback(
    (next: TimeRange) => setParams((p) => withTimeRange(p, next)),
    [setParams],
  )
  return { range, bounds, key: `${key}@${bounds.to}`, setRange }
}
