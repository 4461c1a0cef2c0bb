import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createDb, type Database, type Executor } from '@sunbae/db'
import {
  connectBus,
  ensureStreams,
  OutboxRelay,
  publishInTx,
  publishManyInTx,
  publishTelemetry,
  purgePlatformTables,
  startConsumer,
  type RetentionResult,
  type Bus,
} from '@sunbae/bus'
import { BUS_USERS, busInboxPrefix, busUser, STREAMS, STREAM_OWNERS, TELEMETRY_SUBJECTS, type BusUserName, type EventDef, type StreamDef } from '@sunbae/contracts'
import type { Static } from 'typebox'
import type { BaseConfig, DatabaseConfig } from '../config.ts'
import { domainEvent, type EventMeta } from '../events.ts'
import { periodicJob, type PeriodicJob } from '../jobs.ts'
import { PlatformMetrics } from '../platform-metrics.ts'

type ConsumerOptions = Omit<Parameters<typeof startConsumer>[0], 'bus' | 'db' | 'logger'>
type Db = Executor<any>
type Consumer = Awaited<ReturnType<typeof startConsumer>>

export interface PlatformOptions {
  service: string
  /** Postgres schema the service owns */
  schema: string
  config: BaseConfig & DatabaseConfig
  /** streams this service publishes to or consumes from; telemetry and dead letters are always declared */
  streams: StreamDef[]
  /** how long a /metrics sample of consumer lag, dead letters and the outbox is reused; default 5 s (tests: 0) */
  metricsCacheMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Database<any>
    bus: Bus
    events: {
      /**
       * Writes a contract event to the outbox in the caller's transaction, stamped with this service
       * as source and the current trace. `data` is checked against the event's schema first: data
       * the contract refuses throws EventRefused (a producer bug) and nothing is written.
       */
      publish<E extends EventDef>(trx: Db, event: E, data: Static<E['schema']>, meta: EventMeta): Promise<void>
      /** `publish` for many events of one type, in one multi-row insert (in order). */
      publishMany<E extends EventDef>(trx: Db, event: E, items: readonly { data: Static<E['schema']>; meta: EventMeta }[]): Promise<void>
      /** Wakes the relay after a commit so events leave without waiting for the next poll. */
      flushSoon(): void
    }
    /** `app.retention.run()`: one pass of the platform tables' retention now (tests) */
    retention: PeriodicJob<RetentionResult>
    consumers: {
      /**
       * Registers a durable consumer; it starts when the app is ready and stops on close. Services
       * declare theirs in src/subscriptions.ts (`subscriptions()`), which registers them here.
       */
      add(opts: ConsumerOptions): void
    }
  }
}

const SHUTDOWN_STEP_MS = 5_000

