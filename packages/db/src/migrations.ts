import type { Migration } from 'kysely/migration'
import * as outbox from './platform-migrations/0000-00-00T0000_platform_outbox.ts'
import * as processedEvents from './platform-migrations/0000-00-00T0001_platform_processed_events.ts'

/**
 * Tables every service schema gets (the bus's outbox and consumer dedup). Names sort before any
 * date-prefixed service migration, so a service's own migrations can rely on them.
 */
export const platformMigrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0000-00-00T0000_platform_outbox': outbox,
  '0000-00-00T0001_platform_processed_events': processedEvents,
})
