import t from 'tap'
import { blockOf, computeSlots, inZone, localDate, type Schedule, type Span } from '../src/availability/slots.ts'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

function schedule(over: Partial<Schedule> = {}): Schedule {
  return {
    timezone: 'America/New_York',
    weekly: {},
    overrides: [],
    slotIntervalMin: null,
    bufferBeforeMin: 0,
    bufferAfterMin: 0,
    minNoticeMin: 0,
    horizonDays: 365,
    maxPerDay: null,
    ...over,
  }
}
const everyDay = (start: string, end: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]]))

const slots = (s: Schedule, from: string, to: string, extra: { durationMin?: number; now?: string; busy?: Span[]; perDay?: Map<string, number> } = {}) =>
  computeSlots(s, {
    from: at(from),
    to: at(to),
    durationMin: extra.durationMin ?? 60,
    now: at(extra.now ?? '2026-01-01T00:00:00Z'),
    busy: extra.busy ?? [],
    ...(extra.perDay ? { perDay: extra.perDay } : {}),
  }).map(iso)

t.test('America/New_York spring-forward week (2026-03-08): 09:00 local is 14:00Z before, 13:00Z after', async (t) => {
  const s = schedule({ weekly: everyDay('09:00', '11:00') })
  const got = slots(s, '2026-03-06T00:00:00Z', '2026-03-11T00:00:00Z')
  t.same(got, [
    '2026-03-06T14:00:00.000Z', '2026-03-06T15:00:00.000Z', // Fri, EST (-5)
    '2026-03-07T14:00:00.000Z', '2026-03-07T15:00:00.000Z', // Sat, EST
    '2026-03-08T13:00:00.000Z', '2026-03-08T14:00:00.000Z', // Sun, EDT (-4) from 02:00 that morning
    '2026-03-09T13:00:00.000Z', '2026-03-09T14:00:00.000Z',
    '2026-03-10T13:00:00.000Z', '2026-03-10T14:00:00.000Z',
  ])
})

