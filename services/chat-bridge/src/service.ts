import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'chat-bridge',
  version: pkg.version,
  description: 'Chat rooms in Firestore for matched pairs, mirrored for history, search and moderation.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  app,
}
