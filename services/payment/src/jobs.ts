import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { periodicJob, type PeriodicJob } from '@sunbae/service-kit'
import type { configSchema } from './config.ts'
import type { Idempotency } from './idempotency/idempotency.service.ts'
import type { PaymentJobs } from './payments/payment-jobs.service.ts'

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

declare module 'fastify' {
  interface FastifyInstance {
    /** `app.reconciler.run()`: one pass now (tests); `soon()` once a refund or a provider cancel queued by a transaction has committed */
    reconciler: PeriodicJob<ReconcileResult>
  }
}

/**
 * Payment's timers. Reconciliation, every replica, every interval: asks the provider about payments
 * stuck waiting on it (a lost webhook, a crash between the provider's answer and our commit), tells
 * providers about charges we cancelled, runs pending refunds, and drops expired idempotency keys and
 * webhook windows. Each effect is a conditional move of a locked row, so replicas racing each other
 * (or a webhook) apply it once. The steps are independent: each works row by row, and a step that
 * fails as a whole is reported and does not keep the next ones (refunds above all) from running.
 */
export function paymentJobs(app: FastifyInstance, payments: PaymentJobs, idempotency: Idempotency, config: Static<typeof configSchema>): void {
  const afterMs = config.PAYMENT_RECONCILE_AFTER_MS
  const batch = 100
  const reconciler = periodicJob<ReconcileResult>(app, {
    name: 'payment reconciliation',
    intervalMs: config.PAYMENT_RECONCILE_INTERVAL_MS,
    logger: app.log.child({ component: 'reconciler' }),
    pass: async () => {
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
      const r = await step('reconciliation', () => payments.reconcile(afterMs, batch))
      total.settled += r?.settled ?? 0
      total.needsReview += r?.needsReview ?? 0
      total.cancelled += (await step('provider cancels', () => payments.runPendingCancels(batch))) ?? 0
      total.refunded += (await step('refunds', () => payments.runPendingRefunds(batch))) ?? 0
      total.keysPurged += (await step('idempotency key purge', () => idempotency.purgeExpired())) ?? 0
      await step('webhook window purge', () => payments.purgeWebhookWindows())
      return total
    },
    merge: (a, b) => ({
      settled: a.settled + b.settled,
      needsReview: a.needsReview + b.needsReview,
      cancelled: a.cancelled + b.cancelled,
      refunded: a.refunded + b.refunded,
      keysPurged: a.keysPurged + b.keysPurged,
      failedSteps: [...a.failedSteps, ...b.failedSteps],
    }),
    report: (r, log) => {
      if (r.settled + r.needsReview + r.cancelled + r.refunded > 0 || r.failedSteps.length > 0) log.info(r, 'payment reconciliation')
    },
  })
  app.decorate('reconciler', reconciler)
}
