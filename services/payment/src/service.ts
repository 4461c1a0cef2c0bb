import type { ServiceDefinition } from '@sunbae/service-kit'
import { checkClientWaits, ConfigError } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'payment',
  version: pkg.version,
  description: 'Payments for bookings: intents, idempotency keys, webhooks, refunds and the ledger.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  checkConfig: (config) => {
    if (config.NODE_ENV === 'production') {
      // the sandbox settles test cards (tok_success) without moving money: the ledger would book earnings never collected
      if (!config.PAYMENT_PROVIDER) throw new ConfigError([{ variable: 'PAYMENT_PROVIDER', message: 'is required in production (stripe or toss)' }])
      if (config.PAYMENT_PROVIDER === 'sandbox') {
        throw new ConfigError([{ variable: 'PAYMENT_PROVIDER', message: 'sandbox is refused in production: it accepts test cards and collects no money; use stripe or toss' }])
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
    if (config.PAYMENT_PROVIDER === 'toss' && !config.TOSS_SECRET_KEY) {
      throw new ConfigError([{ variable: 'TOSS_SECRET_KEY', message: 'is required when PAYMENT_PROVIDER is toss' }])
    }
    if (config.PAYMENT_PROVIDER === 'stripe' && !config.STRIPE_SECRET_KEY) {
      throw new ConfigError([{ variable: 'STRIPE_SECRET_KEY', message: 'is required when PAYMENT_PROVIDER is stripe' }])
    }
  },
  app,
}
