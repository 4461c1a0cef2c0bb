import type { FastifyBaseLogger } from 'fastify'
import type { FirestoreFeed } from './firestore-feed.service.ts'

/**
 * Writes in-app rows to Firestore as soon as the commits that queued them wake it, with up to
 * `writers` batches in flight at once (each its own transaction, holding its own rows: SKIP LOCKED).
 *
 * One batch at a time made a row committed just after a batch had taken its rows wait for that
 * batch's Firestore commit and then for its own: two commits, and under load each of them long
 * (bench/notification). Now a wake starts a writer at once unless `writers` are busy; then the
 * first of them to finish takes another batch, which sees every row committed before it starts.
 * A writer goes on while it finds full batches; a failing one leaves its rows unsynced for the
 * next wake or the timer (`drain`).
 */
export class FeedSync {
  readonly #feed: FirestoreFeed
  readonly #batch: number
  readonly #writers: number
  readonly #log: FastifyBaseLogger
  readonly #running = new Set<Promise<number>>()
  /** a wake came while every writer was busy: the next to finish takes another batch */
  #more = false
  #stopped = false

  constructor(feed: FirestoreFeed, opts: { batch: number; writers: number; logger: FastifyBaseLogger }) {
    if (!(opts.batch >= 1 && opts.batch <= 500)) throw new Error(`feed sync: batch must be 1–500 (a Firestore batch's limit), got ${opts.batch}`)
    if (!(opts.writers >= 1)) throw new Error(`feed sync: writers must be ≥ 1, got ${opts.writers}`)
    this.#feed = feed
    this.#batch = opts.batch
    this.#writers = opts.writers
    this.#log = opts.logger
  }

  /** Batches being written now. */
  get writing(): number {
    return this.#running.size
  }

  /** After a commit that queued or changed in-app rows. */
  wake(): void {
    if (this.#stopped) return
    if (this.#running.size >= this.#writers) {
      this.#more = true
      return
    }
    this.#start().catch((err: unknown) => this.#log.error({ err }, 'firestore feed failed; the rows stay unsynced until the next wake or pass'))
  }

  /**
   * Writes everything committed before the call, and resolves when that is in Firestore with the
   * number of rows this call wrote: one writer of its own (beyond `writers`: the timer and tests),
   * and the writers already in flight, which hold rows it skips.
   */
  async drain(): Promise<number> {
    if (this.#stopped) return 0
    const before = [...this.#running]
    const [mine] = await Promise.all([this.#start(), ...before])
    return mine
  }

  /** No more batches; resolves when the ones in flight have ended. */
  async stop(): Promise<void> {
    this.#stopped = true
    await Promise.allSettled([...this.#running])
  }

  #start(): Promise<number> {
    const run = this.#write()
    this.#running.add(run)
    const gone = () => this.#running.delete(run)
    run.then(gone, gone)
    return run
  }

  async #write(): Promise<number> {
    let total = 0
    for (;;) {
      // cleared before the batch takes its rows: it sees every row committed before this point
      this.#more = false
      const n = await this.#feed.syncBatch(this.#batch)
      total += n
      if (this.#stopped || (n < this.#batch && !this.#more)) return total
    }
  }
}
