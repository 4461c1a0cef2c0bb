/**
 * One value per period, shared by every caller (the public trending list): `get()` answers the value
 * computed less than `periodMs` ago; otherwise it starts one computation, and every caller that
 * arrives while it runs waits for that same one (single flight). So the public route costs at most
 * one aggregation per period per replica, however many clients ask.
 *
 * The period counts from when a computation *started*, so two computations start at least
 * `periodMs` apart. A failed computation is not kept: the next caller starts a new one.
 * `invalidate()` (a term was hidden) drops the value at once, and a computation already running is
 * neither joined nor kept (it may have read the term before it was hidden).
 */
export class TrendingCache<T> {
  readonly #compute: (at: number) => Promise<T>
  readonly #periodMs: number
  readonly #now: () => number
  #value: { at: number; value: T } | undefined
  #flight: Promise<T> | undefined
  #generation = 0
  /** computations started: the seam tests (and an operator's debugger) read */
  computations = 0

  constructor(compute: (at: number) => Promise<T>, periodMs: number, now: () => number = Date.now) {
    this.#compute = compute
    this.#periodMs = periodMs
    this.#now = now
  }

  get(): Promise<T> {
    const now = this.#now()
    if (this.#value && now - this.#value.at < this.#periodMs) return Promise.resolve(this.#value.value)
    if (this.#flight) return this.#flight
    const generation = this.#generation
    this.computations++
    const flight = this.#compute(now).then(
      (value) => {
        if (generation === this.#generation) this.#value = { at: now, value }
        return value
      },
    )
    this.#flight = flight
    // cleared whichever way it ends; a newer flight (after invalidate) is left alone
    const clear = () => {
      if (this.#flight === flight) this.#flight = undefined
    }
    flight.then(clear, clear)
    return flight
  }

  invalidate(): void {
    this.#generation++
    this.#value = undefined
    this.#flight = undefined
  }
}
