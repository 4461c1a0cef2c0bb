import type { FastifyBaseLogger } from 'fastify'
import type { PaymentsService } from './payments.service.ts'
import type { Idempotency } from '../idempotency/idempotency.ts'

export interface ReconcilerOptions {
  payments: PaymentsService
  idempotency: Idempotency
  intervalMs: number
  /** processing for longer than this: ask the provider */
  afterMs: number
  batchSize: number
  logger: FastifyBaseLogger
}

export interface ReconcileResult {
  settled: number
  refunded: number
  keysPurged: number
}

/**
 * Every replica, every interval: asks the provider about payments stuck waiting on it (a lost
 * webhook, a crash between the provider's answer and our commit), runs pending refunds, and drops
 * expired idempotency keys. Each effect is a conditional move of a locked row, so replicas racing
 * each other (or a webhook) apply it once. `kick()` runs it soon (a refund was just queued).
 */
export class Reconciler {
  readonly #o: ReconcilerOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<ReconcileResult> | null = null
  #again = false
  #stopped = false

  constructor(opts: ReconcilerOptions) {
    this.#o = opts
  }

  start(): void {
    this.#schedule(0)
  }

  /** One pass now (tests and the timer); a call during a pass runs one more pass after it. */
  async run(): Promise<ReconcileResult> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    const { payments, idempotency, afterMs, batchSize } = this.#o
    const pass = (async () => {
      const total: ReconcileResult = { settled: 0, refunded: 0, keysPurged: 0 }
      do {
        this.#again = false
        total.settled += await payments.reconcile(afterMs, batchSize)
        total.refunded += await payments.runPendingRefunds(batchSize)
        total.keysPurged += await idempotency.purgeExpired()
      } while (this.#again && !this.#stopped)
      return total
    })()
    this.#running = pass.finally(() => (this.#running = null))
    return this.#running
  }

  /** Soon, outside the caller's transaction (which must commit first for the work to be seen). */
  kick(): void {
    if (this.#stopped) return
    setTimeout(() => void this.run().catch((err: unknown) => this.#o.logger.error({ err }, 'reconciliation failed')), 50).unref()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running?.catch(() => {})
  }

  #schedule(delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.run()
        .then((r) => {
          if (r.settled + r.refunded > 0) this.#o.logger.info(r, 'payment reconciliation')
        })
        .catch((err: unknown) => this.#o.logger.error({ err }, 'payment reconciliation failed; will retry'))
        .finally(() => this.#schedule(this.#o.intervalMs))
    }, delay)
    this.#timer.unref()
  }
}
