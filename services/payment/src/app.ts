import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import payment from './plugins/payment.ts'
import paymentRoutes from './routes/payments.ts'
import webhookRoutes from './routes/webhooks.ts'
import adminRoutes from './routes/admin.ts'

/** The service as a plugin: external clients, then domain plugins, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'payment',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes payment.*; consumes meeting.booking.*
    streams: [STREAMS.payment, STREAMS.meeting],
  })
  await fastify.register(payment, { config: opts.config })
  await fastify.register(paymentRoutes, { prefix: '/api/payments' })
  await fastify.register(webhookRoutes, { prefix: '/api/payments/webhooks', config: opts.config })
  await fastify.register(adminRoutes, { prefix: '/api/admin/payments' })
}
