// Weekly time windows ({ day, start, end } in the owner's own time zone) as the matching API takes
// them, for the mentee preferences and the mentor settings. Plain TS (no JSX) so tap can test it:
// what the editor refuses before sending, how a saved set is tidied, and which row a server
// validation error belongs to.
import { MATCHING_LIMITS, WEEKDAYS, type TimeWindow, type Weekday } from '@sunbae/contracts'
import { ApiError } from './errors.ts'

// The same patterns as the contract's TimeWindow (an end may be 24:00, midnight at the day's end).
const START = /^([01][0-9]|2[0-3]):[0-5][0-9]$/
const END = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/

export type WindowProblem = 'start' | 'end' | 'order' | 'tooMany'

/** What is wrong with one row of the editor (index in the list as shown). */
export interface WindowIssue {
  index: number
  problem: WindowProblem
}

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
const hhmmOf = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/**
 * Problems the server would refuse: a malformed time, an end not after its start (a window that
 * crosses midnight must be split in two), more windows than the API takes (counted after merging,
 * as they would be sent).
 */
export function validateWindows(windows: readonly TimeWindow[]): WindowIssue[] {
  const issues: WindowIssue[] = []
  windows.forEach((w, index) => {
    if (!START.test(w.start)) issues.push({ index, problem: 'start' })
    else if (!END.test(w.end)) issues.push({ index, problem: 'end' })
    else if (minutesOf(w.end) <= minutesOf(w.start)) issues.push({ index, problem: 'order' })
  })
  if (!issues.length && normaliseWindows(windows).length > MATCHING_LIMITS.timeWindows) {
    issues.push({ index: windows.length - 1, problem: 'tooMany' })
  }
  return issues
}

const dayIndex = (d: Weekday) => WEEKDAYS.indexOf(d)

/**
 * The set as it is saved: Monday first, each day by start time, overlapping or touching windows of
 * one day merged into one (tue 19–21 and tue 20–22 are tue 19–22). Assumes validateWindows passed.
 */
export function normaliseWindows(windows: readonly TimeWindow[]): TimeWindow[] {
  const sorted = [...windows].sort((a, b) => dayIndex(a.day) - dayIndex(b.day) || minutesOf(a.start) - minutesOf(b.start) || minutesOf(a.end) - minutesOf(b.end))
  const out: TimeWindow[] = []
  for (const w of sorted) {
    const last = out.at(-1)
    if (last && last.day === w.day && minutesOf(w.start) <= minutesOf(last.end)) {
      if (minutesOf(w.end) > minutesOf(last.end)) last.end = w.end
    } else out.push({ day: w.day, start: w.start, end: w.end })
  }
  return out
}

/** Total hours a week, for the editor's summary line. */
export function weeklyHours(windows: readonly TimeWindow[]): number {
  return normaliseWindows(windows).reduce((sum, w) => sum + (minutesOf(w.end) - minutesOf(w.start)), 0) / 60
}

/** A new row after the last one: the next day at the same hours (or Monday evening for the first). */
export function nextWindow(windows: readonly TimeWindow[]): TimeWindow {
  const last = windows.at(-1)
  if (!last) return { day: 'mon', start: '19:00', end: '21:00' }
  return { day: WEEKDAYS[(dayIndex(last.day) + 1) % WEEKDAYS.length]!, start: last.start, end: last.end }
}

/** Times offered in the editor's pickers: every half hour, plus the value already there. */
export function timeOptions(kind: 'start' | 'end', current?: string): string[] {
  const all: string[] = []
  for (let m = kind === 'start' ? 0 : 30; m <= (kind === 'start' ? 23 * 60 + 30 : 24 * 60); m += 30) all.push(hhmmOf(m))
  if (current && !all.includes(current) && (kind === 'start' ? START : END).test(current)) {
    all.push(current)
    all.sort((a, b) => minutesOf(a) - minutesOf(b))
  }
  return all
}

/**
 * The server's validation details that belong to time windows, by row: `body/timeWindows/3` and
 * `body/timeWindows/3/end` both land on row 3; `body/timeWindows` (the list itself) on row -1.
 * Details about other fields are left to the form's general error message.
 */
export function windowErrorsFrom(err: unknown, field = 'timeWindows'): Map<number, string> {
  const out = new Map<number, string>()
  if (!(err instanceof ApiError)) return out
  const re = new RegExp(`^(?:body/)?${field}(?:/(\\d+))?(?:/(\\w+))?$`)
  for (const d of err.details) {
    const m = re.exec(d.field)
    if (!m) continue
    const index = m[1] === undefined ? -1 : Number(m[1])
    const text = m[2] ? `${m[2]}: ${d.message}` : d.message
    out.set(index, out.has(index) ? `${out.get(index)} · ${text}` : text)
  }
  return out
}

/** The zones to pick from: the runtime's IANA list, with the current value kept even if unknown to it. */
export function timeZoneOptions(current?: string): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  const list = zones.includes('UTC') ? [...zones] : [...zones, 'UTC']
  if (current && !list.includes(current)) list.unshift(current)
  return list
}
