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
  /** payments whose provider answer could not be applied, moved to needs_review */
  needsReview: number
  /** providers told to cancel a charge we gave up on */
  cancelled: number
  refunded: number
  keysPurged: number
  /** steps that failed as a whole (reported; the other steps ran) */
  failedSteps: string[]
}

/**
 * Every replica, every interval: asks the provider about payments stuck waiting on it (a lost
 * webhook, a crash between the provider's answer and our commit), tells providers about charges we
 * cancelled, runs pending refunds, and drops expired idempotency keys and webhook windows. Each
 * effect is a conditional move of a locked row, so replicas racing each other (or a webhook) apply
 * it once. The steps are independent: each works row by row, and a step that fails as a whole is
 * reported and does not keep the next ones (refunds above all) from running. `kick()` runs it soon
 * (a refund or a provider cancel was just queued).
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
      const total: ReconcileResult = { settled: 0, needsReview: 0, cancelled: 0, refunded: 0, keysPurged: 0, failedSteps: [] }
      const step = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await work()
        } catch (err) {
          total.failedSteps.push(name)
          payments.reportError(err, name, null)
          return undefined
        }
      }
      do {
        this.#again = false
        const r = await step('reconciliation', () => payments.reconcile(afterMs, batchSize))
        total.settled += r?.settled ?? 0
        total.needsReview += r?.needsReview ?? 0
        total.cancelled += (await step('provider cancels', () => payments.runPendingCancels(batchSize))) ?? 0
        total.refunded += (await step('refunds', () => payments.runPendingRefunds(batchSize))) ?? 0
        total.keysPurged += (await step('idempotency key purge', () => idempotency.purgeExpired())) ?? 0
        await step('webhook window purge', () => payments.purgeWebhookWindows())
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
          if (r.settled + r.needsReview + r.cancelled + r.refunded > 0 || r.failedSteps.length > 0) this.#o.logger.info(r, 'payment reconciliation')
        })
        .catch((err: unknown) => this.#o.logger.error({ err }, 'payment reconciliation failed; will retry'))
        .finally(() => this.#schedule(this.#o.intervalMs))
    }, delay)
    this.#timer.unref()
  }
}
