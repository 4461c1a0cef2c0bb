import type { FastifyBaseLogger } from 'fastify'
import { PaymentEvents, type ErrorReportV1, type PaymentState } from '@sunbae/contracts'
import { fingerprint } from '@sunbae/service-kit'
import type { ChargeResult } from '../providers/provider.ts'
import { refundEntries } from './ledger.ts'
import { about, base, iso, SYSTEM, type Events, type PaymentDeps, type PaymentPolicy, type PaymentsService, type Repositories } from './payments.service.ts'
import type { PaymentRow } from './payments.table.ts'
import type { RefundRow } from './refunds.table.ts'
import { assertMove } from './state.ts'

/**
 * The worker's side (what `jobs.ts` runs): reconciliation of payments stuck waiting on the provider,
 * the provider cancels and refunds queued by the other entry points, and the purge of webhook
 * windows. Each works row by row, in a transaction per row: one that throws is reported and the rest
 * go on.
 */
export class PaymentJobs {
  readonly #repos: Repositories
  readonly #payments: PaymentsService
  readonly #events: Events
  readonly #abandonMs: number
  readonly #wakeWorker: () => void
  readonly #log: FastifyBaseLogger
  /** where errors of background work go (the platform points it at tracking's `telemetry.error`) */
  onError: (report: ErrorReportV1) => void = () => {}

