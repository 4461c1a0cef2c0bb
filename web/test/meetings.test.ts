import t from 'tap'
import { initialRefundTerms, type Availability, type RefundTerms, type Slot } from '@sunbae/contracts'
import {
  availabilityToForm,
  bookingActions,
  dayLabel,
  defaultAvailabilityForm,
  formatInZone,
  formPathOf,
  formToAvailabilityBody,
  groupSlotsByDay,
  isZone,
  offsetOf,
  partyOf,
  refundPreview,
  sessionPrice,
  slotWindow,
  timeChoices,
  windowProblem,
  zoneOptions,
} from '../src/lib/meetings.ts'

const slot = (start: string, localStart: string, minutes = 60): Slot => {
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString()
  return { start, end, localStart, localEnd: localStart }
}

t.test('slots are grouped by the local day of the zone they were asked in, not by UTC', async (t) => {
  // 23:00 and 00:00 in Seoul are 14:00 and 15:00 UTC of the same UTC day, but two local days
  const days = groupSlotsByDay([
    slot('2026-12-01T13:00:00.000Z', '2026-12-01T22:00:00+09:00'),
    slot('2026-12-01T14:00:00.000Z', '2026-12-01T23:00:00+09:00'),
    slot('2026-12-01T15:00:00.000Z', '2026-12-02T00:00:00+09:00'),
    slot('2026-12-02T01:00:00.000Z', '2026-12-02T10:00:00+09:00'),
  ])
  t.same(days.map((d) => d.date), ['2026-12-01', '2026-12-02'])
  t.same(days.map((d) => d.slots.map((s) => s.label)), [['22:00', '23:00'], ['00:00', '10:00']])
  t.equal(days[1]!.slots[0]!.start, '2026-12-01T15:00:00.000Z', 'the UTC start is kept for booking')
  t.same(groupSlotsByDay([]), [])
})

t.test('a wall time that happens twice (fall-back night) gets its offset so the two differ', async (t) => {
  // New York, 2026-11-01: 01:00 EDT (-04:00) and 01:00 EST (-05:00)
  const [day] = groupSlotsByDay([
    slot('2026-11-01T04:00:00.000Z', '2026-11-01T00:00:00-04:00'),
    slot('2026-11-01T05:00:00.000Z', '2026-11-01T01:00:00-04:00'),
    slot('2026-11-01T06:00:00.000Z', '2026-11-01T01:00:00-05:00'),
    slot('2026-11-01T07:00:00.000Z', '2026-11-01T02:00:00-05:00'),
  ])
  t.same(day!.slots.map((s) => s.label), ['00:00', '01:00 (-04:00)', '01:00 (-05:00)', '02:00'])
  t.equal(offsetOf('2026-11-01T01:00:00Z'), '+00:00')
  t.equal(offsetOf('2026-11-01T01:00:00+05:30'), '+05:30')
})

t.test('day and time labels follow the zone and the language', async (t) => {
  t.equal(dayLabel('2026-12-01', 'en'), 'Tue, Dec 1')
  t.match(dayLabel('2026-12-01', 'ko'), /12월 1일.*화/)
  // the same instant is 10:00 in Seoul and 20:00 the day before in New York
  t.match(formatInZone('2026-12-01T01:00:00.000Z', 'Asia/Seoul', 'en'), /Dec 1, 2026.*10:00/)
  t.match(formatInZone('2026-12-01T01:00:00.000Z', 'America/New_York', 'en'), /Nov 30, 2026.*20:00/)
  t.ok(isZone('Asia/Seoul'))
  t.notOk(isZone('Mars/Olympus'))
  t.ok(zoneOptions('Asia/Seoul').includes('Asia/Seoul'))
  t.ok(zoneOptions().includes('UTC'), 'UTC is always offered')
})

t.test('the picker pages are consecutive 14-day windows from now', async (t) => {
  const now = new Date('2026-12-01T03:00:00.000Z')
  t.same(slotWindow(now, 0), { from: '2026-12-01T03:00:00.000Z', to: '2026-12-15T03:00:00.000Z' })
  t.same(slotWindow(now, 1), { from: '2026-12-15T03:00:00.000Z', to: '2026-12-29T03:00:00.000Z' })
})

