import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { readModelFollower } from '@sunbae/bus'
import { BUS_FOLLOWERS, type DomainEvent } from '@sunbae/contracts'
import { InMemoryMentorSearchIndex } from './memory-index.ts'
import { SearchEvents } from './search-events.ts'
import { SearchRepository } from './search.repository.ts'
import type { MentorSearchIndex } from './search.types.ts'

export interface SearchReadModel {
  readonly index: MentorSearchIndex
  readonly ready: boolean
  /** resolves once the index is built (tests; the route answers 503 until then) */
  whenReady(): Promise<void>
  /** resolves when every event received so far has been applied (tests) */
  settled(): Promise<void>
  stats(): { size: number; buildMs: number | null; followingFromSeq: number | null; lastSeq: number | null; pending: number }
}

declare module 'fastify' {
  interface FastifyInstance {
    mentorSearch: SearchReadModel
    /** telemetry.search: what the route reports of each search */
    searchEvents: SearchEvents
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const BATCH = 500
const RETRY_MS = 2_000

/** The mentor an event is about: profile events carry data.id, rated events data.mentorId. */
export function mentorIdOf(e: DomainEvent | null): string | null {
  if (!e) return null
  const data = (e.data ?? {}) as { id?: unknown; mentorId?: unknown }
  const id = typeof data.id === 'string' ? data.id : typeof data.mentorId === 'string' ? data.mentorId : e.subject?.id
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null
}

/**
 * The search read model of this process, a readModelFollower (@sunbae/bus). At start (in the
 * background: /healthz answers, /readyz says not ready): capture the CATALOG stream's last
 * sequence, stream the active mentors from Postgres into a fresh index, then follow
 * catalog.mentor.* from the captured sequence + 1 with an ordered consumer — no gap, and replays
 * are harmless because every event only says "re-read this
 * mentor": the row is read by id and upserted, or removed when it is gone or not active. Ids are
 * applied in batches (an import announces 100k approvals), latest state wins.
 */
export default fp(
  async function search(app: FastifyInstance) {
    const log = app.log.child({ component: 'search' })
    const repo = new SearchRepository(app.db)
    let index = new InMemoryMentorSearchIndex()

    const pending = new Set<string>()
    let closing = false
    let applying: Promise<void> | null = null
    const apply = async () => {
      while (pending.size > 0 && !closing) {
        const ids = [...pending].slice(0, BATCH)
        try {
          const current = await repo.current(ids)
          // only now: an id re-announced while we read stays pending and is read again
          for (const id of ids) {
            pending.delete(id)
            const doc = current.get(id)
            if (doc) index.upsert(doc)
            else index.remove(id)
          }
        } catch (err) {
          log.error({ err, ids: ids.length }, 'search index: re-reading mentors failed, will retry')
          await sleep(RETRY_MS)
        }
      }
    }
    const schedule = () => {
      applying ??= apply().finally(() => {
        applying = null
        if (pending.size > 0 && !closing) schedule()
      })
    }

    const follower = readModelFollower({
      bus: app.bus,
      stream: BUS_FOLLOWERS['mentor-catalog'].catalogMentors.stream.name,
      filterSubject: BUS_FOLLOWERS['mentor-catalog'].catalogMentors.filterSubject,
      name: 'search index',
      logger: log,
      notReady: () => `building (${index.size} mentors so far)`,
      build: async (signal) => {
        // a fresh index per attempt: a mentor a failed attempt loaded may be suspended since
        index = new InMemoryMentorSearchIndex()
        for await (const docs of repo.activeMentors()) {
          if (signal.aborted) return
          for (const doc of docs) index.upsert(doc)
        }
        // sorts the orders now rather than on the first request
        index.search({ page: 1, pageSize: 1 })
        index.releaseBuildCaches()
      },
      handler: (event) => {
        const id = mentorIdOf(event)
        if (!id) return
        pending.add(id)
        schedule()
      },
    })

    app.decorate('mentorSearch', {
      get index() {
        return index
      },
      get ready() {
        return follower.ready
      },
      whenReady: () => follower.whenReady(),
      settled: async () => {
        while (applying || pending.size > 0) await (applying ?? sleep(5))
      },
      stats: () => ({ size: index.size, ...follower.stats(), pending: pending.size }),
    } satisfies SearchReadModel)

    app.readiness.add('search-index', follower.check)

    const searchEvents = new SearchEvents(app.bus)
    app.decorate('searchEvents', searchEvents)

    app.addHook('onReady', async () => follower.start())

    app.addHook('onClose', async () => {
      closing = true
      // before the platform drains the bus: the last events get their acks (bounded wait)
      await searchEvents.close()
      await follower.close()
      await applying
    })
  },
  { name: 'mentor-search', dependencies: ['sunbae-platform'] },
)
