import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import meeting from './plugins/meeting.ts'
import meetingRoutes from './routes/meetings.ts'

/** The service as a plugin: external clients, then domain plugins, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'meeting',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes meeting.*; consumes catalog.*, matching.* and payment.*
    streams: [STREAMS.meeting, STREAMS.catalog, STREAMS.matching, STREAMS.payment],
  })
  await fastify.register(meeting, { config: opts.config })
  await fastify.register(meetingRoutes, { prefix: '/api/meetings' })
}
