import t from 'tap'
import { MATCHING_LIMITS, type TimeWindow } from '@sunbae/contracts'
import { ApiError, toApiError } from '../src/lib/errors.ts'
import { nextWindow, normaliseWindows, timeOptions, timeZoneOptions, validateWindows, weeklyHours, windowErrorsFrom } from '../src/lib/time-windows.ts'

const w = (day: TimeWindow['day'], start: string, end: string): TimeWindow => ({ day, start, end })

t.test('valid windows pass, including one that ends at midnight', async (t) => {
  t.same(validateWindows([]), [])
  t.same(validateWindows([w('tue', '19:00', '21:00'), w('sat', '22:00', '24:00'), w('sun', '00:00', '01:30')]), [])
})

t.test('a malformed time or an end not after its start is refused on its row', async (t) => {
  t.same(validateWindows([w('mon', '9:00', '10:00')]), [{ index: 0, problem: 'start' }])
  t.same(validateWindows([w('mon', '24:00', '24:00')]), [{ index: 0, problem: 'start' }], 'a start cannot be 24:00')
  t.same(validateWindows([w('mon', '09:00', '10:60')]), [{ index: 0, problem: 'end' }])
  t.same(validateWindows([w('mon', '09:00', '25:00')]), [{ index: 0, problem: 'end' }])
  t.same(validateWindows([w('mon', '10:00', '10:00'), w('tue', '09:00', '10:00'), w('wed', '23:00', '01:00')]), [
    { index: 0, problem: 'order' },
    { index: 2, problem: 'order' },
  ], 'equal times and windows across midnight (the server wants them split) are both refused')
})

t.test('more windows than the API takes are refused, counted after merging', async (t) => {
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
  const many = Array.from({ length: MATCHING_LIMITS.timeWindows + 1 }, (_, i) => w(days[i % 7]!, `${String(Math.floor(i / 7) * 3).padStart(2, '0')}:00`, `${String(Math.floor(i / 7) * 3 + 1).padStart(2, '0')}:00`))
  t.same(validateWindows(many), [{ index: MATCHING_LIMITS.timeWindows, problem: 'tooMany' }])
  // the same number of rows, but two of them overlap: after merging they fit
  const merged = [...many.slice(0, MATCHING_LIMITS.timeWindows), w('mon', '00:30', '01:30')]
  t.same(validateWindows(merged), [])
})

t.test('normalising sorts by weekday then time and merges overlapping or touching windows of a day', async (t) => {
  t.same(
    normaliseWindows([w('sun', '10:00', '12:00'), w('tue', '20:00', '22:00'), w('mon', '09:00', '10:00'), w('tue', '19:00', '21:00'), w('tue', '22:00', '23:00'), w('tue', '08:00', '09:00')]),
    [w('mon', '09:00', '10:00'), w('tue', '08:00', '09:00'), w('tue', '19:00', '23:00'), w('sun', '10:00', '12:00')],
  )
  t.same(normaliseWindows([w('wed', '10:00', '18:00'), w('wed', '11:00', '12:00')]), [w('wed', '10:00', '18:00')], 'a window inside another disappears')
  t.same(normaliseWindows([w('wed', '10:00', '11:00'), w('wed', '10:00', '11:00')]), [w('wed', '10:00', '11:00')], 'duplicates become one')
  t.same(normaliseWindows([w('fri', '23:00', '24:00'), w('sat', '00:00', '01:00')]), [w('fri', '23:00', '24:00'), w('sat', '00:00', '01:00')], 'different days never merge')
  const input = [w('tue', '19:00', '21:00'), w('tue', '20:00', '22:00')]
  normaliseWindows(input)
  t.same(input, [w('tue', '19:00', '21:00'), w('tue', '20:00', '22:00')], 'the input is not changed')
})

t.test('weekly hours, the next row, and the offered times', async (t) => {
  t.equal(weeklyHours([w('tue', '19:00', '21:00'), w('tue', '20:00', '22:30'), w('sat', '10:00', '11:00')]), 4.5)
  t.same(nextWindow([]), w('mon', '19:00', '21:00'))
  t.same(nextWindow([w('sun', '07:00', '08:00')]), w('mon', '07:00', '08:00'), 'after Sunday comes Monday')
  const starts = timeOptions('start')
  t.equal(starts[0], '00:00')
  t.equal(starts.at(-1), '23:30')
  t.equal(starts.length, 48)
  const ends = timeOptions('end')
  t.equal(ends[0], '00:30')
  t.equal(ends.at(-1), '24:00')
  t.same(timeOptions('start', '19:05').slice(38, 41), ['19:00', '19:05', '19:30'], 'a saved odd time stays selectable, in order')
  t.notOk(timeOptions('start', 'garbage').includes('garbage'))
})

t.test("the server's validation details land on their row", async (t) => {
  const err = toApiError(400, {
    error: {
      code: 'VALIDATION_FAILED',
      message: 'The request is invalid',
      details: [
        { field: 'body/timeWindows/2', message: 'end must be after start (split a window that crosses midnight)' },
        { field: 'body/timeWindows/0/start', message: 'must match pattern' },
        { field: 'body/timeWindows/0/end', message: 'must match pattern' },
        { field: 'body/timeWindows', message: 'must NOT have more than 21 items' },
        { field: 'body/timezone', message: 'must be an IANA time zone' },
      ],
    },
  })
  const rows = windowErrorsFrom(err)
  t.same([...rows.keys()].sort(), [-1, 0, 2])
  t.equal(rows.get(2), 'end must be after start (split a window that crosses midnight)')
  t.equal(rows.get(0), 'start: must match pattern · end: must match pattern')
  t.equal(rows.get(-1), 'must NOT have more than 21 items')
  t.equal(windowErrorsFrom(new Error('boom')).size, 0, 'anything but an API error has no rows')
  t.equal(windowErrorsFrom(new ApiError(500, { code: 'INTERNAL', message: 'x' })).size, 0)
  t.equal(windowErrorsFrom(toApiError(400, { error: { code: 'X', message: 'y', details: [{ field: 'body/timeWindowsX/1', message: 'z' }] } })).size, 0, 'only this field')
})

t.test('time zones: the IANA list, with the current value kept in the options', async (t) => {
  const opts = timeZoneOptions('Asia/Seoul')
  t.ok(opts.includes('Asia/Seoul'))
  t.ok(opts.includes('UTC'))
  t.equal(timeZoneOptions('Legacy/Zone')[0], 'Legacy/Zone')
})
