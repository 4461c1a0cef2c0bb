import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import providers from './plugins/app/providers.ts'
import payments from './plugins/app/payments.ts'
import subscriptions from './subscriptions.ts'
import paymentsRoutes from './routes/api/payments/payments.ts'
import earningsRoutes from './routes/api/payments/earnings.ts'
import paymentRoutes from './routes/api/payments/payment.ts'
import providersRoutes from './routes/api/payments/providers.ts'
import webhookRoutes from './routes/api/payments/webhooks.ts'
import adminRoutes from './routes/api/admin/payments.ts'

/** The service as a plugin: external clients, then domain plugins and their subscriptions, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'payment',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes payment.*; consumes meeting.booking.*
    streams: [STREAMS.payment, STREAMS.meeting],
  })
  await fastify.register(providers, { config: opts.config })
  await fastify.register(payments, { config: opts.config })
  await fastify.register(subscriptions)
  await fastify.register(paymentsRoutes, { prefix: '/api/payments' })
  await fastify.register(earningsRoutes, { prefix: '/api/payments' })
  await fastify.register(paymentRoutes, { prefix: '/api/payments' })
  await fastify.register(providersRoutes, { prefix: '/api/payments' })
  await fastify.register(webhookRoutes, { prefix: '/api/payments/webhooks', config: opts.config })
  await fastify.register(adminRoutes, { prefix: '/api/admin/payments' })
}
