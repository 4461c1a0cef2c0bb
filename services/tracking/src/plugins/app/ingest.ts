import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { JsMsg } from '@nats-io/jetstream'
import { startBatchConsumer, type BatchItem, type RunningBatchConsumer } from '@sunbae/bus'
import { CatalogEvents, STREAMS, TRACKING_PIPELINES, type StreamDef } from '@sunbae/contracts'
import { createScrubber } from '@sunbae/service-kit/scrub'
import type { Database } from '@sunbae/db'
import { createDb } from '@sunbae/db'
import { splitList } from '../../config.ts'
import { IngestRepository, type InsertMethod } from '../../ingest/ingest.repository.ts'
import { toAccessRow, toAccessRows, toAuditRow, toErrorRow, toSearchRow, toSlowQueryRow, type MapperOptions } from '../../ingest/mappers.ts'
import type { DB } from '../../db/types.ts'
import type { AuditRow } from '../../ingest/ingest.table.ts'

export interface IngestOptions {
  batchSize: number
  batchBytes: number
  batchWaitMs: number
  concurrency: number
  ackWaitMs: number
  insertMethod: InsertMethod
  /** the service's role; the COPY path has a small pool of its own (Kysely does not hand out clients) */
  databaseUrl: string
  durablePrefix: string
  bodyMax: number
  scrubSubstrings: string
  scrubWords: string
  /** epoch ms before which a table's events are past retention */
  cutoff: MapperOptions['cutoff']
}

interface Pipeline {
  name: string
  stream: StreamDef
  subject: string
  decode: (msg: JsMsg, o: MapperOptions) => object | undefined
  write: (rows: any[]) => Promise<number>
  /** each message decodes to many rows (a batch message) */
  many?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    ingest: {
      /** per durable: batches written, rows stored, dead-lettered and retried messages */
      stats(): Record<string, RunningBatchConsumer['stats']>
    }
  }
}

/**
 * Ingestion: one durable batch consumer per telemetry subject (access log, searches, errors, slow
 * queries) and per domain stream (the audit trail). Each batch is validated, scrubbed, written in one
 * statement and acked after the commit (@sunbae/bus startBatchConsumer).
 */
export default fp(
  async function ingest(app: FastifyInstance, opts: IngestOptions) {
    // a connection per batch in flight for two busy consumers; idle ones close after 10 s
    const copyDb =
      opts.insertMethod === 'copy'
        ? createDb<DB>({
            connectionString: opts.databaseUrl,
            schema: 'tracking',
            service: 'tracking',
            applicationName: 'tracking-ingest',
            slowQueryMs: Number.MAX_SAFE_INTEGER,
            poolMax: Math.max(4, opts.concurrency * 2),
            onError: (err) => app.log.warn({ err }, 'ingest pool: idle connection lost'),
          })
        : undefined
    const repo = new IngestRepository(app.db as Database<DB>, copyDb?.pool, opts.insertMethod)
    const mapper: MapperOptions = {
      scrubber: createScrubber({ substrings: splitList(opts.scrubSubstrings), words: splitList(opts.scrubWords) }),
      bodyMax: opts.bodyMax,
      cutoff: opts.cutoff,
    }
    // what each pipeline of @sunbae/contracts TRACKING_PIPELINES (its durable and filter, which its
    // NATS user may use) does with a message
    const handling: Record<string, Omit<Pipeline, 'name' | 'stream' | 'subject'>> = {
      access: { decode: toAccessRow, write: repo.insertAccess },
      // the gateway's batches: many records a message (up to 32 K characters of JSON)
      access_batch: { decode: toAccessRows, write: repo.insertAccess, many: true },
      search: { decode: toSearchRow, write: repo.insertSearches },
      errors: { decode: toErrorRow, write: repo.insertErrors },
      slow_queries: { decode: toSlowQueryRow, write: repo.insertSlowQueries },
    }
    // the audit trail: every domain event of every service, one durable per stream (2.9: one filter each)
    const audit = { decode: toAuditRow, write: repo.insertAudit }
    // the catalog's stream also carries account deletions: stored like any event, then the person is erased
    const catalogAudit = {
      decode: toAuditRow,
      write: async (rows: readonly AuditRow[]) => {
        const n = await repo.insertAudit(rows)
        for (const row of rows) {
          if (row.type !== CatalogEvents.userDeleted.type) continue
          const uid = (JSON.parse(row.payload) as { uid?: unknown }).uid
          if (typeof uid !== 'string' || uid === '') continue
          app.log.info({ uid, ...(await repo.eraseUser(uid)) }, 'deleted account erased from the trail, access log and searches')
        }
        return n
      },
    }
    handling[`audit_${STREAMS.catalog.name.toLowerCase()}`] = catalogAudit
    const pipelines: Pipeline[] = TRACKING_PIPELINES.map((p) => ({ name: p.name, stream: p.stream, subject: p.filterSubject, ...(handling[p.name] ?? audit) }))

    const running = new Map<string, RunningBatchConsumer>()
    const log = app.log.child({ component: 'ingest' })

    app.decorate('ingest', {
      stats: () => Object.fromEntries([...running].map(([k, c]) => [k, { ...c.stats }])),
    })

    app.addHook('onReady', async () => {
      for (const p of pipelines) {
        const durable = `${opts.durablePrefix}_${p.name}`
        running.set(
          durable,
          await startBatchConsumer<object>({
            bus: app.bus,
            stream: p.stream,
            durable,
            filterSubject: p.subject,
            // a batch message holds many rows: the byte bound is the one that cuts those batches
            batchSize: opts.batchSize,
            batchBytes: opts.batchBytes,
            maxWaitMs: opts.batchWaitMs,
            concurrency: opts.concurrency,
            ackWaitMs: opts.ackWaitMs,
            logger: log.child({ consumer: durable }),
            decode: (msg) => p.decode(msg, mapper),
            handle: async (items: BatchItem<object>[]) => {
              await p.write(p.many ? items.flatMap((i) => i.value as object[]) : items.map((i) => i.value))
            },
          }),
        )
      }
    })

    // preClose runs before every onClose hook: the consumers finish their batches while the
    // platform's NATS connection and Postgres pool are still open.
    app.addHook('preClose', async () => {
      await Promise.allSettled([...running.values()].map((c) => c.stop()))
    })
    app.addHook('onClose', async () => {
      await copyDb?.close()
    })
  },
  { name: 'tracking-ingest', dependencies: ['sunbae-platform'] },
)
