import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import firestore from '@sunbae/service-kit/firestore'
import smtp from './plugins/external/smtp.ts'
import notification from './plugins/app/notification.ts'
import subscriptions from './subscriptions.ts'
import notificationRoutes from './routes/api/notifications/notifications.ts'
import preferenceRoutes from './routes/api/notifications/preferences.ts'
import unsubscribeRoutes from './routes/api/notifications/unsubscribe.ts'
import adminRoutes from './routes/api/admin/notifications.ts'

/** The service as a plugin: external clients, then domain plugins and their subscriptions, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  const { config } = opts
  await fastify.register(platform, {
    service: 'notification',
    schema: pkg.sunbae.schema,
    config,
    // publishes nothing yet; consumes catalog.* (recipients, applications), matching.* (requests),
    // meeting.* (bookings, reminders), payment.* (receipts, refunds), chat.* (the unread digest)
    streams: [STREAMS.catalog, STREAMS.matching, STREAMS.meeting, STREAMS.payment, STREAMS.chat],
  })
  await fastify.register(firestore, { projectId: config.FIREBASE_PROJECT_ID, service: 'notification' })
  await fastify.register(smtp, { url: config.SMTP_URL, timeoutMs: config.SMTP_TIMEOUT_MS, maxConnections: config.SMTP_MAX_CONNECTIONS })
  await fastify.register(notification, { config })
  await fastify.register(subscriptions)
  await fastify.register(notificationRoutes, { prefix: '/api/notifications' })
  await fastify.register(preferenceRoutes, { prefix: '/api/notifications/preferences' })
  await fastify.register(unsubscribeRoutes, { prefix: '/api/notifications/unsubscribe' })
  await fastify.register(adminRoutes, { prefix: '/api/admin/notifications' })
}
