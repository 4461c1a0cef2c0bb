import { DEFAULT_TIME_ZONE } from '@sunbae/contracts'
import type { Locale } from './categories.ts'

// the account's defaults, the same as the catalog's
export { DEFAULT_LOCALE, DEFAULT_TIME_ZONE } from '@sunbae/contracts'

// Building an Intl.DateTimeFormat costs far more than formatting with one (it was ~3 % of the
// service's CPU under bench/notification's load); the few locale × zone pairs in use are kept.
const formats = new Map<string, Intl.DateTimeFormat>()
function dateTimeFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`
  let f = formats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short', hour: 'numeric', minute: '2-digit', timeZone })
    if (formats.size >= 1000) formats.clear()
    formats.set(key, f)
  }
  return f
}

/** A zone Intl knows, else the default (a bad value from an event must not stop a notification). */
export function validTimeZone(zone: string | null | undefined): string {
  if (!zone) return DEFAULT_TIME_ZONE
  try {
    dateTimeFormat('en-US', zone)
    return zone
  } catch {
    return DEFAULT_TIME_ZONE
  }
}

/** An instant as the recipient reads it: their language, their zone, the zone named. */
export function formatTime(iso: string, locale: Locale, timeZone: string): string {
  const text = dateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', timeZone).format(new Date(iso))
  return `${text} (${timeZone})`
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/** Long user text (a request's message) in a title or summary. */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`)

/**
 * How long until a quiet window ('HH:MM' local times in `zone`; start > end spans midnight) ends,
 * if `now` is inside it; 0 outside it (or for an empty window).
 */
export function msUntilQuietEnds(now: Date, zone: string, starts: string, ends: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(now)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0)
  const nowSec = get('hour') * 3600 + get('minute') * 60 + get('second')
  const toSec = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60
  const s = toSec(starts)
  const e = toSec(ends)
  if (s === e) return 0
  const inside = s < e ? nowSec >= s && nowSec < e : nowSec >= s || nowSec < e
  if (!inside) return 0
  const left = (e - nowSec + 86_400) % 86_400
  return left * 1000
}
