import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'matching',
  version: pkg.version,
  description: 'Mentee preferences, recommendations with reasons, and the 1:1 chat request lifecycle.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
