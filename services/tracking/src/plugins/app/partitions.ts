import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { PartitionManager, type PartitionedTable } from '../../partitions/partitions.ts'

export interface PartitionsOptions {
  retentionDays: number
  auditRetentionDays: number
  aheadDays: number
  intervalMs: number
}

declare module 'fastify' {
  interface FastifyInstance {
    partitions: PartitionManager
  }
}

/** The tables, their partition key, unit and retention. */
export function trackingTables(o: Pick<PartitionsOptions, 'retentionDays' | 'auditRetentionDays'>): PartitionedTable[] {
  return [
    { name: 'access_log', column: 'requested_at', unit: 'day', retentionDays: o.retentionDays },
    { name: 'search_events', column: 'occurred_at', unit: 'day', retentionDays: o.retentionDays },
    { name: 'error_reports', column: 'occurred_at', unit: 'day', retentionDays: o.retentionDays },
    { name: 'slow_queries', column: 'occurred_at', unit: 'day', retentionDays: o.retentionDays },
    // the audit trail is small next to the access log and kept much longer: monthly partitions
    { name: 'audit_events', column: 'occurred_at', unit: 'month', retentionDays: o.auditRetentionDays },
  ]
}

/**
 * Partition maintenance: at start, today's partition of each table (before the consumers run, so
 * today's rows land in it) — only those, so start-up stays within Fastify's plugin timeout on a busy
 * machine; a fresh database needs dozens more (the week behind, the days ahead), which the first full
 * round creates right after, in the background. Then a round every `intervalMs`. A failed round is
 * logged and retried next round; inserts never depend on it (the DEFAULT partition takes what has no
 * partition yet, and a later round moves it).
 */
export default fp(
  async function partitions(app: FastifyInstance, opts: PartitionsOptions) {
    const manager = new PartitionManager(app.db, trackingTables(opts), { aheadDays: opts.aheadDays })
    app.decorate('partitions', manager)
    const log = app.log.child({ component: 'partitions' })

    let running: Promise<void> | null = null
    const round = (opts: { currentOnly?: boolean } = {}) =>
      (running ??= manager
        .run(Date.now(), opts)
        .then((r) => {
          if (r.created.length || r.dropped.length || r.moved || r.expired) log.info(r, 'partition maintenance')
        })
        .catch((err: unknown) => log.error({ err }, 'partition maintenance failed; retrying next round'))
        .finally(() => (running = null)))

    await round({ currentOnly: true })
    void round()
    const timer = setInterval(round, opts.intervalMs)
    timer.unref()
    app.addHook('preClose', async () => {
      clearInterval(timer)
      await running
    })
  },
  { name: 'tracking-partitions', dependencies: ['sunbae-platform'] },
)
