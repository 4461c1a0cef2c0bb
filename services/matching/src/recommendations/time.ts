import { WEEKDAYS, type TimeWindow, type Weekday } from '@sunbae/contracts'

/** A half-open interval of minutes in the week, UTC, Monday 00:00 = 0. */
export type WeekInterval = readonly [start: number, end: number]

const WEEK = 7 * 24 * 60
const ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])

export const isTimezone = (tz: string) => ZONES.has(tz)

const offsetCache = new Map<string, { offset: number; until: number }>()

/**
 * Minutes the zone is ahead of UTC now (Asia/Seoul: 540). Cached for an hour: windows are weekly
 * habits, and a DST change shifts them by an hour at most until the cache turns over.
 */
export function utcOffsetMinutes(tz: string, now = Date.now()): number {
  const hit = offsetCache.get(tz)
  if (hit && hit.until > now) return hit.offset
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(new Date(now))
    .find((p) => p.type === 'timeZoneName')?.value
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '')
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0
  offsetCache.set(tz, { offset, until: now + 3_600_000 })
  return offset
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** The windows as sorted, merged UTC week intervals (a window crossing Sunday/Monday is split). */
export function toWeekIntervals(windows: readonly TimeWindow[], tz: string): WeekInterval[] {
  const offset = utcOffsetMinutes(tz)
  const parts: [number, number][] = []
  for (const w of windows) {
    const day = WEEKDAYS.indexOf(w.day)
    const len = minutes(w.end) - minutes(w.start)
    if (day < 0 || len <= 0) continue
    const start = (((day * 1440 + minutes(w.start) - offset) % WEEK) + WEEK) % WEEK
    if (start + len <= WEEK) parts.push([start, start + len])
    else parts.push([start, WEEK], [0, start + len - WEEK])
  }
  parts.sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const p of parts) {
    const last = merged[merged.length - 1]
    if (last && p[0] <= last[1]) last[1] = Math.max(last[1], p[1])
    else merged.push([p[0], p[1]])
  }
  return merged
}

/** Intersection of two sorted, merged interval lists. */
export function intersect(a: readonly WeekInterval[], b: readonly WeekInterval[]): WeekInterval[] {
  const out: WeekInterval[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const s = Math.max(a[i]![0], b[j]![0])
    const e = Math.min(a[i]![1], b[j]![1])
    if (s < e) out.push([s, e])
    if (a[i]![1] < b[j]![1]) i++
    else j++
  }
  return out
}

export const totalMinutes = (xs: readonly WeekInterval[]) => xs.reduce((n, [s, e]) => n + (e - s), 0)

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

/** "tue 19:00–21:00" in the given zone: an interval as a person reads it (tests, logs). */
export function describeInterval(iv: WeekInterval, tz: string): string {
  const w = localWindow(iv, tz)
  return `${w.day} ${w.start}–${w.end}${w.endsNextDay ? ' (+1)' : ''}`
}

/** An interval as a window of the week in `tz` (what a reason carries; the reader's client words it). */
export function localWindow([s, e]: WeekInterval, tz: string): { day: Weekday; start: string; end: string; endsNextDay: boolean } {
  const offset = utcOffsetMinutes(tz)
  const start = (((s + offset) % WEEK) + WEEK) % WEEK
  const day = Math.floor(start / 1440)
  const from = start % 1440
  const to = from + (e - s)
  return { day: WEEKDAYS[day] as Weekday, start: hhmm(from), end: to >= 1440 ? hhmm(to - 1440) : hhmm(to), endsNextDay: to >= 1440 }
}
