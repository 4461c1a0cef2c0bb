import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'

export const configSchema = serviceConfig({
  /** How long a 1:1 chat request waits for the mentor before it expires (fractions allowed). */
  MATCHING_REQUEST_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 720, default: 48 }),
  /** Requests one mentee may send in any 24 hours. */
  MATCHING_DAILY_REQUEST_LIMIT: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  /** How often each replica looks for overdue requests. */
  MATCHING_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 }),
  /** Requests expired per transaction by one sweep step. */
  MATCHING_SWEEP_BATCH: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
})
