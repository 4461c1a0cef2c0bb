import type { ServiceDefinition } from '@sunbae/service-kit'
import { ConfigError } from '@sunbae/service-kit'
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
