import type { ServiceDefinition } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'notification',
  version: pkg.version,
  description: 'Tells people what happened: the in-app feed (Postgres, mirrored to Firestore) and email, by their preferences.',
  configSchema,
  // DB_POOL_MAX: what runs at once must fit, or the feed sync's writers (each holding a connection
  // through its Firestore commit) queue behind new events' transactions: the consumers (4 + 4 +
  // 1 × 3), FIRESTORE_SYNC_WRITERS (3) and the timer's drain, the email sender, a few API requests.
  // The kit's default 10 against the 19 consumer slots and writers before made ~1.3 waits per event
  // in bench/notification (6,357 in 5,000 events); 16 with 4 + 4 slots, 1,138.
  configDefaults: { PORT: pkg.sunbae.port, DB_POOL_MAX: 20 },
  app,
}
