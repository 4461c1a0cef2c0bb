/**
 * JetStream streams, one per domain plus telemetry and dead letters. Declared idempotently by
 * every service that publishes or consumes (see @sunbae/bus ensureStreams). Only NATS 2.9 features.
 */
export interface StreamDef {
  name: string
  subjects: string[]
  /** max age in milliseconds; 0 = unlimited */
  maxAgeMs: number
  maxBytes: number
  /** dedup window for Nats-Msg-Id, ms */
  duplicateWindowMs: number
}

const DAY = 24 * 60 * 60 * 1000
const GiB = 1024 * 1024 * 1024

const domain = (name: string, prefix: string): StreamDef => ({
  name,
  subjects: [`${prefix}.>`],
  maxAgeMs: 30 * DAY,
  maxBytes: 2 * GiB,
  duplicateWindowMs: 2 * 60 * 1000,
})

export const STREAMS = {
  catalog: domain('CATALOG', 'catalog'),
  matching: domain('MATCHING', 'matching'),
  meeting: domain('MEETING', 'meeting'),
  payment: domain('PAYMENT', 'payment'),
  chat: domain('CHAT', 'chat'),
  /** High-volume telemetry: access logs, search keywords, error and slow-query reports. */
  telemetry: {
    name: 'TELEMETRY',
    subjects: ['telemetry.>'],
    maxAgeMs: 3 * DAY,
    maxBytes: 1 * GiB,
    duplicateWindowMs: 60 * 1000,
  },
  deadLetter: { name: 'DEADLETTER', subjects: ['dlq.>'], maxAgeMs: 30 * DAY, maxBytes: 1 * GiB, duplicateWindowMs: 60 * 1000 },
} as const satisfies Record<string, StreamDef>

export const TELEMETRY_SUBJECTS = {
  /** one AccessLogV1 per message (any producer) */
  accessLog: 'telemetry.access',
  /** AccessLogBatchV1: the gateway's batches */
  accessLogBatch: 'telemetry.access.batch',
  error: 'telemetry.error',
  slowQuery: 'telemetry.slow_query',
  search: 'telemetry.search',
} as const
