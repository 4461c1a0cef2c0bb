import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'
import { DEFAULT_SECRET_SUBSTRINGS, DEFAULT_SECRET_WORDS } from '@sunbae/service-kit/scrub'

export const configSchema = serviceConfig({
  /** days of access logs, searches, error and slow-query reports kept; older day partitions are dropped whole */
  TRACKING_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
  /** days of audit trail kept (monthly partitions, dropped once entirely older than this) */
  TRACKING_AUDIT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36500, default: 400 }),
  /** days of partitions created ahead of today, so the DEFAULT partition stays empty */
  TRACKING_PARTITIONS_AHEAD_DAYS: Type.Integer({ minimum: 1, maximum: 60, default: 3 }),
  /** how often partitions are created and expired ones dropped */
  TRACKING_MAINTENANCE_INTERVAL_MS: Type.Integer({ minimum: 1_000, default: 60 * 60 * 1000 }),
  /** messages per insert transaction */
  TRACKING_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 }),
  /**
   * payload bytes per insert transaction: a batch is also cut here, so a transaction holds about the
   * same rows whether the gateway packed 50 or 500 records into a message (≈ 9,000 access records;
   * bench/tracking: 4 MiB 54–56k events/s, 2 MiB 44–53k on the same machine)
   */
  TRACKING_BATCH_BYTES: Type.Integer({ minimum: 1_024, maximum: 64 * 1024 * 1024, default: 4 * 1024 * 1024 }),
  /** how long a partial batch waits for more messages */
  TRACKING_BATCH_WAIT_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 50 }),
  /** batches written at once per consumer */
  TRACKING_BATCH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 8, default: 2 }),
  /**
   * how a batch is written: `copy` (COPY into the partitioned table; a batch holding a row stored
   * already goes through a staging table and INSERT … ON CONFLICT DO NOTHING) or `insert` (always
   * INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING: the former path, for comparison)
   */
  TRACKING_INSERT_METHOD: Type.Union([Type.Literal('copy'), Type.Literal('insert')], { default: 'copy' }),
  /** JetStream ack wait: how soon a batch that died with its process is redelivered */
  TRACKING_ACK_WAIT_MS: Type.Integer({ minimum: 1_000, default: 30_000 }),
  /** prefix of the durable consumer names (two tracking deployments on one NATS need different ones) */
  TRACKING_DURABLE_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', default: 'tracking' }),
  /** characters of scrubbed request (and error response) body kept */
  TRACKING_BODY_MAX: Type.Integer({ minimum: 0, maximum: 1_048_576, default: 4096 }),
  /** comma-separated; a key containing one of these is a secret */
  TRACKING_SCRUB_SUBSTRINGS: Type.String({ default: DEFAULT_SECRET_SUBSTRINGS.join(',') }),
  /** comma-separated; a key having one of these as a word (camel/snake/kebab) is a secret */
  TRACKING_SCRUB_WORDS: Type.String({ default: DEFAULT_SECRET_WORDS.join(',') }),
  /**
   * distinct searchers (signed-in users, or anonymous client addresses) a term needs within 24 h to be
   * in the public trending list: one client repeating a search cannot put a term there
   */
  TRACKING_TRENDING_MIN_DISTINCT: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 3 }),
  /** how long one aggregation of the public trending list is served (per replica; single flight) */
  TRACKING_TRENDING_CACHE_MS: Type.Integer({ minimum: 0, maximum: 24 * 60 * 60 * 1000, default: 60_000 }),
  /** test-only routes that fail and run slow queries on purpose; refused in production */
  TRACKING_TEST_ROUTES: Type.Boolean({ default: false }),
})

export type TrackingConfig = typeof configSchema

export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
