import type { FastifyBaseLogger } from 'fastify'
import type { BookingsService } from './bookings.service.ts'

export interface SweeperOptions {
  bookings: BookingsService
  intervalMs: number
  batchSize: number
  logger: FastifyBaseLogger
}

export interface SweepResult {
  released: number
  reminded: number
  completed: number
}

/**
 * Releases expired holds, sends due reminders and completes ended sessions, in every replica.
 * Replicas do not coordinate: each step claims its rows with FOR UPDATE SKIP LOCKED and writes the
 * state change and its event in one transaction, so each happens exactly once. A full batch is
 * followed at once by the next.
 */
export class Sweeper {
  readonly #o: SweeperOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<SweepResult> | null = null
  #stopped = false

  constructor(opts: SweeperOptions) {
    this.#o = opts
  }

  start(): void {
    this.#schedule(0)
  }

  async #drain(step: (limit: number) => Promise<number>): Promise<number> {
    let total = 0
    for (;;) {
      const n = await step(this.#o.batchSize)
      total += n
      if (n < this.#o.batchSize || this.#stopped) return total
    }
  }

  /** One sweep now (tests and the timer); concurrent calls in one process share the running one. */
  async sweep(): Promise<SweepResult> {
    if (this.#running) return this.#running
    const b = this.#o.bookings
    const run = (async () => ({
      released: await this.#drain((l) => b.releaseExpiredHolds(l)),
      reminded: await this.#drain((l) => b.sendDueReminders(l)),
      completed: await this.#drain((l) => b.completeEnded(l)),
    }))()
    this.#running = run.finally(() => (this.#running = null))
    return this.#running
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running?.catch(() => {})
  }

  #schedule(delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.sweep()
        .then((r) => {
          if (r.released + r.reminded + r.completed > 0) this.#o.logger.info(r, 'meeting sweep')
        })
        .catch((err: unknown) => this.#o.logger.error({ err }, 'meeting sweep failed; will retry'))
        .finally(() => this.#schedule(this.#o.intervalMs))
    }, delay)
    this.#timer.unref()
  }
}
