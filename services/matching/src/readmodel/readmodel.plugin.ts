import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import { setTimeout as sleep } from 'node:timers/promises'
import { readModelFollower, startBatchConsumer, type RunningBatchConsumer } from '@sunbae/bus'
import { BUS_CONSUMERS, BUS_FOLLOWERS, STREAMS, type DomainEvent } from '@sunbae/contracts'
import type { DB } from '../db/types.ts'
import { MentorIndex } from '../recommendations/mentor-index.ts'
import { BadCatalogEvent, decodeCatalogEvent, latestPerMentor, type CatalogChange } from './catalog-events.ts'
import { MentorsRepository } from './mentors.repository.ts'

/** The durable consumer that writes catalog.mentor.* into matching's `mentors` / `mentor_ratings`. */
export const READ_MODEL_DURABLE = BUS_CONSUMERS.matching.catalogMentors.durable

export interface MentorReadModel {
  index: MentorIndex
  repository: MentorsRepository
  readonly ready: boolean
  /** resolves once the in-memory index is built (recommendations answer 503 until then) */
  whenReady(): Promise<void>
  /**
   * Resolves when every catalog.mentor.* event already in the stream is in Postgres (the durable
   * consumer has nothing pending) and in this process's index (tests, the bench).
   */
  settled(timeoutMs?: number): Promise<void>
  stats(): { mentors: number; buildMs: number | null; followingFromSeq: number | null; lastSeq: number | null }
}

declare module 'fastify' {
  interface FastifyInstance {
    mentorReadModel: MentorReadModel
  }
}

const decodeData = (data: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(data))

/**
 * Matching's read model of mentors, in two layers:
 *
 * 1. Postgres (`mentors`, `mentor_ratings`): one durable batch consumer shared by all replicas
 *    writes the catalog's events, up to 1,000 per transaction (an import announces 100k approvals
 *    at once). Every row keeps the (occurredAt, id) of the event it reflects and an upsert only
 *    replaces an older version: redeliveries and reordering are harmless, so no processed-event
 *    marks are needed. A payload that breaks its contract goes to the dead letters.
 * 2. Memory (`MentorIndex`, per replica, a readModelFollower of @sunbae/bus): built from Postgres
 *    at start, then kept current by an ordered consumer that follows the stream from the durable consumer's ack floor + 1 — every
 *    event not yet known to be in Postgres is replayed (the same version rule makes replays
 *    harmless), none is missed. The CATALOG stream keeps 30 days; Postgres keeps everything.
 */
export default fp(
  async function readModel(app: FastifyInstance) {
    const log = app.log.child({ component: 'read-model' })
    const db = app.db as Database<DB>
    const repository = new MentorsRepository(db)
    const index = new MentorIndex()
    let consumer: RunningBatchConsumer | null = null

    const follower = readModelFollower({
      bus: app.bus,
      stream: BUS_FOLLOWERS.matching.catalogMentors.stream.name,
      filterSubject: BUS_FOLLOWERS.matching.catalogMentors.filterSubject,
      name: 'mentor index',
      logger: log,
      notReady: () => `building (${index.size} mentors so far)`,
      // everything up to the ack floor is committed to Postgres; everything after is replayed
      startSeq: async () => (await app.bus.jsm.consumers.info(STREAMS.catalog.name, READ_MODEL_DURABLE)).ack_floor.stream_seq + 1,
      // what a failed attempt loaded stays: the version rule lets the next snapshot's rows replace it
      build: async (signal) => {
        for await (const page of repository.all()) {
          if (signal.aborted) return
          for (const m of page) {
            index.applyProfile(m.rec, m.version)
            if (m.rating) index.applyRating(m.rec.id, m.rating.rating, m.rating.version)
          }
        }
      },
      handler: (event: DomainEvent | null) => {
        try {
          const change = decodeCatalogEvent(event)
          if (!change) return
          if (change.kind === 'profile') index.applyProfile(change.rec, change.version)
          index.applyRating(change.mentorId, change.rating, change.version)
        } catch (err) {
          // the durable consumer dead-letters it; the index just skips it
          if (err instanceof BadCatalogEvent) log.warn({ err }, 'read model: skipped a malformed catalog event')
          else throw err
        }
      },
    })

    app.decorate('mentorReadModel', {
      index,
      repository,
      get ready() {
        return follower.ready
      },
      whenReady: () => follower.whenReady(),
      settled: async (timeoutMs = 15_000) => {
        const deadline = Date.now() + timeoutMs
        await follower.whenReady()
        for (;;) {
          const info = await app.bus.jsm.consumers.info(STREAMS.catalog.name, READ_MODEL_DURABLE)
          if (info.num_pending === 0 && info.num_ack_pending === 0 && (follower.stats().lastSeq ?? 0) >= info.ack_floor.stream_seq) return
          if (Date.now() > deadline) throw new Error(`read model not settled after ${timeoutMs} ms`)
          await sleep(20)
        }
      },
      stats: () => ({ mentors: index.size, ...follower.stats() }),
    } satisfies MentorReadModel)

    app.readiness.add('mentor-index', follower.check)

    app.addHook('onReady', async () => {
      consumer = await startBatchConsumer<CatalogChange>({
        bus: app.bus,
        ...BUS_CONSUMERS.matching.catalogMentors,
        logger: log,
        decode: (msg) => {
          let envelope: unknown
          try {
            envelope = decodeData(msg.data)
          } catch {
            throw new BadCatalogEvent('not JSON')
          }
          return decodeCatalogEvent(envelope)
        },
        handle: async (items) => {
          const { profiles, ratings } = latestPerMentor(items.map((i) => i.value))
          await db.transaction().execute((trx) =>
            repository.apply(
              profiles.values(),
              [...ratings].map(([mentorId, r]) => ({ mentorId, ...r })),
              trx,
            ),
          )
        },
      })
      follower.start()
    })

    app.addHook('onClose', async () => {
      await follower.close()
      await consumer?.stop()
    })
  },
  { name: 'mentor-read-model', dependencies: ['sunbae-platform'] },
)
