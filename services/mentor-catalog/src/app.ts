import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { configSchema } from './config.ts'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import pkg from '../package.json' with { type: 'json' }
import firebase from './plugins/external/firebase.ts'
import users from './plugins/app/users.ts'
import catalog from './plugins/app/catalog.ts'
import admin from './plugins/app/admin.ts'
import meRoutes from './routes/api/me/index.ts'
import applicationRoutes from './routes/api/mentors/applications.ts'
import myMentorRoutes from './routes/api/mentors/me.ts'
import mentorRoutes from './routes/api/mentors/mentor.ts'
import mentorPageRoutes from './routes/api/mentors/page.ts'
import mentorPhotoRoutes from './routes/api/mentors/photo.ts'
import adminMentorRoutes from './routes/api/admin/mentors.ts'
import adminUserRoutes from './routes/api/admin/users.ts'
import adminReviewRoutes from './routes/api/admin/reviews.ts'
import search from './search/search.plugin.ts'
import searchRoutes from './routes/api/mentors/search.ts'
import subscriptions from './subscriptions.ts'

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
  await fastify.register(catalog)
  await fastify.register(admin)
  await fastify.register(subscriptions)
  await fastify.register(meRoutes, { prefix: '/api/me' })
  await fastify.register(applicationRoutes, { prefix: '/api/mentors/applications' })
  await fastify.register(myMentorRoutes, { prefix: '/api/mentors/me' })
  await fastify.register(search)
  await fastify.register(searchRoutes, { prefix: '/api/mentors' })
  await fastify.register(mentorRoutes, { prefix: '/api/mentors' })
  await fastify.register(mentorPageRoutes, { prefix: '/api/mentors' })
  await fastify.register(mentorPhotoRoutes, { prefix: '/api/mentors' })
  await fastify.register(adminMentorRoutes, { prefix: '/api/admin/mentors' })
  await fastify.register(adminUserRoutes, { prefix: '/api/admin/users' })
  await fastify.register(adminReviewRoutes, { prefix: '/api/admin/reviews' })
}