t.test('the refund shown before cancelling follows the same rule as the service', async (t) => {
  const now = Date.parse('2026-12-01T00:00:00.000Z')
  const terms = initialRefundTerms({ fullRefundHours: 24, partialRefundHours: 2, partialRefundPercent: 50 })
  const paid = (hoursAhead: number, refundTerms: RefundTerms = terms) => ({ state: 'confirmed' as const, price: 45_000, currency: 'KRW', start: new Date(now + hoursAhead * 3_600_000).toISOString(), refundTerms })
  t.same(refundPreview(paid(24), 'mentee', now), { kind: 'full', percent: 100, amount: 45_000, currency: 'KRW' }, 'exactly at the full-refund limit')
  t.same(refundPreview(paid(23.9), 'mentee', now), { kind: 'partial', percent: 50, amount: 22_500, currency: 'KRW' })
  t.same(refundPreview(paid(2), 'mentee', now), { kind: 'partial', percent: 50, amount: 22_500, currency: 'KRW' })
  t.same(refundPreview(paid(1.9), 'mentee', now), { kind: 'none', percent: 0, amount: 0, currency: 'KRW' })
  t.same(refundPreview(paid(1, { ...terms, partialRefundPercent: 0 }), 'mentee', now).kind, 'none', 'a 0 % partial refund is no refund')
  t.same(refundPreview({ ...paid(1, { ...terms, partialRefundHours: 0, partialRefundPercent: 33 }), price: 33_333 }, 'mentee', now), { kind: 'partial', percent: 33, amount: 10_999, currency: 'KRW' }, 'rounded down like the service')
  t.same(refundPreview(paid(1), 'mentor', now).kind, 'full', 'a mentor cancelling always refunds in full')
  t.same(refundPreview({ ...paid(48), price: 0 }, 'mentee', now), { kind: 'nothing_paid' }, 'free session')
  t.same(refundPreview({ ...paid(48), state: 'held' }, 'mentee', now), { kind: 'nothing_paid' }, 'a hold was never paid')
  t.equal(sessionPrice(50_000, 45), 37_500)
  t.equal(sessionPrice(10_001, 30), 5_001, 'rounded like the service')
})

t.test('a session moved by its mentee shows the refund of the session as first booked (issue 16)', async (t) => {
  const now = Date.parse('2026-12-01T00:00:00.000Z')
  // what the service sends for a session booked at +5 h and moved by the mentee to +48 h (services/meeting/test/refunds.test.ts)
  const moved = { ...initialRefundTerms({ fullRefundHours: 24, partialRefundHours: 2, partialRefundPercent: 50 }), capPercent: 50 }
  const b = { state: 'confirmed' as const, price: 60_000, currency: 'KRW', start: new Date(now + 48 * 3_600_000).toISOString(), refundTerms: moved }
  t.same(refundPreview(b, 'mentee', now), { kind: 'partial', percent: 50, amount: 30_000, currency: 'KRW' }, 'the same 30 000 the service refunds, not 60 000')
  t.same(refundPreview(b, 'mentor', now), { kind: 'full', percent: 100, amount: 60_000, currency: 'KRW' })
  t.same(refundPreview({ ...b, refundTerms: { ...moved, capPercent: 100, movedByMentor: true }, start: new Date(now + 3_600_000).toISOString() }, 'mentee', now).kind, 'full', 'moved by the mentor: no cost to the mentee')
})

t.test('what a booking still allows depends on its state, the time and the side', async (t) => {
  const start = Date.parse('2026-12-01T10:00:00.000Z')
  const b = { state: 'confirmed' as const, start: '2026-12-01T10:00:00.000Z', end: '2026-12-01T11:00:00.000Z', noShowUntil: '2026-12-03T11:00:00.000Z' }
  t.same(bookingActions(b, 'mentee', start - 1), { join: true, ics: true, reschedule: true, cancel: true, noShow: false })
  t.same(bookingActions(b, 'mentee', start - 10 * 60_000 - 1).join, false, 'the room opens 10 minutes before the start')
  t.same(bookingActions(b, 'mentee', start - 10 * 60_000).join, true)
  t.same(bookingActions(b, 'mentee', Date.parse(b.end) + 30 * 60_000 - 1).join, true, 'and stays open 30 minutes after the end')
  t.same(bookingActions(b, 'mentee', Date.parse(b.end) + 30 * 60_000).join, false)
  t.same(bookingActions(b, null, start).join, false, 'only its parties join')
  t.same(bookingActions(b, 'mentor', start + 1), { join: true, ics: true, reschedule: false, cancel: false, noShow: true }, 'after the start: join and no-show only')
  t.same(bookingActions(b, 'mentee', start + 1).noShow, false, 'only the mentor marks a no-show')
  t.same(bookingActions(b, 'mentor', Date.parse(b.noShowUntil)).noShow, true, 'open until the time the service sends')
  t.same(bookingActions(b, 'mentor', Date.parse(b.noShowUntil) + 1).noShow, false, 'the no-show window closes when the service says')
  t.same(bookingActions({ ...b, noShowUntil: '2026-12-01T12:00:00.000Z' }, 'mentor', start + 2 * 3_600_000 + 1).noShow, false, 'a shorter configured window is followed, not a hard-coded 48 h')
  t.same(bookingActions({ ...b, state: 'completed' }, 'mentor', start + 2 * 3_600_000), { join: false, ics: false, reschedule: false, cancel: false, noShow: true })
  t.same(bookingActions({ ...b, state: 'held' }, 'mentee', start - 1), { join: false, ics: false, reschedule: false, cancel: true, noShow: false }, 'a hold can be let go, not moved')
  t.same(bookingActions({ ...b, state: 'cancelled' }, 'mentee', start - 1), { join: false, ics: false, reschedule: false, cancel: false, noShow: false })
  t.equal(partyOf({ menteeUid: 'a', mentorUid: 'b' }, 'a'), 'mentee')
  t.equal(partyOf({ menteeUid: 'a', mentorUid: 'b' }, 'b'), 'mentor')
  t.equal(partyOf({ menteeUid: 'a', mentorUid: 'b' }, 'c'), null)
  t.equal(partyOf({ menteeUid: 'a', mentorUid: 'b' }, undefined), null)
})

