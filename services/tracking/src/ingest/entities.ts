import type { DomainEvent } from '@sunbae/contracts'

export interface EntityRef {
  type: string
  id: string | null
}

type Data = Record<string, unknown>
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null)

/**
 * Which entity an event type is about, and where its id sits in the payload, for events that do
 * not name their `subject`. Keyed by `<domain>.<entity>.`; the first id field present wins.
 */
const RULES: Record<string, { type: string; ids: string[] }> = {
  'catalog.user.': { type: 'user', ids: ['uid'] },
  'catalog.mentor.': { type: 'mentor', ids: ['id', 'mentorId'] },
  'catalog.review.': { type: 'review', ids: ['reviewId', 'id'] },
  'catalog.application.': { type: 'mentor_application', ids: ['applicationId', 'id'] },
  // the seed's "1:1 chat requests"
  'matching.request.': { type: 'chat_request', ids: ['requestId', 'id'] },
  'matching.match.': { type: 'match', ids: ['matchId', 'id'] },
  'matching.preferences.': { type: 'mentee_preferences', ids: ['uid', 'menteeUid'] },
  'meeting.booking.': { type: 'booking', ids: ['bookingId', 'id'] },
  'meeting.availability.': { type: 'availability', ids: ['mentorId', 'id'] },
  'payment.payment.': { type: 'payment', ids: ['paymentId', 'id'] },
  'payment.refund.': { type: 'refund', ids: ['refundId', 'id'] },
  'chat.room.': { type: 'chat_room', ids: ['roomId', 'id'] },
  'chat.message.': { type: 'chat_message', ids: ['messageId', 'id'] },
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase().slice(0, 64)

/**
 * The entity of an audit row: the event's own `subject` when the producer named it (it knows
 * best), else the rule for its type, else a generic guess — the type's middle segment
 * (`payment.payout.sent` → `payout`) with `data.id` or `data.<segment>Id`.
 */
export function entityOf(e: Pick<DomainEvent, 'type' | 'data' | 'subject'>): EntityRef {
  if (e.subject && typeof e.subject.type === 'string' && e.subject.type) {
    return { type: snake(e.subject.type), id: str(e.subject.id) }
  }
  const data: Data = e.data !== null && typeof e.data === 'object' ? (e.data as Data) : {}
  for (const [prefix, rule] of Object.entries(RULES)) {
    if (!e.type.startsWith(prefix)) continue
    for (const field of rule.ids) {
      const id = str(data[field])
      if (id) return { type: rule.type, id }
    }
    return { type: rule.type, id: null }
  }
  const parts = e.type.split('.')
  const segment = parts.length >= 3 ? parts[1]! : (parts[0] ?? 'event')
  return { type: snake(segment) || 'event', id: str(data.id) ?? str(data[`${segment}Id`]) }
}
