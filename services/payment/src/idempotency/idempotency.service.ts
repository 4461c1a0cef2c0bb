import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { configure } from 'safe-stable-stringify'
import { AppError, conflict } from '@sunbae/service-kit'
import type { IdempotencyRepository } from './idempotency.repository.ts'

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
const canonical = configure({ deterministic: true, bigint: true, circularValue: Error })

export interface StoredResponse {
  statusCode: number
  body: unknown
  replayed: boolean
}

/** The fingerprint of a request: method, route pattern and its parameters (ids and body). */
export function requestHash(method: string, route: string, params: unknown): string {
  return createHash('sha256').update(canonical({ m: method, r: route, p: params }) ?? 'null').digest('hex')
}

/** Answers a retry should replay; 404 and 409 describe a moment (the booking not known yet, a state) and are not kept. */
const keeps = (status: number) => status < 500 && status !== 404 && status !== 409

/** What the handler is told: `resumed` when it took over the key of a request that died mid-way. */
export interface Attempt {
  resumed: boolean
}
type Handler = (attempt: Attempt) => Promise<{ statusCode: number; body: unknown }>

/**
 * Idempotency-Key, in the database: the first request inserts (and commits) the key's row before it
 * does any work; a concurrent request with the same key finds the row and waits for its response,
 * then replays it; a later retry replays it at once. The request's fingerprint (method, route,
 * parameters) is stored too: the same key with other parameters is a 422. The key is held by a
 * lease that the running request renews (a heartbeat); a row whose request died (a crash, kill -9)
 * stops being renewed and is taken over by the next retry within a lease — the handler is then told
 * it resumes, since the dead request may have done part of its work. Keys expire after the TTL.
 */
export class Idempotency {
  readonly #repo: IdempotencyRepository
  readonly #ttlSec: number
  readonly #waitMs: number
  /** how long after its last renewal a retry may assume a key's request died */
  readonly #leaseSec: number

  constructor(repo: IdempotencyRepository, opts: { ttlHours: number; waitMs: number; leaseMs: number }) {
    this.#repo = repo
    this.#ttlSec = Math.round(opts.ttlHours * 3600)
    this.#waitMs = opts.waitMs
    this.#leaseSec = opts.leaseMs / 1000
  }

  async run(scope: { owner: string; key: string | undefined; method: string; route: string; params: unknown }, handler: Handler): Promise<StoredResponse> {
    if (scope.key === undefined) return { ...(await handler({ resumed: false })), replayed: false }
    const { owner, key } = scope
    const hash = requestHash(scope.method, scope.route, scope.params)
    const deadline = Date.now() + this.#waitMs
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      await this.#repo.dropIfExpired(owner, key)
      if (await this.#repo.claim(owner, key, hash, this.#leaseSec, this.#ttlSec)) return this.#work(owner, key, handler, { resumed: false })

      const row = await this.#repo.find(owner, key)
      if (!row) continue // deleted meanwhile (its request failed): try to take it
      if (row.request_hash !== hash) {
        throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with other parameters; use a new key for a new request')
      }
      if (row.status_code !== null) return { statusCode: row.status_code, body: row.response, replayed: true }
      // the first request died mid-way: take its key over
      if (await this.#repo.takeOver(owner, key, this.#leaseSec)) return this.#work(owner, key, handler, { resumed: true })
      if (Date.now() > deadline) throw conflict('A request with this Idempotency-Key is still in progress; retry later', 'IDEMPOTENCY_KEY_IN_USE')
      await sleep(delay)
    }
  }

  async #work(owner: string, key: string, handler: Handler, attempt: Attempt): Promise<StoredResponse> {
    let result: { statusCode: number; body: unknown }
    const heartbeat = this.#heartbeat(owner, key)
    try {
      result = await handler(attempt)
    } catch (err) {
      await heartbeat.stop()
      const status = err instanceof AppError ? err.statusCode : 500
      if (err instanceof AppError && keeps(status)) {
        const body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }
        await this.#repo.storeResponse(owner, key, status, body)
      } else {
        // nothing to replay: the next retry runs the request again
        await this.#repo.release(owner, key, { unanswered: true })
      }
      throw err
    }
    await heartbeat.stop()
    if (keeps(result.statusCode)) await this.#repo.storeResponse(owner, key, result.statusCode, result.body)
    else await this.#repo.release(owner, key)
    return { ...result, replayed: false }
  }

  /**
   * Renews the key's lease every third of it while its request runs, so that only a dead request's
   * key runs out. A failed renewal is tried again at the next beat (Postgres may be back by then).
   */
  #heartbeat(owner: string, key: string): { stop(): Promise<void> } {
    let beat: Promise<unknown> = Promise.resolve()
    const timer = setInterval(
      () => {
        beat = this.#repo.renew(owner, key, this.#leaseSec).catch(() => {})
      },
      Math.max(50, Math.floor((this.#leaseSec * 1000) / 3)),
    )
    timer.unref()
    return {
      stop: async () => {
        clearInterval(timer)
        // a renewal in flight lands before the response is stored or the key dropped
        await beat
      },
    }
  }

  /** Drops expired keys (the periodic job). */
  purgeExpired(): Promise<number> {
    return this.#repo.purgeExpired()
  }
}
