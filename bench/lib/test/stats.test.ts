import t from 'tap'
import { ascending, latencies, percentile, spread } from '../stats.ts'

t.test('percentile: nearest rank', async (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1)
  t.equal(percentile(hundred, 50), 50)
  t.equal(percentile(hundred, 95), 95)
  t.equal(percentile(hundred, 99), 99)
  t.equal(percentile(hundred, 100), 100)
  t.equal(percentile([1, 2, 3, 4], 50), 2)
  t.equal(percentile([7], 99), 7)
  t.equal(percentile([1, 2], 1), 1)
  t.ok(Number.isNaN(percentile([], 50)))
  t.throws(() => percentile([1], 0), RangeError)
  t.throws(() => percentile([1], 101), RangeError)
  t.throws(() => percentile([1], NaN), RangeError)
})

t.test('spread: median (mean of the middle two when even), min, max; input untouched', async (t) => {
  const rounds = [310, 250, 290]
  t.same(spread(rounds), { median: 290, min: 250, max: 310 })
  t.same(rounds, [310, 250, 290])
  t.same(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 })
  t.same(ascending(new Set([3, 1, 2])), [1, 2, 3])
  t.ok(Number.isNaN(spread([]).median))
})

t.test('latencies: joined by key, ascending; ends without a start are counted, not guessed', async (t) => {
  const starts = new Map([
    ['a', 1_000],
    ['b', 1_100],
  ])
  const r = latencies(starts, [
    ['b', 1_400],
    ['a', 1_050],
    ['a', 1_900],
    ['x', 2_000],
  ])
  t.same(r.sorted, [50, 300, 900])
  t.equal(r.unmatched, 1)
})
