import { v7 as uuidv7 } from 'uuid'
import type { DomainEvent, EventActor } from '@sunbae/contracts'
import { traceCarrier } from './trace.ts'

export interface CreateEventInput<D, T extends string> {
  type: T
  version: number
  source: string
  actor: EventActor
  data: D
  subject?: { type: string; id: string }
}

/**
 * Builds the envelope. The trace context is captured now, while the producing operation's span is
 * active, because the relay publishes later from a context of its own.
 */
export function createEvent<D, T extends string = string>(input: CreateEventInput<D, T>): DomainEvent<D, T> {
  const trace = traceCarrier()
  return {
    id: uuidv7(),
    type: input.type,
    version: input.version,
    occurredAt: new Date().toISOString(),
    source: input.source,
    actor: input.actor,
    ...(input.subject ? { subject: input.subject } : {}),
    ...(trace ? { trace } : {}),
    data: input.data,
  }
}
