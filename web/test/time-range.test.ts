import t from 'tap'
import { parseTimeRange, resolveTimeRange, timeRangeParams, withTimeRange } from '../src/lib/time-range.ts'

const parse = (q: string) => parseTimeRange(new URLSearchParams(q))

t.test('no range in the URL is the page default', async (t) => {
  t.same(parse(''), { preset: '24h' })
  t.same(parseTimeRange(new URLSearchParams('tab=audit'), '7d'), { preset: '7d' })
})

t.test('a preset and a fixed window survive the round trip, the rest of the query kept', async (t) => {
  const base = new URLSearchParams('tab=users&q=kim')
  const week = withTimeRange(base, { preset: '7d' })
  t.equal(week.toString(), 'tab=users&q=kim&range=7d')
  t.same(parseTimeRange(week), { preset: '7d' })
  const fixed = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-08T00:00:00.000Z' }
  const url = withTimeRange(week, fixed)
  t.notOk(url.has('range'), 'a fixed window replaces the preset')
  t.same(parseTimeRange(url), fixed)
  t.equal(url.get('tab'), 'users')
  t.equal(withTimeRange(url, { preset: '24h' }).toString(), 'tab=users&q=kim&range=24h', 'a preset is written even when it is a default (pages differ in theirs)')
})

t.test('hand-edited URLs fall back, never throw', async (t) => {
  t.same(parse('range=1y'), { preset: '24h' }, 'unknown preset')
  t.same(parse('from=yesterday&to=2026-10-01T00:00:00Z'), { preset: '24h' }, 'unparseable bound')
  t.same(parse('from=2026-10-08T00:00:00Z&to=2026-10-01T00:00:00Z&range=30d'), { preset: '30d' }, 'from after to: the preset')
  t.same(parse('from=1970-01-01T00:00:00Z&to=2026-10-01T00:00:00Z'), { preset: '24h' }, 'out of bounds')
  t.same(parse(`from=${'9'.repeat(100)}&to=2026-10-01T00:00:00Z`), { preset: '24h' }, 'oversized')
  t.same(parse('from=2026-10-01&to=2026-10-02'), { from: '2026-10-01T00:00:00.000Z', to: '2026-10-02T00:00:00.000Z' }, 'dates are canonicalised')
})

t.test('a preset resolves to a window ending now', async (t) => {
  const now = Date.UTC(2026, 11, 7, 12)
  t.same(resolveTimeRange({ preset: '7d' }, now), { from: '2026-11-30T12:00:00.000Z', to: '2026-12-07T12:00:00.000Z' })
  t.same(resolveTimeRange({ preset: '24h' }, now), { from: '2026-12-06T12:00:00.000Z', to: '2026-12-07T12:00:00.000Z' })
  const fixed = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-08T00:00:00.000Z' }
  t.same(resolveTimeRange(fixed, now), fixed)
})

t.test('only the range keys are carried over to another tab', async (t) => {
  t.equal(timeRangeParams(new URLSearchParams('tab=audit&range=30d&q=x')).toString(), 'range=30d')
})
