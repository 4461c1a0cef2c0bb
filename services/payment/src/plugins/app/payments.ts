import { enabledProviders, type configSchema } from '../../config.ts'
import { Transactions } from '@sunbae/db'
import { domainPlugin } from '@sunbae/service-kit'
import { paymentDatabase } from '../../db/database.ts'
import { Idempotency } from '../../idempotency/idempotency.service.ts'
import { IdempotencyRepository } from '../../idempotency/idempotency.repository.ts'
import { paymentJobs } from '../../jobs.ts'
import { BookingHandlers } from '../../payments/booking-handlers.service.ts'
import { BookingsRepository } from '../../payments/bookings.repository.ts'
import { LedgerRepository } from '../../payments/ledger.repository.ts'
import { PaymentCommands } from '../../payments/payment-commands.service.ts'
import { PaymentJobs } from '../../payments/payment-jobs.service.ts'
import { PaymentQueries } from '../../payments/payment-queries.service.ts'
import { PaymentsRepository } from '../../payments/payments.repository.ts'
import { PaymentsService, type Repositories } from '../../payments/payments.service.ts'
import { RefundsRepository } from '../../payments/refunds.repository.ts'
import { WebhooksRepository } from '../../payments/webhooks.repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** the rules every entry point shares */
    payments: PaymentsService
    /** what the routes ask: the payer's commands and the providers' webhooks */
    paymentCommands: PaymentCommands
    /** what the routes read */
    paymentQueries: PaymentQueries
    /** what the reconciler (`jobs.ts`) runs */
    paymentJobs: PaymentJobs
    /** what meeting's booking events do (`subscriptions.ts`) */
    bookingHandlers: BookingHandlers
    idempotency: Idempotency
  }
}

/** Payment's repositories and domain services, and the reconciler every replica runs (`jobs.ts`); `subscriptions.ts` feeds them meeting's events. */
export default domainPlugin<typeof configSchema>('payment', ['payment-providers'], (app, config) => {
  const db = paymentDatabase(app.db)
  const repos: Repositories = {
    transactions: new Transactions(db),
    payments: new PaymentsRepository(db),
    refunds: new RefundsRepository(db),
    bookings: new BookingsRepository(db),
    ledger: new LedgerRepository(),
    webhooks: new WebhooksRepository(db),
  }
  const policy = { feePercent: config.PAYMENT_PLATFORM_FEE_PERCENT, abandonMs: config.PAYMENT_RECONCILE_ABANDON_MS, providerTimeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS }
  // a refund or a provider cancel was queued and committed: the worker runs soon instead of at its next interval
  const wakeWorker = () => app.reconciler.soon()
  const payments = new PaymentsService(repos, app.events, app.providers, enabledProviders(config), policy)
  app.decorate('payments', payments)
  const deps = { repos, payments, events: app.events, wakeWorker, log: app.log.child({ component: 'payments' }) }
  app.decorate('paymentCommands', new PaymentCommands(deps, policy))
  app.decorate('paymentQueries', new PaymentQueries(payments, repos.payments, {
    // public by design: the web's Stripe.js and Toss widget are drawn with them
    stripe: config.STRIPE_PUBLISHABLE_KEY ?? null,
    toss: config.TOSS_CLIENT_KEY ?? null,
  }))
  const jobs = new PaymentJobs(deps, policy)
  // background work (reconciliation, refunds, provider cancels) reports its errors like a 5xx
  jobs.onError = (report) => app.errorSink.send(report)
  app.decorate('paymentJobs', jobs)
  app.decorate(
    'idempotency',
    new Idempotency(new IdempotencyRepository(db), {
      ttlHours: config.PAYMENT_IDEMPOTENCY_TTL_HOURS,
      waitMs: config.PAYMENT_IDEMPOTENCY_WAIT_MS,
      leaseMs: config.PAYMENT_IDEMPOTENCY_LEASE_MS,
    }),
  )

  paymentJobs(app, jobs, app.idempotency, config)

  app.decorate('bookingHandlers', new BookingHandlers(repos, payments))
})
