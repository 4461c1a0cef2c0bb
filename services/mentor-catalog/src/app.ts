import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { configSchema } from './config.ts'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import pkg from '../package.json' with { type: 'json' }
import firebase from './plugins/external/firebase.ts'
import users from './plugins/app/users.ts'
import meRoutes from './routes/api/me/index.ts'

/** The service as a plugin: external clients, then domain plugins, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'mentor-catalog',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes catalog.*; consumes meeting.* (a completed session lets a mentee review)
    streams: [STREAMS.catalog, STREAMS.meeting],
  })
  await fastify.register(firebase, { projectId: opts.config.FIREBASE_PROJECT_ID })
  await fastify.register(users)
  await fastify.register(meRoutes, { prefix: '/api/me' })
}
