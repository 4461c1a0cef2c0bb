import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export interface GatewayMetrics {
  registry: Registry
  accessLogPublished: Counter
  accessLogDropped: Counter<'reason'>
  rateLimited: Counter<'scope'>
  tokenVerifications: Counter<'result'>
  requestDuration: Histogram<'route'>
  /** set `size` to read the access-log queue length at scrape time */
  accessLogQueue: { size: () => number }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics
  }
}

/** The gateway's metrics, in the app's registry (the kit's: process metrics, dependencies, /metrics). */
export function createMetrics(registry: Registry): GatewayMetrics {
  const queue = { size: () => 0 }
  new Gauge({
    name: 'gateway_access_log_buffered',
    help: 'Access-log events queued or waiting for their JetStream ack (bounded by ACCESS_LOG_BUFFER)',
    registers: [registry],
    collect() {
      this.set(queue.size())
    },
  })
  return {
    registry,
    accessLogPublished: new Counter({
      name: 'gateway_access_log_published_total',
      help: 'Access-log events JetStream confirmed (stored in the TELEMETRY stream)',
      registers: [registry],
    }),
    accessLogDropped: new Counter({
      name: 'gateway_access_log_dropped_total',
      help: 'Access-log events given up, by reason: buffer_full, shutdown (unconfirmed at close), encode_failed, rejected (by the server: too large)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429',
      labelNames: ['scope'],
      registers: [registry],
    }),
    tokenVerifications: new Counter({
      name: 'gateway_token_verifications_total',
      help: 'ID tokens verified with firebase-admin (cache misses), by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from request to response end, by route prefix',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    accessLogQueue: queue,
  }
}

export default fp(
  async function metrics(app: FastifyInstance) {
    app.decorate('metrics', createMetrics(app.prometheus))
  },
  { name: 'gateway-metrics', dependencies: ['sunbae-health'] },
)
