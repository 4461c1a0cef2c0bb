// Scheduling logic of the web app, kept free of React so tap can test it: slots grouped by the
// viewer's local day, what a booking still allows, the refund a cancellation would earn, and the
// availability form ↔ API body. Wall-clock times come from the API (localStart is already in the
// zone asked for); this module never does offset arithmetic of its own.
import { roomJoinable } from './room.ts'
import { refundFor, type Availability, type AvailabilityBody, type Booking, type DayWindow, type Slot, type WeeklyHours } from '@sunbae/contracts'

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** How far one page of the slot picker reaches (the API allows 62 days per query). */
export const SLOT_PAGE_DAYS = 14

/** The browser's IANA zone, UTC when the platform does not say. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

/** The zones to choose from: the platform's list, with the given ones added when it lacks them. */
export function zoneOptions(...always: string[]): string[] {
  let zones: string[] = []
  try {
    zones = Intl.supportedValuesOf('timeZone')
  } catch {
    zones = []
  }
  const set = new Set(zones)
  for (const z of [...always, 'UTC']) if (z && !set.has(z)) zones = [z, ...zones]
  return zones
}

/** Whether the platform knows the zone (a typo would make every formatter throw). */
export function isZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** The [from, to) of the picker's page `page` (0 = from now). */
export function slotWindow(now: Date, page: number, days = SLOT_PAGE_DAYS): { from: string; to: string } {
  const day = 86_400_000
  const from = new Date(now.getTime() + page * days * day)
  const to = new Date(from.getTime() + days * day)
  return { from: from.toISOString(), to: to.toISOString() }
}

export interface SlotDay {
  /** YYYY-MM-DD in the zone the slots were asked in */
  date: string
  slots: (Slot & { label: string })[]
}

/**
 * Slots by local day, in the order the API sent them (by start). The label is the local HH:MM; when
 * a day has the same wall time twice (a fall-back night), both get their UTC offset so they differ.
 */
export function groupSlotsByDay(slots: readonly Slot[]): SlotDay[] {
  const days: SlotDay[] = []
  for (const s of slots) {
    const date = s.localStart.slice(0, 10)
    let day = days.at(-1)
    if (!day || day.date !== date) {
      day = days.find((d) => d.date === date)
      if (!day) days.push((day = { date, slots: [] }))
    }
    day.slots.push({ ...s, label: s.localStart.slice(11, 16) })
  }
  for (const day of days) {
    const seen = new Map<string, number>()
    for (const s of day.slots) seen.set(s.label, (seen.get(s.label) ?? 0) + 1)
    for (const s of day.slots) if ((seen.get(s.label) ?? 0) > 1) s.label = `${s.label} (${offsetOf(s.localStart)})`
  }
  return days
}

/** The UTC offset written at the end of an ISO 8601 local time ("+09:00", "Z" → "+00:00"). */
export function offsetOf(iso: string): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(iso)
  return !m || m[1] === 'Z' ? '+00:00' : m[1]!
}

/** A local calendar date (YYYY-MM-DD) as a short label in the UI language, e.g. "11월 30일 (월)". */
export function dayLabel(date: string, lang: string): string {
  // noon UTC of that date, formatted in UTC: the label is the date itself, whatever the browser zone
  return new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(new Date(`${date}T12:00:00Z`))
}

/** An instant as date and time in a zone, in the UI language. */
export function formatInZone(iso: string, tz: string, lang: string, opts: { withZone?: boolean } = {}): string {
  return new Intl.DateTimeFormat(lang, {
    timeZone: tz,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(opts.withZone ? { timeZoneName: 'short' } : {}),
  }).format(new Date(iso))
}

/** The end time of a session as HH:MM in a zone (shown after its start). */
export function timeInZone(iso: string, tz: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso))
}

export type Party = 'mentee' | 'mentor'

/** Which side of a booking a user is on (null: neither, which the API would not send). */
export function partyOf(b: Pick<Booking, 'menteeUid' | 'mentorUid'>, uid: string | undefined): Party | null {
  if (!uid) return null
  if (b.menteeUid === uid) return 'mentee'
  if (b.mentorUid === uid) return 'mentor'
  return null
}

export interface BookingActions {
  join: boolean
  ics: boolean
  reschedule: boolean
  cancel: boolean
  noShow: boolean
}

/**
 * What a party may still do with a booking at `now`; the server decides for real. Join: the session's
 * video room, from its opening (10 minutes before the start) to its closing (30 minutes after the end).
 */
export function bookingActions(b: Pick<Booking, 'state' | 'start' | 'end' | 'noShowUntil'>, party: Party | null, now: number): BookingActions {
  const start = Date.parse(b.start)
  const confirmed = b.state === 'confirmed'
  const ahead = now < start
  return {
    join: party !== null && roomJoinable(b, now),
    ics: confirmed,
    reschedule: confirmed && ahead && party !== null,
    cancel: (confirmed || b.state === 'held') && ahead && party !== null,
    // the service says until when (its configured window), so the web never guesses it
    noShow: party === 'mentor' && (confirmed || b.state === 'completed') && b.noShowUntil !== null && now >= start && now <= Date.parse(b.noShowUntil),
  }
}

export type RefundPreview =
  /** nothing was paid: a free session, or a hold whose payment never came */
  | { kind: 'nothing_paid' }
  | { kind: 'full' | 'partial' | 'none'; percent: number; amount: number; currency: string }

/**
 * The refund a cancellation at `now` would earn: the meeting service's own rule (`refundFor` from
 * @sunbae/contracts) applied to the terms the booking carries — the policy of the session as first
 * booked, capped by the mentee's own earlier reschedules; the mentor cancelling refunds in full.
 */
