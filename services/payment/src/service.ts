import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'payment',
  version: pkg.version,
  description: 'Payments for bookings: intents, idempotency keys, webhooks, refunds and the ledger.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