t.test('the availability form round-trips to the API body', async (t) => {
  const saved: Availability = {
    mentorId: '00000000-0000-4000-8000-000000000001',
    timezone: 'America/New_York',
    weekly: { mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }], sat: [{ start: '22:00', end: '24:00' }] },
    overrides: [{ date: '2026-12-25', windows: [] }, { date: '2026-12-20', windows: [{ start: '10:00', end: '12:00' }] }],
    durations: [60, 30],
    slotIntervalMin: null,
    bufferBeforeMin: 5,
    bufferAfterMin: 10,
    minNoticeMin: 120,
    horizonDays: 30,
    maxPerDay: 4,
    pricePerHour: 50_000,
    fullRefundHours: 24,
    partialRefundHours: 2,
    partialRefundPercent: 50,
    rescheduleNoticeHours: 4,
    updatedAt: '2026-11-27T00:00:00.000Z',
  }
  const form = availabilityToForm(saved)
  t.same(form.weekly.tue, [], 'a day without hours is a day off in the form')
  t.same(form.overrides.map((o) => [o.date, o.off]), [['2026-12-20', false], ['2026-12-25', true]], 'overrides sorted by date')
  t.same(form.durations, [30, 60])
  const body = formToAvailabilityBody(form)
  t.same(body.weekly, saved.weekly, 'empty days are left out of the body')
  t.same(body.overrides, [{ date: '2026-12-20', windows: [{ start: '10:00', end: '12:00' }] }, { date: '2026-12-25', windows: [] }])
  t.equal(body.maxPerDay, 4)
  t.equal(body.slotIntervalMin, null)
  t.notOk('updatedAt' in body || 'mentorId' in body, 'read-only fields are not sent')

  // a day-off override drops hours typed before it was switched off; an emptied number is null / 0
  const edited = { ...form, overrides: [{ date: '2026-12-31', off: true, windows: [{ start: '09:00', end: '10:00' }] }], maxPerDay: null, durations: [45, 30, 45] }
  const b2 = formToAvailabilityBody(edited)
  t.same(b2.overrides, [{ date: '2026-12-31', windows: [] }])
  t.equal(b2.maxPerDay, null)
  t.same(b2.durations, [30, 45], 'lengths unique and sorted')
  t.same(formToAvailabilityBody(defaultAvailabilityForm('Asia/Seoul')).weekly.mon, [{ start: '09:00', end: '18:00' }])
  t.notOk('sat' in formToAvailabilityBody(defaultAvailabilityForm('Asia/Seoul')).weekly)
})

t.test('hours are checked as the server would: in order and apart; ends may be 24:00', async (t) => {
  t.equal(windowProblem([{ start: '09:00', end: '12:00' }, { start: '12:00', end: '24:00' }]), null, 'touching is fine')
  t.equal(windowProblem([{ start: '12:00', end: '09:00' }]), 'order')
  t.equal(windowProblem([{ start: '09:00', end: '09:00' }]), 'order')
  t.equal(windowProblem([{ start: '13:00', end: '15:00' }, { start: '09:00', end: '13:30' }]), 'overlap')
  t.equal(windowProblem([]), null)
  const ends = timeChoices(30, true)
  t.equal(ends[0], '00:30')
  t.equal(ends.at(-1), '24:00')
  t.equal(timeChoices(15).length, 96)
  t.same(formPathOf('body/weekly/mon'), ['weekly', 'mon'])
  t.same(formPathOf('body/overrides/2/date'), ['overrides', 2, 'date'])
  t.equal(formPathOf('querystring/tz'), null)
})
