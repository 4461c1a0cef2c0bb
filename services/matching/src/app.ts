import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import readModel from './readmodel/readmodel.plugin.ts'
import matching from './plugins/app/matching.ts'
import subscriptions from './subscriptions.ts'
import preferencesRoutes from './routes/api/matching/preferences.ts'
import recommendationRoutes from './routes/api/matching/recommendations.ts'
import requestRoutes from './routes/api/matching/requests.ts'
import matchRoutes from './routes/api/matching/matches.ts'
import mentorSettingsRoutes from './routes/api/matching/mentor-settings.ts'
import adminRoutes from './routes/api/admin/matching.ts'

/** The service as a plugin: external clients, then domain plugins and their subscriptions, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'matching',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes matching.*; consumes catalog.* (its read model of mentors)
    streams: [STREAMS.matching, STREAMS.catalog],
  })
  await fastify.register(readModel)
  await fastify.register(matching, { config: opts.config })
  await fastify.register(subscriptions)
  await fastify.register(preferencesRoutes, { prefix: '/api/matching/preferences' })
  await fastify.register(recommendationRoutes, { prefix: '/api/matching/recommendations' })
  await fastify.register(requestRoutes, { prefix: '/api/matching/requests' })
  await fastify.register(matchRoutes, { prefix: '/api/matching/matches' })
  await fastify.register(mentorSettingsRoutes, { prefix: '/api/matching/mentor-settings' })
  await fastify.register(adminRoutes, { prefix: '/api/admin/matching' })
}
