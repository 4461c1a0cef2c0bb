import type { FastifyBaseLogger } from 'fastify'
import type { RequestsService } from './requests.service.ts'

export interface SweeperOptions {
  requests: RequestsService
  intervalMs: number
  batchSize: number
  logger: FastifyBaseLogger
}

/**
 * Expires overdue requests, in every replica. Replicas do not coordinate: each sweep claims its rows
 * with FOR UPDATE SKIP LOCKED and re-checks the state in the same UPDATE, so a request is expired
 * — and its event written — by exactly one of them. A full batch is followed at once by the next.
 */
export class ExpirySweeper {
  readonly #o: SweeperOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | null = null
  #stopped = false
  expired = 0

  constructor(opts: SweeperOptions) {
    this.#o = opts
  }

  start(): void {
    this.#schedule(0)
  }

  /** One sweep now (tests, and the interval). Resolves with the number expired by this call. */
  async sweep(): Promise<number> {
    if (this.#running) await this.#running
    let total = 0
    const run = (async () => {
      for (;;) {
        const n = await this.#o.requests.expireDue(this.#o.batchSize)
        total += n
        if (n < this.#o.batchSize || this.#stopped) return
      }
    })()
    this.#running = run.finally(() => (this.#running = null))
    await this.#running
    this.expired += total
    return total
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }

  #schedule(delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.sweep()
        .then((n) => {
          if (n > 0) this.#o.logger.info({ expired: n }, 'expired overdue requests')
        })
        .catch((err: unknown) => this.#o.logger.error({ err }, 'expiry sweep failed; will retry'))
        .finally(() => this.#schedule(this.#o.intervalMs))
    }, delay)
    this.#timer.unref()
  }
}
