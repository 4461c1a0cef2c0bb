import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import firestore from '@sunbae/service-kit/firestore'
import mirror from './plugins/external/mirror.ts'
import chat from './plugins/app/chat.ts'
import subscriptions from './subscriptions.ts'
import roomRoutes from './routes/api/chat/rooms.ts'
import adminChatRoutes from './routes/api/admin/chat/messages.ts'

/** The service as a plugin: external clients, then domain plugins, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  const { config } = opts
  await fastify.register(platform, {
    service: 'chat-bridge',
    schema: pkg.sunbae.schema,
    config,
    // publishes chat.*; consumes matching.* (accepted requests open rooms, ended matches close them) and catalog.user.deleted
    streams: [STREAMS.chat, STREAMS.matching, STREAMS.catalog],
  })
  await fastify.register(firestore, { projectId: config.FIREBASE_PROJECT_ID, service: 'chat-bridge' })
  await fastify.register(mirror, { mongoUrl: config.MONGO_URL, mongoDb: config.MONGO_DB })
  await fastify.register(chat, {
    syncEnabled: config.CHAT_SYNC_ENABLED,
    syncName: config.CHAT_SYNC_NAME,
    leaseCheckMs: config.CHAT_SYNC_LEASE_CHECK_MS,
  })
  await fastify.register(subscriptions)
  await fastify.register(roomRoutes, { prefix: '/api/chat/rooms' })
  await fastify.register(adminChatRoutes, { prefix: '/api/admin/chat' })
}
