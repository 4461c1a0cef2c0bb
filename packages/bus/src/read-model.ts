import { setTimeout as sleep } from 'node:timers/promises'
import type { Bus } from './connection.ts'
import { followStream, streamLastSeq, type Follower, type FollowOptions } from './follow.ts'
import type { BusLogger } from './logger.ts'

export interface ReadModelOptions {
  bus: Bus
  stream: string
  /** one subject filter (NATS 2.9), e.g. `catalog.mentor.>` */
  filterSubject: string
  /** names the read model in its log lines */
  name: string
  /**
   * The first stream sequence the snapshot may miss, read BEFORE the snapshot. Default: the stream's
   * last sequence + 1. A read model fed by a durable consumer follows from that consumer's ack floor
   * + 1 instead: what is not yet acknowledged may not be in the database yet.
   */
  startSeq?: () => Promise<number>
  /**
   * Loads the snapshot (from the database) into the read model. An attempt that fails is retried
   * after a new start sequence was read, so each attempt must start from an empty model: what a
   * failed attempt loaded may have changed since, and that change is before the new start. The
   * signal aborts on close; a build that sees it may return early.
   */
  build: (signal: AbortSignal) => Promise<void>
  /** applies one followed event (see followStream); replays of events the snapshot has seen must be harmless */
  handler: FollowOptions['handler']
  /** readiness' failure message while the model is not ready (default "building") */
  notReady?: () => string
  /** the first retry waits this long, each further one twice as long up to maxRetryMs */
  retryMs?: number
  maxRetryMs?: number
  logger?: BusLogger
}

export interface ReadModelStats {
  /** duration of the successful build (ms) */
  buildMs: number | null
  followingFromSeq: number | null
  /** last stream sequence applied */
  lastSeq: number | null
}

export interface ReadModelFollower {
  readonly ready: boolean
  /** resolves once built and following (never, when closed first) */
  whenReady(): Promise<void>
  /** a readiness check: throws while not ready */
  check(): Promise<void>
  stats(): ReadModelStats
  /** builds in the background (retried until it succeeds or close), then follows the stream */
  start(): void
  /** stops building or following; waits for a running build attempt to return */
  close(): Promise<void>
}

/**
 * A per-process read model built from the database and kept current from a stream: capture the
 * start sequence, load the snapshot, follow the stream from that sequence with an ordered consumer.
 * Every event after the captured sequence is delivered, those the snapshot already reflects too —
 * no gap, at the price of idempotent replays. A failed build is retried with back-off; the model
 * is ready (and followed) only once one build succeeded.
 */
export function readModelFollower(opts: ReadModelOptions): ReadModelFollower {
  const { bus, stream, filterSubject, name } = opts
  const logger = opts.logger ?? bus.logger
  const retryMs = opts.retryMs ?? 1_000
  const maxRetryMs = opts.maxRetryMs ?? 30_000
  const abort = new AbortController()
  let ready = false
  let buildMs: number | null = null
  let followingFromSeq: number | null = null
  let follower: Follower | null = null
  let running: Promise<void> | null = null
  let readyResolve!: () => void
  const readyPromise = new Promise<void>((resolve) => (readyResolve = resolve))

  const attempt = async (): Promise<void> => {
    const t0 = performance.now()
    const startSeq = opts.startSeq ? await opts.startSeq() : (await streamLastSeq(bus, stream)) + 1
    await opts.build(abort.signal)
    if (abort.signal.aborted) return
    const ms = Math.round(performance.now() - t0)
    const f = await followStream({ bus, stream, filterSubject, startSeq, handler: opts.handler, logger })
    if (abort.signal.aborted) {
      await f.stop()
      return
    }
    follower = f
    buildMs = ms
    followingFromSeq = startSeq
    ready = true
    readyResolve()
    logger.info({ readModel: name, buildMs, followingFromSeq }, `${name} ready`)
  }

  const run = async (): Promise<void> => {
    for (let failures = 0; !abort.signal.aborted; failures++) {
      try {
        await attempt()
        return
      } catch (err) {
        if (abort.signal.aborted) return
        const delay = Math.min(retryMs * 2 ** failures, maxRetryMs)
        logger.error({ err, readModel: name, retryInMs: delay }, `${name} build failed, retrying`)
        await sleep(delay, undefined, { signal: abort.signal }).catch(() => {})
      }
    }
  }

  return {
    get ready() {
      return ready
    },
    whenReady: () => readyPromise,
    check: async () => {
      if (!ready) throw new Error(opts.notReady?.() ?? 'building')
    },
    stats: () => ({ buildMs, followingFromSeq, lastSeq: follower?.lastSeq ?? null }),
    start: () => {
      if (running || abort.signal.aborted) return
      running = run()
    },
    close: async () => {
      abort.abort()
      await running
      await follower?.stop()
    },
  }
}
