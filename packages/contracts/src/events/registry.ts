import type { EventDef } from './define.ts'
import { CatalogEvents } from './catalog.ts'
import { ChatEvents } from './chat.ts'
import { MatchingEvents } from './matching.ts'
import { MeetingEvents } from './meeting.ts'
import { PaymentEvents } from './payment.ts'

export type { EventDef } from './define.ts'
export { defineEvent } from './define.ts'

/** Every domain event some contract defines (all versions). */
export const DOMAIN_EVENTS: readonly EventDef[] = [CatalogEvents, MatchingEvents, MeetingEvents, PaymentEvents, ChatEvents].flatMap((group) =>
  Object.values(group),
)

const knownTypes = new Set(DOMAIN_EVENTS.map((e) => e.type))

/** Whether some contract defines events of this type (a consumer skips those it does not subscribe to). */
export const isDomainEventType = (type: string): boolean => knownTypes.has(type)
