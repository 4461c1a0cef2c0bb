import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'

export const configSchema = serviceConfig({
  /** How long a paid booking holds its slot waiting for payment.succeeded (fractions allowed). */
  MEETING_HOLD_MINUTES: Type.Number({ exclusiveMinimum: 0, maximum: 1440, default: 15 }),
  /** Video rooms are this URL followed by an unguessable token. */
  MEETING_VIDEO_BASE_URL: Type.String({ pattern: '^https?://', default: 'https://meet.sunbae.app/r/' }),
  /** Currency of prices (ISO 4217). */
  MEETING_CURRENCY: Type.String({ pattern: '^[A-Z]{3}$', default: 'KRW' }),
  /** How long after a session's end its mentor may still mark a no-show. */
  MEETING_NO_SHOW_WINDOW_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 48 }),
  /** How often each replica releases expired holds, sends due reminders and completes ended sessions. */
  MEETING_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 15_000 }),
  /** Rows one sweep step handles per transaction. */
  MEETING_SWEEP_BATCH: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
})
