import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'notification',
  version: pkg.version,
  description: 'Tells people what happened: the in-app feed (Postgres, mirrored to Firestore) and email, by their preferences.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
