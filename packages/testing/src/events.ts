import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream'

export interface ReadEventsOptions {
  /** where reading starts in the stream; tests pass the time their file started (streams hold older events) */
  since: Date
  /** stop once this many matching events were seen (default 1) … */
  count?: number
  /** … and this much longer passed, so that "exactly once" can be asserted (default 0) */
  settleMs?: number
  /** give up then and return what was seen (default 15 s) */
  timeoutMs?: number
}

/**
 * Reads `subject` of `stream` from `since` with a throw-away consumer and returns the events that
 * `match` accepts: what a service really published, for assertions like "published once".
 */
export async function readEvents<E = unknown>(
  js: JetStreamClient,
  stream: string,
  subject: string,
  match: (e: E) => boolean,
  opts: ReadEventsOptions,
): Promise<E[]> {
  const consumer = await js.consumers.get(stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: opts.since.toISOString(),
  })
  const found: E[] = []
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  let reachedAt: number | undefined
  while (Date.now() < deadline) {
    const m = await consumer.next({ expires: 1000 })
    if (m) {
      const e = m.json<E>()
      if (match(e)) found.push(e)
    }
    if (found.length >= (opts.count ?? 1)) {
      reachedAt ??= Date.now()
      if (Date.now() - reachedAt >= (opts.settleMs ?? 0)) break
    }
  }
  await consumer.delete().catch(() => {})
  return found
}
