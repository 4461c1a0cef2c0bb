import { Type, type Static, type TSchema } from 'typebox'

export const EventActor = Type.Object({
  type: Type.Union([Type.Literal('user'), Type.Literal('system')]),
  id: Type.Union([Type.String(), Type.Null()]),
  role: Type.Optional(Type.String()),
})
export type EventActor = Static<typeof EventActor>

/** W3C trace context of the operation that produced the event. */
export const TraceContext = Type.Object({
  traceparent: Type.String(),
  tracestate: Type.Optional(Type.String()),
})
export type TraceContext = Static<typeof TraceContext>

/**
 * Every domain event travels in this envelope. `type` doubles as the NATS subject
 * (`<domain>.<entity>.<past-tense verb>`), `id` as the JetStream message id (dedup).
 */
export const EventEnvelope = <D extends TSchema>(data: D) =>
  Type.Object({
    id: Type.String({ description: 'UUIDv7, unique per event' }),
    type: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    occurredAt: Type.String({ format: 'date-time' }),
    source: Type.String({ description: 'service that produced the event' }),
    actor: EventActor,
    subject: Type.Optional(
      Type.Object({ type: Type.String(), id: Type.String() }, { description: 'the entity the event is about' }),
    ),
    trace: Type.Optional(TraceContext),
    data,
  })

export interface DomainEvent<D = unknown, T extends string = string> {
  id: string
  type: T
  version: number
  occurredAt: string
  source: string
  actor: EventActor
  subject?: { type: string; id: string }
  trace?: TraceContext
  data: D
}

export const AnyEventEnvelope = EventEnvelope(Type.Unknown())
