import type { ServiceDefinition } from '@sunbae/service-kit'
import { ConfigError } from '@sunbae/service-kit'
import { configSchema } from './config.ts'
import app from './app.ts'
import pkg from '../package.json' with { type: 'json' }

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'meeting',
  version: pkg.version,
  description: 'Mentor availability, slots, bookings, reschedules, cancellations, reminders and the sessions\' video rooms.',
  configSchema,
  configDefaults: { PORT: pkg.sunbae.port },
  checkConfig: (config) => {
    // TURN REST credentials are an HMAC of coturn's secret: a TURN server without it cannot be used
    if (config.MEETING_TURN_URLS && !config.MEETING_TURN_SECRET) {
      throw new ConfigError([{ variable: 'MEETING_TURN_SECRET', message: 'is required with MEETING_TURN_URLS (coturn static-auth-secret)' }])
    }
    if (config.MEETING_VIDEO_PROVIDER === 'jitsi') {
      const missing = (['MEETING_JITSI_DOMAIN', 'MEETING_JITSI_APP_ID', 'MEETING_JITSI_APP_SECRET'] as const).filter((v) => !config[v])
      if (missing.length) throw new ConfigError(missing.map((variable) => ({ variable, message: 'is required when MEETING_VIDEO_PROVIDER is jitsi' })))
    }
  },
  app,
}
