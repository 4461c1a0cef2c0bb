/**
 * Nearest-rank percentile of ascending `sorted` values: the smallest value with at least p % of the
 * values at or below it (p50 of [1, 2, 3, 4] is 2, p99 of 100 values the 99th). NaN when empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p}: must be in (0, 100]`)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Ascending copy. */
export const ascending = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b)

/** Median, lowest and highest of one figure over rounds (the spread a README states). */
export function spread(values: readonly number[]): { median: number; min: number; max: number } {
  const s = ascending(values)
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN }
  const mid = Math.floor(s.length / 2)
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! }
}

/**
 * Latencies from start to end times joined by key: `ends` maps an item to its key and end time,
 * `starts` a key to its start. Items whose key has no start are counted as `unmatched`.
 */
export function latencies<K>(starts: ReadonlyMap<K, number>, ends: Iterable<readonly [K, number]>): { sorted: number[]; unmatched: number } {
  const out: number[] = []
  let unmatched = 0
  for (const [key, end] of ends) {
    const start = starts.get(key)
    if (start === undefined) unmatched++
    else out.push(end - start)
  }
  return { sorted: ascending(out), unmatched }
}
