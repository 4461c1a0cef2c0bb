import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Static, TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { BookingCancelledV1, BookingConfirmedV1, BookingHeldV1, BookingReleasedV1, MeetingEvents, STREAMS, type DomainEvent } from '@sunbae/contracts'
import { DEMO_SECRETS } from '@sunbae/service-kit'
import { paymentProvider, type configSchema } from '../config.ts'
import type { DB } from '../db/types.ts'
import { Idempotency } from '../idempotency/idempotency.service.ts'
import { IdempotencyRepository } from '../idempotency/idempotency.repository.ts'
import { paymentJobs } from '../jobs.ts'
import { PaymentsService } from '../payments/payments.service.ts'
import type { PaymentProvider } from '../providers/provider.ts'
import { SandboxProvider } from '../providers/sandbox.ts'
import { SandboxRepository } from '../providers/sandbox.repository.ts'
import { StripeProvider } from '../providers/stripe.ts'
import { TossProvider } from '../providers/toss.ts'

declare module 'fastify' {
  interface FastifyInstance {
    payments: PaymentsService
    providers: Map<string, PaymentProvider>
    idempotency: Idempotency
  }
}

/** Durable consumer name (every replica shares it). */
export const DURABLES = { meeting: 'payment_meeting_bookings' } as const

/** A payload that breaks its contract: retrying cannot fix it, the consumer dead-letters it. */
function decode<T>(schema: TSchema, event: DomainEvent): T {
  if (!Value.Check(schema, event.data)) {
    const first = [...Value.Errors(schema, event.data)][0]
    throw new Error(`${event.type} payload is invalid: ${first ? `${first.instancePath} ${first.message}` : 'unknown'}`)
  }
  return event.data as T
}

/** Payment's providers and domain service, the consumer of meeting's bookings, and the reconciler every replica runs (`jobs.ts`). */
export default fp(
  async function payment(app: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
    const { config } = opts
    const db = app.db as Kysely<DB>
    const providers = new Map<string, PaymentProvider>()
    // Production has no sandbox at all (service.ts refuses it as the provider): its test cards and
    // its webhooks would settle payments no money was collected for.
    if (config.NODE_ENV !== 'production') {
      const sandbox = new SandboxProvider(new SandboxRepository(db), {
        webhookSecret: config.PAYMENT_SANDBOX_WEBHOOK_SECRET ?? DEMO_SECRETS.sandboxWebhook,
        toleranceSec: config.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
        latencyMs: config.PAYMENT_SANDBOX_LATENCY_MS,
        settleMs: config.PAYMENT_SANDBOX_SETTLE_MS,
      })
      providers.set(sandbox.name, sandbox)
    }
    if (config.STRIPE_SECRET_KEY && config.STRIPE_WEBHOOK_SECRET) {
      const stripe = new StripeProvider({
        secretKey: config.STRIPE_SECRET_KEY,
        webhookSecret: config.STRIPE_WEBHOOK_SECRET,
        toleranceSec: config.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
        apiUrl: config.STRIPE_API_URL,
        timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      })
      providers.set(stripe.name, stripe)
    }
    if (config.TOSS_SECRET_KEY) {
      const toss = new TossProvider({ secretKey: config.TOSS_SECRET_KEY, apiUrl: config.TOSS_API_URL, timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS })
      providers.set(toss.name, toss)
    }
    app.decorate('providers', providers)
    const payments = new PaymentsService(
      db,
      app.events,
      providers,
      paymentProvider(config),
      { feePercent: config.PAYMENT_PLATFORM_FEE_PERCENT, abandonMs: config.PAYMENT_RECONCILE_ABANDON_MS, providerTimeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS },
      app.log.child({ component: 'payments' }),
    )
    app.decorate('payments', payments)
    app.decorate(
      'idempotency',
      new Idempotency(new IdempotencyRepository(db), { ttlHours: config.PAYMENT_IDEMPOTENCY_TTL_HOURS, waitMs: config.PAYMENT_IDEMPOTENCY_WAIT_MS, leaseMs: config.PAYMENT_IDEMPOTENCY_LEASE_MS }),
    )

    paymentJobs(app, payments, app.idempotency, config)
    // background work (reconciliation, refunds, provider cancels) reports its errors like a 5xx
    payments.onError = (report) => app.errorSink.send(report)

    // one booking's events in the stream's order (held before released / cancelled)
    app.consumers.add({
      stream: STREAMS.meeting,
      durable: DURABLES.meeting,
      filterSubject: 'meeting.booking.>',
      handler: async (event: DomainEvent, { trx }) => {
        const t = event.type
        if (t === MeetingEvents.bookingHeld.type) await payments.onBookingHeld(decode(BookingHeldV1, event), trx)
        else if (t === MeetingEvents.bookingConfirmed.type) await payments.onBookingConfirmed(decode(BookingConfirmedV1, event), trx)
        else if (t === MeetingEvents.bookingReleased.type) await payments.onBookingReleased(decode(BookingReleasedV1, event), trx)
        else if (t === MeetingEvents.bookingCancelled.type) await payments.onBookingCancelled(decode(BookingCancelledV1, event), trx)
      },
    })
  },
  { name: 'payment', dependencies: ['sunbae-platform'] },
)
