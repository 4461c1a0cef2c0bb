import type { Static, TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import { isDomainEventType, type DomainEvent, type EventActor, type EventDef } from '@sunbae/contracts'
import { createEvent, UnprocessableEvent, type EventHandler, type HandlerContext } from '@sunbae/bus'

// Compiled on first use and kept with the schema: the contracts are a fixed set of objects.
const validators = new WeakMap<TSchema, Validator>()

function validatorOf(schema: TSchema): Validator {
  let v = validators.get(schema)
  if (!v) {
    v = Compile(schema)
    validators.set(schema, v)
  }
  return v
}

/** Why `data` breaks the event's schema (the first few errors), or null when it conforms. */
function eventDataProblem(event: EventDef, data: unknown): string | null {
  const v = validatorOf(event.schema)
  if (v.Check(data)) return null
  const errors = [...v.Errors(data)].slice(0, 3)
  const described = errors.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')
  return `${event.type} v${event.version}: ${described || 'does not match its schema'}`
}

/** A service tried to publish data its own contract refuses: a bug in the producer, never sent. */
export class EventRefused extends Error {
  constructor(problem: string) {
    super(`event refused by its contract: ${problem}`)
    this.name = 'EventRefused'
  }
}

export interface EventMeta {
  actor: EventActor
  /** the entity the event is about */
  subject?: { type: string; id: string }
}

/** Builds the envelope of a contract event after checking `data` against its schema (throws EventRefused). */
export function domainEvent<E extends EventDef>(event: E, data: Static<E['schema']>, meta: EventMeta & { source: string }): DomainEvent<Static<E['schema']>, E['type']> {
  const problem = eventDataProblem(event, data)
  if (problem) throw new EventRefused(problem)
  return createEvent({ type: event.type, version: event.version, source: meta.source, actor: meta.actor, data, ...(meta.subject ? { subject: meta.subject } : {}) })
}

/** What a subscribed handler gets besides the data: the consumer's context and the whole envelope. */
export interface EventContext<D = unknown, DB = any> extends HandlerContext<DB> {
  event: DomainEvent<D>
}

export type TypedHandler<E extends EventDef, DB = any> = (data: Static<E['schema']>, ctx: EventContext<Static<E['schema']>, DB>) => Promise<void> | void

/** Subscribes a handler to one event (type and version) of the contracts. */
export type On<DB = any> = <E extends EventDef>(event: E, handler: TypedHandler<E, DB>) => void

interface Route {
  event: EventDef
  handler: TypedHandler<EventDef>
}

/**
 * A consumer's handler built from `on(Event, handler)` lines. The data is checked against the
 * subscribed event's schema before its handler runs. A type some contract defines but this consumer
 * does not subscribe to is skipped (acked). A type no contract defines, a version not subscribed or
 * data the schema refuses throws UnprocessableEvent: dead-lettered at once with the reason.
 */
export function eventRouter<DB = any>(define: (on: On<DB>) => void): EventHandler<DomainEvent, DB> {
  const routes = new Map<string, Map<number, Route>>()
  const on: On<DB> = (event, handler) => {
    const versions = routes.get(event.type) ?? new Map<number, Route>()
    if (versions.has(event.version)) throw new Error(`${event.type} v${event.version} is subscribed twice on one consumer`)
    versions.set(event.version, { event, handler: handler as TypedHandler<EventDef> })
    routes.set(event.type, versions)
  }
  define(on)
  if (routes.size === 0) throw new Error('a consumer subscribes to no event')

  return async (envelope, ctx) => {
    const versions = routes.get(envelope.type)
    if (!versions) {
      if (isDomainEventType(envelope.type)) return
      throw new UnprocessableEvent(`no contract defines the event type "${envelope.type}"`)
    }
    const route = versions.get(envelope.version)
    if (!route) {
      throw new UnprocessableEvent(`${envelope.type} v${String(envelope.version)} is not subscribed (this consumer knows v${[...versions.keys()].join(', v')})`)
    }
    const problem = eventDataProblem(route.event, envelope.data)
    if (problem) throw new UnprocessableEvent(`payload refused by its schema: ${problem}`)
    await route.handler(envelope.data, { ...ctx, event: envelope })
  }
}
