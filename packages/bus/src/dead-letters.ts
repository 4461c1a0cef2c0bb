import { headers as natsHeaders } from '@nats-io/nats-core'
import type { MsgRequest, StoredMsg } from '@nats-io/jetstream'
import { STREAMS } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { encodeJson } from './codec.ts'
import { isNotFound } from './streams.ts'

/** One message of the DEADLETTER stream (`dlq.<durable>.<original subject>`), as an operator reads it. */
export interface DeadLetter {
  /** its sequence in DEADLETTER: what `show` and `redrive` take */
  seq: number
  /** the consumer (durable) that gave up on it */
  consumer: string
  /** where the message was published originally */
  originalSubject: string
  /** when it was dead-lettered */
  failedAt: string | null
  deliveries: number | null
  error: { name: string | null; message: string | null }
  /** the event's id and type, when it was an event envelope */
  eventId: string | null
  eventType: string | null
  /** false for a payload that was not an event envelope: there is nothing to publish again */
  redrivable: boolean
}

export interface DeadLetterFilter {
  /** only this consumer's */
  durable?: string
  /** only those published originally on this subject (NATS wildcards allowed) */
  subject?: string
}

const STREAM = STREAMS.deadLetter.name
const TOKEN = /^[A-Za-z0-9_-]+$/
const SUBJECT = /^[A-Za-z0-9_*>-]+(\.[A-Za-z0-9_*>-]+)*$/

/** The DEADLETTER subject filter for a durable and an original subject; throws on a malformed one. */
export function deadLetterFilter(f: DeadLetterFilter = {}): string {
  if (f.durable !== undefined && !TOKEN.test(f.durable)) throw new RangeError(`not a durable name: ${f.durable}`)
  if (f.subject !== undefined && !SUBJECT.test(f.subject)) throw new RangeError(`not a subject: ${f.subject}`)
  return `dlq.${f.durable ?? '*'}.${f.subject ?? '>'}`
}

interface Body {
  event?: { id?: unknown; type?: unknown }
  raw?: unknown
  error?: { name?: unknown; message?: unknown }
  consumer?: unknown
  deliveries?: unknown
  failedAt?: unknown
}

function describe(m: StoredMsg): DeadLetter & { body: unknown } {
  const [, consumer = '', ...rest] = m.subject.split('.')
  let body: Body = {}
  try {
    body = m.json<Body>() ?? {}
  } catch {
    body = { raw: m.string() }
  }
  const event = body.event && typeof body.event === 'object' ? body.event : null
  return {
    seq: m.seq,
    consumer: typeof body.consumer === 'string' ? body.consumer : consumer,
    originalSubject: rest.join('.'),
    failedAt: typeof body.failedAt === 'string' ? body.failedAt : null,
    deliveries: typeof body.deliveries === 'number' ? body.deliveries : null,
    error: { name: typeof body.error?.name === 'string' ? body.error.name : null, message: typeof body.error?.message === 'string' ? body.error.message : null },
    eventId: typeof event?.id === 'string' ? event.id : null,
    eventType: typeof event?.type === 'string' ? event.type : null,
    redrivable: event !== null && typeof event.id === 'string',
    body,
  }
}

/** Dead letters in order, from `afterSeq`, at most `limit`; `total` counts all that match. */
export async function listDeadLetters(bus: Bus, f: DeadLetterFilter & { afterSeq?: number; limit?: number } = {}): Promise<{ items: DeadLetter[]; total: number; nextSeq: number | null }> {
  const filter = deadLetterFilter(f)
  const limit = Math.max(1, Math.min(f.limit ?? 100, 1_000))
  const info = await bus.jsm.streams.info(STREAM, { subjects_filter: filter }).catch((err: unknown) => {
    // no service has declared DEADLETTER yet: nothing was ever dead-lettered
    if (isNotFound(err)) return null
    throw err
  })
  if (!info) return { items: [], total: 0, nextSeq: null }
  const total = Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0)
  const items: DeadLetter[] = []
  let seq = Math.max(info.state.first_seq, (f.afterSeq ?? 0) + 1)
  while (items.length < limit && seq <= info.state.last_seq) {
    // STREAM.MSG.GET's next_by_subj (NATS 2.9+): the first message on or after seq matching the filter;
    // nats.js types it for direct gets only, the API takes it either way
    const m = await bus.jsm.streams.getMessage(STREAM, { seq, next_by_subj: filter } as unknown as MsgRequest).catch((err: unknown) => {
      if (isNotFound(err)) return null
      throw err
    })
    if (!m) break
    const { body: _body, ...d } = describe(m)
    items.push(d)
    seq = m.seq + 1
  }
  const nextSeq = items.length === limit ? items[items.length - 1]!.seq : null
  return { items, total, nextSeq }
}

/** One dead letter with its whole body (the event, the error, the stack), or null. */
export async function getDeadLetter(bus: Bus, seq: number): Promise<(DeadLetter & { body: unknown }) | null> {
  const m = await bus.jsm.streams.getMessage(STREAM, { seq }).catch((err: unknown) => {
    if (isNotFound(err)) return null
    throw err
  })
  return m ? describe(m) : null
}

export interface RedriveResult {
  /** published again on their original subject, and removed from DEADLETTER */
  redriven: number[]
  skipped: Array<{ seq: number; reason: string }>
}

/**
 * Publishes dead-lettered events again on their original subject — the sequences given, or every one
 * matching the filter — and removes them from DEADLETTER once JetStream has the new copy. Every
 * consumer of that subject sees it again: the one that gave up handles it (its transaction was rolled
 * back, so it holds no mark), the others skip it by their processed-event mark. A payload that was
 * not an event envelope is skipped (there is nothing to publish). Fix the cause before redriving: a
 * message that fails again is dead-lettered again.
 */
export async function redriveDeadLetters(bus: Bus, opts: DeadLetterFilter & { seqs?: readonly number[]; limit?: number }): Promise<RedriveResult> {
  const targets = opts.seqs?.length
    ? opts.seqs
    : (await listDeadLetters(bus, { ...opts, limit: opts.limit ?? 1_000 })).items.map((d) => d.seq)
  const result: RedriveResult = { redriven: [], skipped: [] }
  for (const seq of targets) {
    const d = await getDeadLetter(bus, seq)
    if (!d) {
      result.skipped.push({ seq, reason: 'no such dead letter' })
      continue
    }
    if (!d.redrivable) {
      result.skipped.push({ seq, reason: 'not an event envelope: nothing to publish again' })
      continue
    }
    const event = (d.body as Body).event!
    const h = natsHeaders()
    h.set('Sunbae-Redriven-From', `${STREAM}:${seq}`)
    // a message id of its own: the original's may still be inside the duplicate window
    await bus.js.publish(d.originalSubject, encodeJson(event), { msgID: `${String(event.id)}:redrive:${seq}`, headers: h })
    await bus.jsm.streams.deleteMessage(STREAM, seq)
    result.redriven.push(seq)
  }
  return result
}