t.test('spring-forward night: a 01:00–04:00 window is two real hours, and 02:xx never appears', async (t) => {
  const s = schedule({ overrides: [{ date: '2026-03-08', windows: [{ start: '01:00', end: '04:00' }] }] })
  const got = slots(s, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z')
  t.same(got, ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z'])
  t.same(got.map((x) => inZone(at(x), 'America/New_York')), ['2026-03-08T01:00:00.000-05:00', '2026-03-08T03:00:00.000-04:00'])
  // 30-minute sessions every 30 minutes: 01:00, 01:30, 03:00, 03:30 local
  const half = slots(s, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', { durationMin: 30 }).map((x) => inZone(at(x), 'America/New_York').slice(11, 16))
  t.same(half, ['01:00', '01:30', '03:00', '03:30'])
})

t.test('fall-back night (2026-11-01): a 01:00–03:00 window is three real hours, 01:00 happens twice', async (t) => {
  const s = schedule({ overrides: [{ date: '2026-11-01', windows: [{ start: '01:00', end: '03:00' }] }] })
  const got = slots(s, '2026-10-31T00:00:00Z', '2026-11-02T00:00:00Z')
  t.same(got, ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z'])
  t.same(got.map((x) => inZone(at(x), 'America/New_York')), [
    '2026-11-01T01:00:00.000-04:00',
    '2026-11-01T01:00:00.000-05:00',
    '2026-11-01T02:00:00.000-05:00',
  ])
})

t.test('fall-back week: 09:00 local is 13:00Z before and 14:00Z after', async (t) => {
  const s = schedule({ weekly: { sat: [{ start: '09:00', end: '10:00' }], sun: [{ start: '09:00', end: '10:00' }], mon: [{ start: '09:00', end: '10:00' }] } })
  t.same(slots(s, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'), ['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z'])
})

t.test('Asia/Seoul (no DST) seen from New York: 19:00–21:00 KST is 10:00–12:00Z, the evening before in New York', async (t) => {
  const s = schedule({ timezone: 'Asia/Seoul', weekly: { tue: [{ start: '19:00', end: '21:00' }] } })
  // 2026-03-10 is a Tuesday; across New York's spring-forward nothing moves in UTC
  const got = slots(s, '2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z')
  t.same(got, ['2026-03-03T10:00:00.000Z', '2026-03-03T11:00:00.000Z', '2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z'])
  t.equal(inZone(at(got[0]!), 'America/New_York'), '2026-03-03T05:00:00.000-05:00')
  t.equal(inZone(at(got[2]!), 'America/New_York'), '2026-03-10T06:00:00.000-04:00')
  t.equal(localDate(at('2026-03-03T16:00:00Z'), 'Asia/Seoul'), '2026-03-04', 'a Seoul date starts at 15:00Z')
})

t.test('a window ending at 24:00 and overrides: extra hours, a day off', async (t) => {
  const s = schedule({
    timezone: 'Asia/Seoul',
    weekly: { mon: [{ start: '22:00', end: '24:00' }], tue: [{ start: '09:00', end: '10:00' }] },
    overrides: [
      { date: '2026-03-10', windows: [] }, // Tuesday off
      { date: '2026-03-14', windows: [{ start: '13:00', end: '14:00' }] }, // a Saturday with extra hours
    ],
  })
  t.same(slots(s, '2026-03-09T00:00:00Z', '2026-03-15T00:00:00Z'), ['2026-03-09T13:00:00.000Z', '2026-03-09T14:00:00.000Z', '2026-03-14T04:00:00.000Z'])
})

t.test('windows that touch across midnight are one stretch: a session may run past 24:00', async (t) => {
  const s = schedule({ timezone: 'Asia/Seoul', weekly: { mon: [{ start: '23:00', end: '24:00' }], tue: [{ start: '00:00', end: '01:00' }] }, slotIntervalMin: 30 })
  const got = slots(s, '2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z').map((x) => inZone(at(x), 'Asia/Seoul').slice(0, 16))
  t.same(got, ['2026-03-02T23:00', '2026-03-02T23:30', '2026-03-03T00:00'])
})

t.test('buffers keep a gap around existing bookings and the session itself', async (t) => {
  const s = schedule({ timezone: 'UTC', weekly: everyDay('09:00', '13:00'), slotIntervalMin: 30, bufferBeforeMin: 15, bufferAfterMin: 15 })
  const booked = blockOf(s, at('2026-03-02T10:30:00Z'), 60) // 10:15–11:45 blocked
  t.same([booked.start, booked.end].map(iso), ['2026-03-02T10:15:00.000Z', '2026-03-02T11:45:00.000Z'])
  const got = slots(s, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z', { busy: [booked] }).map((x) => x.slice(11, 16))
  // 09:00 (block 08:45–10:15) touches but does not overlap; 09:30 would end its after-buffer at 10:45
  // 12:00 (block 11:45–13:15) fits against the booking; 12:00 is the last start that ends by 13:00
  t.same(got, ['09:00', '12:00'])
})

t.test('minimum notice and the booking horizon', async (t) => {
  const s = schedule({ timezone: 'UTC', weekly: everyDay('09:00', '12:00'), minNoticeMin: 120, horizonDays: 2 })
  const got = slots(s, '2026-03-02T00:00:00Z', '2026-03-10T00:00:00Z', { now: '2026-03-02T08:30:00Z' })
  t.same(got, [
    // 09:00 and 10:00 are within two hours of 08:30
    '2026-03-02T11:00:00.000Z',
    '2026-03-03T09:00:00.000Z', '2026-03-03T10:00:00.000Z', '2026-03-03T11:00:00.000Z',
    // horizon: until 2026-03-04T08:30Z
  ])
})

t.test('maximum sessions per day closes a local day', async (t) => {
  const s = schedule({ timezone: 'Asia/Seoul', weekly: everyDay('09:00', '11:00'), maxPerDay: 2 })
  const perDay = new Map([['2026-03-03', 2], ['2026-03-04', 1]])
  const got = slots(s, '2026-03-03T00:00:00Z', '2026-03-05T00:00:00Z', { perDay })
  t.same(got, ['2026-03-04T00:00:00.000Z', '2026-03-04T01:00:00.000Z'], 'the 3rd is full, the 4th still open')
})

t.test('the query range bounds the starts', async (t) => {
  const s = schedule({ timezone: 'UTC', weekly: everyDay('09:00', '12:00') })
  t.same(slots(s, '2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z'), ['2026-03-02T10:00:00.000Z'])
  t.same(slots(s, '2026-03-02T12:00:00Z', '2026-03-02T10:00:00Z'), [])
})
