import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'meeting',
  version: pkg.version,
  description: 'Mentor availability, slots, bookings, reschedules, cancellations and reminders.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
