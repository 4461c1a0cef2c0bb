/**
 * Fixed-window request counter, synchronous and allocation-free on the hot path (one Map lookup).
 * Windows are aligned to the clock, so a client can burst up to 2×max across a window boundary —
 * acceptable for abuse protection, and the price of not keeping a timestamp per request.
 */
export class FixedWindowLimiter {
  readonly max: number
  readonly windowMs: number
  readonly maxKeys: number
  private windowStart = 0
  private counts = new Map<string, number>()
  /** keys that passed unchecked because the window already tracked maxKeys */
  saturated = 0

  constructor(opts: { max: number; windowMs: number; maxKeys: number }) {
    this.max = opts.max
    this.windowMs = opts.windowMs
    this.maxKeys = opts.maxKeys
  }

  /** Counts a request for `key`: 0 when it may pass, else the seconds until the window resets (≥ 1). */
  hit(key: string, now = Date.now()): number {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs)
      this.counts = new Map()
    }
    const count = (this.counts.get(key) ?? 0) + 1
    if (count === 1 && this.counts.size >= this.maxKeys) {
      this.saturated++
      return 0
    }
    this.counts.set(key, count)
    if (count <= this.max) return 0
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - now) / 1000))
  }
}