async function bounded<T>(what: string, p: Promise<T>, app: FastifyInstance): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      p,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${SHUTDOWN_STEP_MS} ms`)), SHUTDOWN_STEP_MS)
      }),
    ])
  } catch (err) {
    app.log.warn({ err }, `shutdown: ${what} failed`)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The service's external clients — Postgres (Kysely) and NATS (JetStream) — plus the outbox relay
 * and durable consumers, with readiness checks and one ordered shutdown:
 * consumers stop → outbox flushed → relay stopped → NATS drained → pool closed.
 */
export default fp(
  async function platform(app: FastifyInstance, opts: PlatformOptions) {
    const { config, service } = opts
    const logger = app.log.child({ component: 'platform' })

    // a platform service connects as its own NATS user (@sunbae/contracts bus-access), replies under its own inbox
    const busUserName = (BUS_USERS as readonly string[]).includes(service) ? (service as BusUserName) : null
    const bus = await connectBus({
      servers: config.NATS_URL,
      name: service,
      logger,
      // required in production by configOrExit (natsCredentials); a test may build a production app without one
      ...(config.NATS_NKEY_SEED ? { nkeySeed: config.NATS_NKEY_SEED } : {}),
      ...(busUserName ? { inboxPrefix: busInboxPrefix(busUserName) } : {}),
    })
    let busClosing = false
    const owned = busUserName ? Object.entries(STREAM_OWNERS).filter(([, owner]) => owner === busUserName).map(([name]) => name) : undefined
    for (const r of await ensureStreams(bus.jsm, [...opts.streams, STREAMS.telemetry, STREAMS.deadLetter], owned ? { owned } : {})) {
      if (r.action === 'outdated') logger.warn({ stream: r.name, owner: STREAM_OWNERS[r.name as keyof typeof STREAM_OWNERS] }, "stream settings differ from the contract's; its owner updates them")
    }

    // consumer lag, dead letters, outbox and pool series in the app's registry (served at /metrics)
    const metrics = new PlatformMetrics(app.prometheus, { logger, ...(opts.metricsCacheMs !== undefined ? { cacheMs: opts.metricsCacheMs } : {}) })
    const database = createDb({
      connectionString: config.DATABASE_URL,
      schema: opts.schema,
      service,
      slowQueryMs: config.SLOW_QUERY_MS,
      poolMax: config.DB_POOL_MAX,
      connectionTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: config.DB_LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      applicationName: service,
      onPoolWait: metrics.poolWait,
      // Once NATS is draining, reports go to the log instead (queries still run during shutdown).
      onSlowQuery: (report) =>
        busClosing ? logger.warn({ slowQuery: report }, 'slow query') : void publishTelemetry(bus, TELEMETRY_SUBJECTS.slowQuery, report),
    })

    app.errorSink.send = (report) =>
      busClosing ? logger.error({ errorReport: report }, 'error report') : void publishTelemetry(bus, TELEMETRY_SUBJECTS.error, report)

    const relay = new OutboxRelay({ db: database.db, js: bus.js, logger: logger.child({ component: 'outbox' }) })
    // what waited in the outbox while NATS was away goes as soon as it is back, not after the back-off
    bus.onReconnect(() => relay.resume())
    metrics.watch({ bus, relay, pool: database.pool, poolMax: config.DB_POOL_MAX })
    const pending: ConsumerOptions[] = []
    const running: Consumer[] = []

    app.decorate('db', database.db)
    app.decorate('bus', bus)
    app.decorate('events', {
      publish: <E extends EventDef>(trx: Db, event: E, data: Static<E['schema']>, meta: EventMeta) =>
        publishInTx(trx, domainEvent(event, data, { ...meta, source: service })),
      publishMany: <E extends EventDef>(trx: Db, event: E, items: readonly { data: Static<E['schema']>; meta: EventMeta }[]) =>
        publishManyInTx(
          trx,
          items.map((i) => domainEvent(event, i.data, { ...i.meta, source: service })),
        ),
      flushSoon: () => relay.kick(),
    })
    // A durable the bus-access table does not name is one this service's NATS user may not create:
    // refused here, at registration, rather than as a permission violation at the first start.
    const durables = busUserName ? new Set(busUser(busUserName).durables.map((d) => d.durable)) : null
    app.decorate('consumers', {
      add: (o: ConsumerOptions) => {
        if (durables && !durables.has(o.durable)) {
          throw new Error(`${service}: durable ${o.durable} is not in @sunbae/contracts BUS_CONSUMERS; name it there, so its NATS user may use it`)
        }
        pending.push(o)
      },
    })

    // Retention of the platform tables, in every replica (each delete is a short, batched statement).
    const HOUR = 3_600_000
    app.decorate(
      'retention',
      periodicJob<RetentionResult>(app, {
        name: 'platform retention',
        intervalMs: config.RETENTION_INTERVAL_MS,
        logger: logger.child({ job: 'retention' }),
        pass: () =>
          purgePlatformTables(database.db, {
            outboxBefore: new Date(Date.now() - config.OUTBOX_RETENTION_HOURS * HOUR),
            processedBefore: new Date(Date.now() - config.PROCESSED_EVENTS_RETENTION_DAYS * 24 * HOUR),
          }),
        // a run() joined by another caller passes again: report what all its passes deleted
        merge: (a, b) => ({ outbox: a.outbox + b.outbox, processedEvents: a.processedEvents + b.processedEvents }),
        report: (r, log) => {
          if (r.outbox || r.processedEvents) log.info(r, 'platform retention: old rows deleted')
        },
      }),
    )

    app.readiness.add('postgres', () => database.ping())
    // Not critical: reads need no NATS and writes go to the outbox, so a NATS outage degrades the
    // service (reported, counted) but keeps it in rotation.
    app.readiness.add(
      'nats',
      async () => {
        await bus.ping()
      },
      { critical: false },
    )

    app.addHook('onReady', async () => {
      relay.start()
      for (const o of pending) {
        running.push(await startConsumer({ ...o, bus, db: database.db, logger: logger.child({ consumer: o.durable }) }))
      }
    })

    app.addHook('onClose', async () => {
      await bounded('stopping consumers', Promise.all(running.map((c) => c.stop())), app)
      await bounded('flushing the outbox', relay.flush(), app)
      await bounded('stopping the outbox relay', relay.stop(), app)
      busClosing = true
      await bounded('draining NATS', bus.drain(), app)
      // whatever the drain did, the connection ends here: a reconnect timer must not keep the process alive
      await bounded('closing NATS', bus.close(), app)
      await bounded('closing the Postgres pool', database.close(), app)
    })
  },
  { name: 'sunbae-platform', dependencies: ['sunbae-health', 'sunbae-errors'] },
)
