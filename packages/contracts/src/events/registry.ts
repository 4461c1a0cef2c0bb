import type { TSchema } from 'typebox'
import { CatalogEvents } from './catalog.ts'
import { ChatEvents } from './chat.ts'
import { MatchingEvents } from './matching.ts'
import { MeetingEvents } from './meeting.ts'
import { PaymentEvents } from './payment.ts'

/**
 * One domain event of the contract: its type (= NATS subject), version and the schema of its data.
 * Producers publish and consumers subscribe with this object, so both are checked against the same schema.
 */
export interface EventDef<S extends TSchema = TSchema, T extends string = string> {
  readonly type: T
  readonly version: number
  readonly schema: S
}

/** Every domain event some contract defines (all versions). */
export const DOMAIN_EVENTS: readonly EventDef[] = [CatalogEvents, MatchingEvents, MeetingEvents, PaymentEvents, ChatEvents].flatMap((group) =>
  Object.values(group),
)

const knownTypes = new Set(DOMAIN_EVENTS.map((e) => e.type))

/** Whether some contract defines events of this type (a consumer skips those it does not subscribe to). */
export const isDomainEventType = (type: string): boolean => knownTypes.has(type)
