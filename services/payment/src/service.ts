import type { ServiceDefinition } from '@sunbae/service-kit'
import { checkClientWaits, ConfigError } from '@sunbae/service-kit'
import { configSchema, enabledProviders } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'payment',
  version: pkg.version,
  description: 'Payments for bookings: intents, idempotency keys, webhooks, refunds and the ledger.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  checkConfig: (config) => {
    if (config.PAYMENT_PROVIDER && config.PAYMENT_PROVIDERS) {
      throw new ConfigError([{ variable: 'PAYMENT_PROVIDERS', message: 'set either PAYMENT_PROVIDERS (several) or PAYMENT_PROVIDER (one), not both' }])
    }
    const enabled = enabledProviders(config)
    if (config.NODE_ENV === 'production') {
      // the sandbox settles test cards (tok_success) without moving money: the ledger would book earnings never collected
      if (!config.PAYMENT_PROVIDER && !config.PAYMENT_PROVIDERS) throw new ConfigError([{ variable: 'PAYMENT_PROVIDER', message: 'is required in production (stripe or toss; several: PAYMENT_PROVIDERS)' }])
      if (enabled.includes('sandbox')) {
        const variable = config.PAYMENT_PROVIDERS ? 'PAYMENT_PROVIDERS' : 'PAYMENT_PROVIDER'
        throw new ConfigError([{ variable, message: 'sandbox is refused in production: it accepts test cards and collects no money; use stripe or toss' }])
      }
    }
    // waits a payer sits behind end before the gateway's 504 (the sandbox only exists outside production)
    checkClientWaits(config, {
      PAYMENT_IDEMPOTENCY_WAIT_MS: config.PAYMENT_IDEMPOTENCY_WAIT_MS,
      PAYMENT_PROVIDER_TIMEOUT_MS: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      ...(config.NODE_ENV === 'production' ? {} : { PAYMENT_SANDBOX_LATENCY_MS: config.PAYMENT_SANDBOX_LATENCY_MS }),
    })
    // the worst path: a retry waits for a dead request's key, takes it over, then asks the provider
    checkClientWaits(config, {
      'PAYMENT_IDEMPOTENCY_WAIT_MS + PAYMENT_PROVIDER_TIMEOUT_MS': config.PAYMENT_IDEMPOTENCY_WAIT_MS + config.PAYMENT_PROVIDER_TIMEOUT_MS,
    })
    if (config.STRIPE_SECRET_KEY && !config.STRIPE_WEBHOOK_SECRET) {
      throw new ConfigError([{ variable: 'STRIPE_WEBHOOK_SECRET', message: 'is required with STRIPE_SECRET_KEY' }])
    }
    const named = config.PAYMENT_PROVIDERS ? 'PAYMENT_PROVIDERS includes' : 'PAYMENT_PROVIDER is'
    if (enabled.includes('toss') && !config.TOSS_SECRET_KEY) {
      throw new ConfigError([{ variable: 'TOSS_SECRET_KEY', message: `is required when ${named} toss` }])
    }
    if (enabled.includes('stripe') && !config.STRIPE_SECRET_KEY) {
      throw new ConfigError([{ variable: 'STRIPE_SECRET_KEY', message: `is required when ${named} stripe` }])
    }
    if (config.NODE_ENV === 'production') {
      // the web's forms cannot be drawn without the provider's public key
      if (enabled.includes('stripe') && !config.STRIPE_PUBLISHABLE_KEY) throw new ConfigError([{ variable: 'STRIPE_PUBLISHABLE_KEY', message: 'is required in production when stripe is enabled (the web\'s Stripe.js uses it)' }])
      if (enabled.includes('toss') && !config.TOSS_CLIENT_KEY) throw new ConfigError([{ variable: 'TOSS_CLIENT_KEY', message: 'is required in production when toss is enabled (the web\'s payment widget uses it)' }])
    }
  },
  app,
}
