import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }
import partitions from './plugins/app/partitions.ts'
import ingest from './plugins/app/ingest.ts'
import tracking from './plugins/app/tracking.ts'
import { retentionCutoff } from './partitions/partitions.ts'
import deadLetterRoutes from './routes/api/admin/dead-letters.ts'
import adminRoutes from './routes/api/admin/tracking.ts'
import keywordRoutes from './routes/api/tracking/keywords.ts'
import faultRoutes from './routes/test/faults.ts'

/** The service as a plugin: external clients, then domain plugins, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  const { config } = opts
  if (config.TRACKING_TEST_ROUTES && config.NODE_ENV === 'production') {
    throw new Error('TRACKING_TEST_ROUTES=true is refused when NODE_ENV=production: those routes fail on purpose')
  }
  await fastify.register(platform, {
    service: 'tracking',
    schema: pkg.sunbae.schema,
    config,
    // consumes every domain stream (audit trail) and telemetry (always declared by the platform)
    streams: [STREAMS.catalog, STREAMS.matching, STREAMS.meeting, STREAMS.payment, STREAMS.chat],
  })
  // partitions first: today's exist before the consumers start writing
  await fastify.register(partitions, {
    retentionDays: config.TRACKING_RETENTION_DAYS,
    auditRetentionDays: config.TRACKING_AUDIT_RETENTION_DAYS,
    aheadDays: config.TRACKING_PARTITIONS_AHEAD_DAYS,
    intervalMs: config.TRACKING_MAINTENANCE_INTERVAL_MS,
  })
  await fastify.register(ingest, {
    batchSize: config.TRACKING_BATCH_SIZE,
    batchBytes: config.TRACKING_BATCH_BYTES,
    batchWaitMs: config.TRACKING_BATCH_WAIT_MS,
    concurrency: config.TRACKING_BATCH_CONCURRENCY,
    ackWaitMs: config.TRACKING_ACK_WAIT_MS,
    insertMethod: config.TRACKING_INSERT_METHOD,
    databaseUrl: config.DATABASE_URL,
    durablePrefix: config.TRACKING_DURABLE_PREFIX,
    bodyMax: config.TRACKING_BODY_MAX,
    scrubSubstrings: config.TRACKING_SCRUB_SUBSTRINGS,
    scrubWords: config.TRACKING_SCRUB_WORDS,
    cutoff: (kind) =>
      retentionCutoff(Date.now(), kind === 'audit'
        ? { unit: 'month', retentionDays: config.TRACKING_AUDIT_RETENTION_DAYS }
        : { unit: 'day', retentionDays: config.TRACKING_RETENTION_DAYS }),
  })
  await fastify.register(tracking, { minSearchers: config.TRACKING_TRENDING_MIN_DISTINCT, cacheMs: config.TRACKING_TRENDING_CACHE_MS })
  await fastify.register(adminRoutes, { prefix: '/api/admin/tracking' })
  await fastify.register(deadLetterRoutes, { prefix: '/api/admin/dead-letters' })
  await fastify.register(keywordRoutes, { prefix: '/api/tracking/keywords' })
  if (config.TRACKING_TEST_ROUTES) await fastify.register(faultRoutes, { prefix: '/api/tracking/test' })
}
