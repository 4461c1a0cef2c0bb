import { Gauge, Histogram, type Registry } from 'prom-client'
import { consumerLag, deadLetterCounts, type Bus, type ConsumerLag, type OutboxBacklog, type OutboxRelay } from '@sunbae/bus'

/** Pool waits, in seconds: from a connection freed at once to the connect timeout's order. */
export const POOL_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** How long a sample of NATS or Postgres answers scrapes: several scrapers (or a fast one) cost one query. */
export const DEFAULT_METRICS_CACHE_MS = 5_000

export interface PlatformSources {
  bus: Bus
  relay: Pick<OutboxRelay, 'backlog'>
  /** pg's pool: its counts are read at each scrape (no query) */
  pool: { readonly totalCount: number; readonly idleCount: number; readonly waitingCount: number }
  poolMax: number
}

interface Logger {
  debug(obj: object, msg: string): void
}

/**
 * A sample's time limit: a scrape must answer while Postgres or NATS hang or the pool is exhausted
 * (the outbox query then waits for a connection like any other); the series are left out instead.
 */
const SAMPLE_TIMEOUT_MS = 2_000

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${SAMPLE_TIMEOUT_MS} ms`)), SAMPLE_TIMEOUT_MS)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** A sample taken at most once per `ttlMs`, shared by every gauge that reads it; a failure is not kept. */
function cached<T>(ttlMs: number, take: () => Promise<T>): () => Promise<T> {
  let at = 0
  let last: Promise<T> | undefined
  return () => {
    const now = Date.now()
    if (last === undefined || now - at >= ttlMs) {
      at = now
      const p = withTimeout(take())
      last = p
      p.catch(() => {
        if (last === p) last = undefined
      })
    }
    return last
  }
}

/**
 * The platform's own series in the service's registry (served at /metrics with the RED metrics),
 * sampled when Prometheus scrapes, never on the request path:
 * - consumer lag per durable: `sunbae_consumer_pending_messages` and
 *   `sunbae_consumer_ack_pending_messages` {stream, consumer} (JetStream consumer info);
 * - dead letters per durable: `sunbae_dead_letter_messages{consumer}` (the DEADLETTER stream);
 * - the outbox: `sunbae_outbox_pending_messages`, `sunbae_outbox_parked_messages`,
 *   `sunbae_outbox_oldest_age_seconds` (one query over the partial index of unpublished rows);
 * - the Postgres pool: `sunbae_db_pool_connections{state}`, `sunbae_db_pool_max_connections`,
 *   `sunbae_db_pool_waiting_requests`, and `sunbae_db_pool_wait_seconds` (a histogram of the
 *   waits of requests that found every connection busy; its `_count` is the number of waits).
 * NATS and Postgres samples are cached for `cacheMs` and bounded in time (a scrape answers while
 * NATS or Postgres hang or the pool is exhausted); a sample that fails or times out leaves the series
 * at their last values (logged at debug) — `sunbae_dependency_up` says which dependency is away.
 */
export class PlatformMetrics {
  readonly #poolWait: Histogram
  #sources: PlatformSources | undefined

  constructor(registry: Registry, opts: { cacheMs?: number; logger: Logger }) {
    const registers = [registry]
    const ttl = opts.cacheMs ?? DEFAULT_METRICS_CACHE_MS
    const src = () => this.#sources
    const failed = (what: string) => (err: unknown) => {
      opts.logger.debug({ err }, `metrics: ${what} not sampled`)
      return null
    }
    const lag = cached(ttl, async () => {
      const s = src()
      return s ? Promise.all([consumerLag(s.bus), deadLetterCounts(s.bus)]) : null
    })
    const outbox = cached(ttl, async (): Promise<OutboxBacklog | null> => (await src()?.relay.backlog()) ?? null)

    const lagGauge = (name: string, help: string, value: (l: ConsumerLag) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['stream', 'consumer'],
        registers,
        async collect() {
          const sample = await lag().catch(failed('consumer lag'))
          if (!sample) return
          this.reset()
          for (const l of sample[0]) this.set({ stream: l.stream, consumer: l.durable }, value(l))
        },
      })
    lagGauge('sunbae_consumer_pending_messages', 'Messages of the stream matching a durable consumer not yet delivered to it (JetStream num_pending)', (l) => l.pending)
    lagGauge('sunbae_consumer_ack_pending_messages', 'Messages delivered to a durable consumer and not acknowledged yet: being handled or waiting for a retry (JetStream num_ack_pending)', (l) => l.ackPending)
    new Gauge({
      name: 'sunbae_dead_letter_messages',
      help: 'Messages a durable consumer of this service gave up on, waiting in the DEADLETTER stream (list and redrive: npm run dlq)',
      labelNames: ['consumer'],
      registers,
      async collect() {
        const sample = await lag().catch(failed('dead letters'))
        if (!sample) return
        this.reset()
        for (const [consumer, n] of sample[1]) this.set({ consumer }, n)
      },
    })

    const outboxGauge = (name: string, help: string, value: (b: OutboxBacklog) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const b = await outbox().catch(failed('outbox backlog'))
          if (b) this.set(value(b))
        },
      })
    outboxGauge('sunbae_outbox_pending_messages', 'Outbox rows (events) not yet published to NATS, parked ones included', (b) => b.pending)
    outboxGauge('sunbae_outbox_parked_messages', 'Outbox rows whose publish failed on their own too often: left aside until redriven', (b) => b.parked)
    outboxGauge('sunbae_outbox_oldest_age_seconds', 'Age of the oldest unpublished outbox row (0: none)', (b) => b.oldestAgeSeconds)

    new Gauge({
      name: 'sunbae_db_pool_connections',
      help: 'Connections of the Postgres pool, by state: busy (checked out) or idle',
      labelNames: ['state'],
      registers,
      collect() {
        const s = src()
        if (!s) return
        this.set({ state: 'idle' }, s.pool.idleCount)
        this.set({ state: 'busy' }, s.pool.totalCount - s.pool.idleCount)
      },
    })
    new Gauge({
      name: 'sunbae_db_pool_max_connections',
      help: 'Size limit of the Postgres pool (DB_POOL_MAX)',
      registers,
      collect() {
        const s = src()
        if (s) this.set(s.poolMax)
      },
    })
    new Gauge({
      name: 'sunbae_db_pool_waiting_requests',
      help: 'Queries and transactions waiting for a Postgres connection now (every connection busy)',
      registers,
      collect() {
        const s = src()
        if (s) this.set(s.pool.waitingCount)
      },
    })
    this.#poolWait = new Histogram({
      name: 'sunbae_db_pool_wait_seconds',
      help: 'Time a query or transaction waited for a Postgres connection when every connection was busy; _count is the number of waits',
      buckets: POOL_WAIT_BUCKETS,
      registers,
    })
  }

  /** What createDb's onPoolWait calls. */
  readonly poolWait = (waitedMs: number): void => this.#poolWait.observe(waitedMs / 1000)

  /** The clients to sample, once they exist (the pool's histogram is wired before). */
  watch(sources: PlatformSources): void {
    this.#sources = sources
  }
}