export function refundPreview(b: Pick<Booking, 'state' | 'price' | 'currency' | 'start' | 'refundTerms'>, by: Party, now: number): RefundPreview {
  if (b.state !== 'confirmed') return { kind: 'nothing_paid' }
  const r = refundFor({ price: b.price, currency: b.currency, paymentId: null, start: b.start, refundTerms: b.refundTerms }, by, now)
  return r ? { kind: r.outcome, percent: r.percent, amount: r.amount, currency: r.currency } : { kind: 'nothing_paid' }
}

/** Price of a session, as the service computes it. */
export { sessionPrice } from '@sunbae/contracts'

// ---- availability form ----------------------------------------------------------------------

export interface OverrideRow {
  date: string
  /** true: a day off; false: these hours instead of the weekly ones */
  off: boolean
  windows: DayWindow[]
}

export interface AvailabilityForm {
  timezone: string
  weekly: Record<Weekday, DayWindow[]>
  overrides: OverrideRow[]
  durations: number[]
  slotIntervalMin: number | null
  bufferBeforeMin: number
  bufferAfterMin: number
  minNoticeMin: number
  horizonDays: number
  maxPerDay: number | null
  pricePerHour: number
  fullRefundHours: number
  partialRefundHours: number
  partialRefundPercent: number
  rescheduleNoticeHours: number
}

/** A first schedule for a mentor who has none: weekdays 09:00–18:00 in their zone, the API's defaults. */
export function defaultAvailabilityForm(timezone: string): AvailabilityForm {
  const work = [{ start: '09:00', end: '18:00' }]
  return {
    timezone,
    weekly: { mon: work, tue: work, wed: work, thu: work, fri: work, sat: [], sun: [] },
    overrides: [],
    durations: [60],
    slotIntervalMin: null,
    bufferBeforeMin: 0,
    bufferAfterMin: 0,
    minNoticeMin: 120,
    horizonDays: 60,
    maxPerDay: null,
    pricePerHour: 0,
    fullRefundHours: 24,
    partialRefundHours: 2,
    partialRefundPercent: 50,
    rescheduleNoticeHours: 2,
  }
}

export function availabilityToForm(a: Availability): AvailabilityForm {
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, [...(a.weekly[d] ?? [])]])) as Record<Weekday, DayWindow[]>
  return {
    timezone: a.timezone,
    weekly,
    overrides: [...a.overrides].sort((x, y) => x.date.localeCompare(y.date)).map((o) => ({ date: o.date, off: o.windows.length === 0, windows: [...o.windows] })),
    durations: [...a.durations].sort((x, y) => x - y),
    slotIntervalMin: a.slotIntervalMin,
    bufferBeforeMin: a.bufferBeforeMin,
    bufferAfterMin: a.bufferAfterMin,
    minNoticeMin: a.minNoticeMin,
    horizonDays: a.horizonDays,
    maxPerDay: a.maxPerDay,
    pricePerHour: a.pricePerHour,
    fullRefundHours: a.fullRefundHours,
    partialRefundHours: a.partialRefundHours,
    partialRefundPercent: a.partialRefundPercent,
    rescheduleNoticeHours: a.rescheduleNoticeHours,
  }
}

/** The PUT body: days without hours are left out (a day off), a day-off override has no windows. */
export function formToAvailabilityBody(f: AvailabilityForm): AvailabilityBody {
  const weekly: WeeklyHours = {}
  for (const d of WEEKDAYS) {
    const w = (f.weekly[d] ?? []).filter((x) => x.start && x.end)
    if (w.length) weekly[d] = w.map(({ start, end }) => ({ start, end }))
  }
  return {
    timezone: f.timezone,
    weekly,
    overrides: (f.overrides ?? [])
      .filter((o) => o.date)
      .map((o) => ({ date: o.date, windows: o.off ? [] : (o.windows ?? []).filter((x) => x.start && x.end).map(({ start, end }) => ({ start, end })) })),
    durations: [...new Set(f.durations)].sort((x, y) => x - y),
    slotIntervalMin: f.slotIntervalMin ?? null,
    bufferBeforeMin: f.bufferBeforeMin ?? 0,
    bufferAfterMin: f.bufferAfterMin ?? 0,
    minNoticeMin: f.minNoticeMin ?? 0,
    horizonDays: f.horizonDays,
    maxPerDay: f.maxPerDay ?? null,
    pricePerHour: f.pricePerHour ?? 0,
    fullRefundHours: f.fullRefundHours ?? 0,
    partialRefundHours: f.partialRefundHours ?? 0,
    partialRefundPercent: f.partialRefundPercent ?? 0,
    rescheduleNoticeHours: f.rescheduleNoticeHours ?? 0,
  }
}

/** Wall times every `step` minutes for the hour pickers; ends may be 24:00 (midnight). */
export function timeChoices(step: number, end = false): string[] {
  const out: string[] = []
  for (let m = end ? step : 0; m < 24 * 60; m += step) out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`)
  if (end) out.push('24:00')
  return out
}

/** Problems in one day's windows the form can point at before the server does: end before start, overlaps. */
export function windowProblem(windows: readonly DayWindow[]): 'order' | 'overlap' | null {
  const ok = windows.filter((w) => w?.start && w?.end)
  if (ok.some((w) => w.end <= w.start)) return 'order'
  const sorted = [...ok].sort((a, b) => a.start.localeCompare(b.start))
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return 'overlap'
  return null
}

/**
 * Where a server validation detail belongs in the availability form: "body/weekly/mon" →
 * ["weekly", "mon"], "body/overrides/2/date" → ["overrides", 2, "date"]; null for anything else.
 */
export function formPathOf(field: string): (string | number)[] | null {
  const m = /^body\/(.+)$/.exec(field)
  if (!m) return null
  return m[1]!.split('/').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}
