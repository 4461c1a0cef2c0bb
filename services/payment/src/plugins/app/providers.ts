import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { DEMO_SECRETS } from '@sunbae/service-kit'
import type { configSchema } from '../../config.ts'
import { paymentDatabase } from '../../db/database.ts'
import type { PaymentProvider } from '../../providers/provider.ts'
import { SandboxProvider } from '../../providers/sandbox.ts'
import { SandboxRepository } from '../../providers/sandbox.repository.ts'
import { StripeProvider } from '../../providers/stripe.ts'
import { TossProvider } from '../../providers/toss.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** the providers configured here, by name */
    providers: Map<string, PaymentProvider>
  }
}

/** The payment providers this replica can talk to: the sandbox (never in production), Stripe and Toss when their keys are set. */
export default fp(
  async function paymentProviders(app: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
    const { config } = opts
    const providers = new Map<string, PaymentProvider>()
    // Production has no sandbox at all (service.ts refuses it as the provider): its test cards and
    // its webhooks would settle payments no money was collected for.
    if (config.NODE_ENV !== 'production') {
      const sandbox = new SandboxProvider(new SandboxRepository(paymentDatabase(app.db)), {
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
  },
  { name: 'payment-providers', dependencies: ['sunbae-platform'] },
)
