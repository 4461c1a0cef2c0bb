import { STREAMS } from '@sunbae/contracts'
import type { Bus } from './connection.ts'
import { isNotFound } from './streams.ts'

/** How far a durable consumer is behind its stream, from the server's consumer info. */
export interface ConsumerLag {
  stream: string
  durable: string
  /** messages matching the filter not yet delivered to the consumer (JetStream `num_pending`) */
  pending: number
  /** delivered and not yet acknowledged: being handled, or waiting for a redelivery (`num_ack_pending`) */
  ackPending: number
}

/** The durables pulling on `bus`, each once (two consumers of one durable share its server state). */
function durables(bus: Bus): Array<{ stream: string; durable: string }> {
  const seen = new Map<string, { stream: string; durable: string }>()
  for (const d of bus.durables) seen.set(`${d.stream}\0${d.durable}`, { stream: d.stream, durable: d.durable })
  return [...seen.values()]
}

/**
 * One consumer-info request per durable pulling on `bus` (what a service's /metrics samples; cheap:
 * the server keeps these counts). A durable the server no longer knows is left out; any other
 * failure (NATS away) rejects, and the caller reports nothing rather than stale numbers.
 */
export async function consumerLag(bus: Bus): Promise<ConsumerLag[]> {
  const infos = await Promise.all(
    durables(bus).map(async ({ stream, durable }) => {
      const info = await bus.jsm.consumers.info(stream, durable).catch((err: unknown) => {
        if (isNotFound(err)) return null
        throw err
      })
      return info && { stream, durable, pending: info.num_pending, ackPending: info.num_ack_pending }
    }),
  )
  return infos.filter((i): i is ConsumerLag => i !== null)
}

/**
 * Dead letters waiting per durable pulling on `bus`: messages of the DEADLETTER stream under
 * `dlq.<durable>.>` (where the consumers dead-letter), 0 for a durable with none. One STREAM.INFO
 * with a subject filter per call, answered from the server's per-subject counts; the bus user may
 * ask it (every service declares DEADLETTER at boot).
 */
export async function deadLetterCounts(bus: Bus): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  const names = durables(bus).map((d) => d.durable)
  for (const name of names) counts.set(name, 0)
  if (names.length === 0) return counts
  const info = await bus.jsm.streams.info(STREAMS.deadLetter.name, { subjects_filter: names.length === 1 ? `dlq.${names[0]}.>` : 'dlq.>' }).catch((err: unknown) => {
    // not declared yet: nothing was ever dead-lettered
    if (isNotFound(err)) return null
    throw err
  })
  for (const [subject, n] of Object.entries(info?.state.subjects ?? {})) {
    const durable = subject.split('.', 2)[1]
    if (durable !== undefined && counts.has(durable)) counts.set(durable, counts.get(durable)! + n)
  }
  return counts
}