  constructor(deps: PaymentDeps, policy: Pick<PaymentPolicy, 'abandonMs'>) {
    ;({ repos: this.#repos, payments: this.#payments, events: this.#events, wakeWorker: this.#wakeWorker, log: this.#log } = deps)
    this.#abandonMs = policy.abandonMs
  }

  /**
   * Runs pending refunds through the provider (idempotent by refund id), then books them — each on
   * its own: one that throws is reported and retried next time, the others go on.
   */
  async runPendingRefunds(limit: number): Promise<number> {
    let done = 0
    for (const r of await this.#repos.refunds.pending(limit)) {
      try {
        if (await this.#runRefund(r)) done++
      } catch (err) {
        this.reportError(err, 'refund', r.payment_id, { refundId: r.id })
      }
    }
    if (done > 0) this.#events.flushSoon()
    return done
  }

  async #runRefund(r: RefundRow): Promise<boolean> {
    const payment = await this.#repos.payments.findById(r.payment_id)
    if (!payment) return false
    let providerRef: string
    try {
      ;({ providerRef } = await this.#payments
        .providerOf(payment)
        .refund({ reference: payment.id, providerRef: payment.provider_ref, refundId: r.id, amount: r.amount, currency: payment.currency }))
    } catch (err) {
      this.#log.error({ err, refundId: r.id, paymentId: payment.id }, 'refund failed at the provider; will retry')
      return false
    }
    return this.#repos.transactions.run(async (tx) => {
      const row = await this.#repos.payments.lock(payment.id, tx)
      const refund = await this.#repos.refunds.lockPending(r.id, tx)
      if (!row || !refund) return false
      const total = row.refunded_amount + refund.amount
      const state: PaymentState = total === row.amount ? 'refunded' : 'partially_refunded'
      assertMove(row.state as PaymentState, state)
      const moved = await this.#repos.payments.move(row, { state, refunded_amount: total }, tx)
      await this.#repos.refunds.succeeded(refund.id, providerRef, tx)
      await this.#repos.ledger.append(refundEntries(moved, row.refunded_amount, refund.amount), tx)
      await this.#events.publish(
        tx,
        PaymentEvents.refunded,
        { ...base(moved), refundId: refund.id, refundAmount: refund.amount, refundedTotal: total, state, reason: refund.reason, refundedAt: iso(moved.updated_at) },
        { actor: SYSTEM, subject: about(moved) },
      )
      return true
    })
  }

  /**
   * Tells providers about payments cancelled here while the payer could still complete them (each
   * on its own). A charge that completed first is booked and refunded; one still moving is asked
   * about again next time.
   */
  async runPendingCancels(limit: number): Promise<number> {
    let done = 0
    for (const row of await this.#repos.payments.pendingCancels(limit)) {
      // a provider this replica does not have (a rolling deploy) is another replica's to tell
      if (!this.#payments.hasProvider(row.provider)) continue
      try {
        const result = await this.#payments.providerOf(row).cancel({ reference: row.id, providerRef: row.provider_ref })
        const applied = await this.#repos.transactions.run(async (tx) => {
          if (result?.status === 'succeeded') return this.#payments.applyOutcome(tx, row.id, result, SYSTEM)
          if (result && result.status !== 'failed') return { changed: false, queued: false }
          return { changed: await this.#repos.payments.cancelDone(row.id, tx), queued: false }
        })
        if (applied.queued) this.#wakeWorker()
        if (applied.changed) done++
      } catch (err) {
        this.reportError(err, 'provider cancel', row.id)
      }
    }
    if (done > 0) this.#events.flushSoon()
    return done
  }

  /**
   * Asks the provider about payments stuck waiting on it (a lost webhook, a crash mid-request), row
   * by row: a provider that does not answer (or is not configured here) is asked again next time; a
   * row whose answer cannot be applied (it throws) moves to needs_review, is reported to tracking,
   * and the rest go on.
   */
  async reconcile(olderThanMs: number, limit: number): Promise<{ settled: number; needsReview: number }> {
    let settled = 0
    let needsReview = 0
    for (const row of await this.#repos.payments.stuck(olderThanMs, limit)) {
      try {
        if (await this.#reconcileOne(row)) settled++
      } catch (err) {
        this.reportError(err, 'reconciliation', row.id)
        if (await this.#toReview(row, err)) needsReview++
      }
    }
    if (settled + needsReview > 0) this.#events.flushSoon()
    return { settled, needsReview }
  }

  async #reconcileOne(row: PaymentRow): Promise<boolean> {
    let result: ChargeResult | null
    try {
      // a provider this replica does not have (a rolling deploy) is another replica's to ask
      result = await this.#payments.providerOf(row).retrieve(row.id)
    } catch (err) {
      this.#log.warn({ err, paymentId: row.id }, 'reconciliation: the provider did not answer')
      return false
    }
    const applied = await this.#repos.transactions.run(async (tx) => {
      if (result) return this.#payments.applyOutcome(tx, row.id, result, SYSTEM)
      const unchanged = { changed: false, queued: false }
      if (row.state !== 'processing' || Date.now() - new Date(row.updated_at).getTime() < this.#abandonMs) return unchanged
      const locked = await this.#repos.payments.lock(row.id, tx)
      if (locked?.state !== 'processing' || locked.updated_at.getTime() !== new Date(row.updated_at).getTime()) return unchanged
      const moved = await this.#repos.payments.move(locked, { state: 'failed', failure_reason: 'provider_no_record' }, tx)
      await this.#events.publish(tx, PaymentEvents.failed, { ...base(moved), reason: 'provider_no_record', failedAt: iso(moved.updated_at) }, { actor: SYSTEM, subject: about(moved) })
      return { changed: true, queued: false }
    })
    if (applied.queued) this.#wakeWorker()
    if (applied.changed) this.#log.info({ paymentId: row.id, status: result?.status ?? 'no_record' }, 'reconciliation settled a payment')
    return applied.changed
  }

  /** A payment reconciliation cannot settle waits for an admin (unless it moved meanwhile). */
  async #toReview(row: PaymentRow, err: unknown): Promise<boolean> {
    try {
      return await this.#repos.transactions.run(async (tx) => {
        const locked = await this.#repos.payments.lock(row.id, tx)
        if (!locked || locked.state !== row.state || locked.updated_at.getTime() !== new Date(row.updated_at).getTime()) return false
        const moved = await this.#repos.payments.move(locked, { state: 'needs_review', failure_reason: 'reconciliation_error' }, tx)
        const error = err instanceof Error ? err.message : String(err)
        await this.#events.publish(
          tx,
          PaymentEvents.needsReview,
          { ...base(moved), fromState: row.state, error: error.slice(0, 500), at: iso(moved.updated_at) },
          { actor: SYSTEM, subject: about(moved) },
        )
        return true
      })
    } catch (e) {
      this.#log.error({ err: e, paymentId: row.id }, 'reconciliation: could not move the payment to needs_review')
      return false
    }
  }

  purgeWebhookWindows(): Promise<number> {
    return this.#repos.webhooks.purgeWindows()
  }

  /** Background work that failed: logged, and reported to tracking (`telemetry.error`) like a 5xx. */
  reportError(err: unknown, what: string, paymentId: string | null, extra: Record<string, string> = {}): void {
    const e = err instanceof Error ? err : new Error(String(err))
    this.#log.error({ err: e, paymentId, ...extra }, `${what} failed`)
    try {
      this.onError({
        service: 'payment',
        requestId: null,
        traceId: null,
        route: `worker:${what}`,
        method: null,
        status: 500,
        code: 'PAYMENT_WORKER_FAILED',
        message: `${what}${paymentId ? ` of payment ${paymentId}` : ''}: ${e.message}`.slice(0, 2000),
        stack: e.stack ?? null,
        fingerprint: fingerprint(e),
        occurredAt: new Date().toISOString(),
      })
    } catch (sinkErr) {
      this.#log.warn({ err: sinkErr }, 'could not report error')
    }
  }
}
