import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'mentor-catalog',
  version: pkg.version,
  description: 'Accounts, mentor profiles, applications, reviews and search.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
