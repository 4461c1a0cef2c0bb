import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

/** What a pass may look at while it works. */
export interface PassContext {
  /** true once `stop()` was called: a pass draining batch after batch should return */
  readonly stopping: boolean
}

export interface PeriodicJobOptions<R> {
  /** for logs: "<name> failed; will retry" */
  name: string
  /** one pass: claims its rows itself (see below) and resolves with what it did */
  pass: (ctx: PassContext) => Promise<R>
  /** time between the end of a timer pass and the start of the next */
  intervalMs: number
  /** up to this much is added at random to each interval, so replicas started together spread out (default a tenth of it) */
  jitterMs?: number
  /** true: the pass found more than it could do (a full batch), run another at once, in the same run */
  again?: (result: R) => boolean
  /** the results of the passes of one run, as one (default: the last one's) */
  merge?: (a: R, b: R) => R
  /** after a timer pass: log what it did, if worth it */
  report?: (result: R, log: FastifyBaseLogger) => void
  logger: FastifyBaseLogger
}

/**
 * A named pass run every `intervalMs` (plus jitter) from `start()` until `stop()`, in every replica.
 *
 * The helper does not coordinate replicas: each pass must be safe beside the same pass in another
 * replica, which ours are by their SQL — they claim rows with `FOR UPDATE SKIP LOCKED` and move them
 * conditionally, writing the state change and its event in one transaction, so each effect happens
 * once whichever replica gets there. In one process, passes never overlap.
 *
 * `run()` is one run now (tests, and `soon()`): while a pass is running the caller shares that run
 * and it passes once more when the current pass ends, so work committed before the call is seen.
 * A pass that throws rejects its `run()`; on the timer it is logged and retried at the next tick,
 * never crashing the process. `stop()` cancels the timer and waits for the running pass.
 */
export class PeriodicJob<R> {
  readonly name: string
  readonly #o: PeriodicJobOptions<R>
  readonly #jitterMs: number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<R> | null = null
  #again = false
  #stopped = false
  readonly #ctx: PassContext

  constructor(opts: PeriodicJobOptions<R>) {
    if (!(opts.intervalMs > 0)) throw new Error(`periodic job ${opts.name}: intervalMs must be > 0, got ${opts.intervalMs}`)
    this.name = opts.name
    this.#o = opts
    this.#jitterMs = Math.max(0, opts.jitterMs ?? opts.intervalMs / 10)
    this.#ctx = Object.defineProperty({} as PassContext, 'stopping', { get: () => this.#stopped, enumerable: true })
  }

  /** true once `stop()` was called */
  get stopped(): boolean {
    return this.#stopped
  }

  /** The first pass at once, then one every interval. */
  start(): void {
    if (this.#stopped || this.#timer) return
    this.#schedule(0)
  }

  /** One run now; see the class comment. */
  run(): Promise<R> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    const run = (async () => {
      let total: R | undefined
      let first = true
      let more: boolean
      do {
        this.#again = false
        const r = await this.#o.pass(this.#ctx)
        total = first || !this.#o.merge ? r : this.#o.merge(total as R, r)
        first = false
        more = this.#again || (this.#o.again?.(r) ?? false)
      } while (more && !this.#stopped)
      return total as R
    })()
    this.#running = run.finally(() => (this.#running = null))
    return this.#running
  }

  /** A run after `delayMs` — e.g. once the caller's transaction, which queued work for it, has committed. */
  soon(delayMs = 50): void {
    if (this.#stopped) return
    setTimeout(() => {
      if (this.#stopped) return
      this.run().catch((err: unknown) => this.#o.logger.error({ err }, `${this.name} failed`))
    }, delayMs).unref()
  }

  /** No more passes; resolves when the running one (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running?.catch(() => {})
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.run()
        .then((r) => this.#o.report?.(r, this.#o.logger))
        .catch((err: unknown) => this.#o.logger.error({ err }, `${this.name} failed; will retry`))
        .finally(() => this.#schedule(this.#o.intervalMs + Math.random() * this.#jitterMs))
    }, delayMs)
    this.#timer.unref()
  }
}

/** A periodic job of this app: started when the app is ready, stopped (and drained) when it closes. */
export function periodicJob<R>(app: FastifyInstance, opts: Omit<PeriodicJobOptions<R>, 'logger'> & { logger?: FastifyBaseLogger }): PeriodicJob<R> {
  const job = new PeriodicJob<R>({ ...opts, logger: opts.logger ?? app.log.child({ job: opts.name }) })
  app.addHook('onReady', async () => job.start())
  app.addHook('onClose', async () => job.stop())
  return job
}
