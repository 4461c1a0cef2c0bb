import { DateTime, IANAZone } from 'luxon'
import type { DateOverride, DayWindow, WeeklyHours } from '@sunbae/contracts'

/**
 * Slot computation, pure: no clock, no database. Wall-clock times (weekly hours, overrides) are
 * turned into instants by Luxon with the schedule's IANA zone, per local date, so a DST change is
 * the zone database's business: on a spring-forward day a 01:00–04:00 window is two real hours
 * (02:xx does not exist), on a fall-back day a 01:00–03:00 window is three. Candidate starts are
 * then stepped in real minutes from each window's start, and everything after that (notice,
 * horizon, buffers, existing bookings) compares instants only.
 */

export interface Schedule {
  timezone: string
  weekly: WeeklyHours
  overrides: DateOverride[]
  slotIntervalMin: number | null
  bufferBeforeMin: number
  bufferAfterMin: number
  minNoticeMin: number
  horizonDays: number
  maxPerDay: number | null
}

/** A span of time, epoch milliseconds, half-open [start, end). */
export interface Span {
  start: number
  end: number
}

export interface SlotQuery {
  from: number
  to: number
  durationMin: number
  now: number
  /** the mentor's active bookings as they block the calendar: buffers included */
  busy: readonly Span[]
  /** active bookings per local date (YYYY-MM-DD in the schedule zone), for maxPerDay */
  perDay?: ReadonlyMap<string, number>
}

const MIN = 60_000
const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

export const isValidZone = (zone: string): boolean => IANAZone.isValidZone(zone)

/** The local date (schedule zone) an instant falls on. */
export const localDate = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toISODate()!

function wallClock(date: DateTime, hhmm: string): DateTime {
  if (hhmm === '24:00') return date.plus({ days: 1 }).startOf('day')
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number]
  // Luxon moves a time inside a spring-forward gap forward by the gap, and picks the earlier
  // offset for an ambiguous fall-back time: a window starts at its first real instant.
  return date.set({ hour, minute, second: 0, millisecond: 0 })
}

function windowsOf(schedule: Schedule, overrides: ReadonlyMap<string, DayWindow[]>, day: DateTime): DayWindow[] {
  const override = overrides.get(day.toISODate()!)
  if (override) return override
  return schedule.weekly[WEEKDAY_KEYS[day.weekday - 1]!] ?? []
}

/** The block a session starting at `start` puts on the mentor's calendar, buffers included. */
export function blockOf(schedule: Pick<Schedule, 'bufferBeforeMin' | 'bufferAfterMin'>, start: number, durationMin: number): Span {
  return { start: start - schedule.bufferBeforeMin * MIN, end: start + (durationMin + schedule.bufferAfterMin) * MIN }
}

/** Free session starts (epoch ms) in [from, to), sorted, no duplicates. */
export function computeSlots(schedule: Schedule, q: SlotQuery): number[] {
  const zone = schedule.timezone
  const step = (schedule.slotIntervalMin ?? q.durationMin) * MIN
  const length = q.durationMin * MIN
  const earliest = Math.max(q.from, q.now + schedule.minNoticeMin * MIN)
  const latest = Math.min(q.to, q.now + schedule.horizonDays * 24 * 60 * MIN)
  if (earliest >= latest) return []

  const overrides = new Map(schedule.overrides.map((o) => [o.date, o.windows]))
  const busy = [...q.busy].sort((a, b) => a.start - b.start)
  // a local day's windows may start before `earliest` in UTC terms and reach into the range: begin a day early
  const spans: Span[] = []
  let day = DateTime.fromMillis(earliest, { zone }).startOf('day').minus({ days: 1 })
  // …and end a day late: a session starting on the last day may run into the next one's windows
  const lastDay = DateTime.fromMillis(latest + length, { zone }).startOf('day')
  for (; day <= lastDay; day = day.plus({ days: 1 })) {
    for (const w of windowsOf(schedule, overrides, day)) spans.push({ start: wallClock(day, w.start).toMillis(), end: wallClock(day, w.end).toMillis() })
  }
  const out = new Set<number>()
  const limited = schedule.maxPerDay !== null && (q.perDay?.size ?? 0) > 0
  for (const span of merge(spans)) {
    for (let s = span.start; s + length <= span.end; s += step) {
      if (s < earliest || s >= latest) continue
      if (limited && (q.perDay!.get(localDate(s, zone)) ?? 0) >= schedule.maxPerDay!) continue
      if (!overlapsAny(busy, blockOf(schedule, s, q.durationMin))) out.add(s)
    }
  }
  return [...out].sort((a, b) => a - b)
}

/**
 * Joins windows that touch or overlap — a night shift 22:00–24:00 followed by 00:00–02:00 the next
 * day is one stretch, so a session may run across midnight.
 */
function merge(spans: Span[]): Span[] {
  const sorted = spans.filter((x) => x.end > x.start).sort((a, b) => a.start - b.start)
  const out: Span[] = []
  for (const x of sorted) {
    const last = out.at(-1)
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end)
    else out.push({ ...x })
  }
  return out
}

// busy blocks never overlap each other (the exclusion constraint), so sorted by start they are sorted by end too
function overlapsAny(sorted: readonly Span[], x: Span): boolean {
  // binary search for the first span that ends after x starts
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]!.end <= x.start) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < sorted.length && sorted[i]!.start < x.end; i++) {
    if (sorted[i]!.end > x.start) return true
  }
  return false
}

/** ISO 8601 of an instant in a zone, with its offset (e.g. 2026-03-08T03:00:00.000-04:00). */
export const inZone = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toISO()!
