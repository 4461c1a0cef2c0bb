import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'tracking',
  version: pkg.version,
  description: 'Access logs, search keywords, audit trail, error and slow-query reports.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
