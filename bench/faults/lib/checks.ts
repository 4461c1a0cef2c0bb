// Lost and duplicated effects, counted against the owning services' own state (their schemas in the
// suite's own cluster, read as the superuser) once the row's journeys are done: every effect a
// journey was told happened must be there exactly once.
import pg from 'pg'
import type { JourneyRecord } from './journeys.ts'

/** One expected effect and how many times it is there (1 = right, 0 = lost, > 1 = duplicated). */
interface Effect {
  what: string
  sql: string
  params: unknown[]
  /** how many rows are right (default 1) */
  expected?: number
}

export interface CheckResult {
  effects: number
  lost: number
  duplicated: number
  /** what was lost or duplicated, `<what> ×<count>` */
  problems: string[]
}

function effectsOf(j: JourneyRecord): Effect[] {
  const e = (what: string, sql: string, ...params: unknown[]): Effect => ({ what: `${what} (${j.requestId.slice(0, 8)})`, sql, params })
  const outbox = (schema: string, subject: string, key: string, id: string) =>
    e(`${subject} published`, `select count(*)::int as n from ${schema}.outbox where subject = $1 and payload->'data'->>$2 = $3`, subject, key, id)
  return [
    e('request accepted', `select count(*)::int as n from matching.requests where id = $1 and state = 'accepted' and match_id = $2`, j.requestId, j.matchId),
    e('match', 'select count(*)::int as n from matching.matches where request_id = $1', j.requestId),
    outbox('matching', 'matching.request.accepted', 'requestId', j.requestId),
    e('chat room (mirror)', 'select count(*)::int as n from chat_bridge.rooms where match_id = $1', j.matchId),
    e("meeting's match", 'select count(*)::int as n from meeting.matches where match_id = $1', j.matchId),
    e('the accept notified to the mentee', `select count(*)::int as n from notification.notifications where event_type = 'matching.request.accepted' and recipient_uid = $1 and channel = 'in_app'`, j.menteeUid),
    e('booking cancelled', `select count(*)::int as n from meeting.bookings where id = $1 and state = 'cancelled'`, j.bookingId),
    outbox('meeting', 'meeting.booking.confirmed', 'bookingId', j.bookingId),
    outbox('meeting', 'meeting.booking.cancelled', 'bookingId', j.bookingId),
    e('payment of the booking', 'select count(*)::int as n from payment.payments where booking_id = $1', j.bookingId),
    e('payment refunded', `select count(*)::int as n from payment.payments where id = $1 and state = 'refunded'`, j.paymentId),
    outbox('payment', 'payment.succeeded', 'paymentId', j.paymentId),
    outbox('payment', 'payment.refunded', 'paymentId', j.paymentId),
    e('refund', `select count(*)::int as n from payment.refunds where payment_id = $1 and state = 'succeeded'`, j.paymentId),
    // one ledger transaction for the charge and one for the refund: two in all
    { ...e('ledger transactions (charge, refund)', 'select count(distinct txn_id)::int as n from payment.ledger_entries where payment_id = $1', j.paymentId), expected: 2 },
    e('the receipt notified to the mentee', `select count(*)::int as n from notification.notifications where event_type = 'payment.succeeded' and recipient_uid = $1 and channel = 'in_app'`, j.menteeUid),
  ]
}

/** tracking: every search the gateway answered is one access-log row, every 200 one search event. */
function trackingEffects(searches: Map<string, { responses: number; ok: number }>): { effect: Effect; expected: number }[] {
  return [...searches.entries()].flatMap(([keyword, c]) => [
    {
      effect: { what: `access log of q=${keyword}`, sql: `select count(*)::int as n from tracking.access_log where path = '/api/mentors' and query_params->>'q' = $1`, params: [keyword] },
      expected: c.responses,
    },
    { effect: { what: `search events of q=${keyword}`, sql: 'select count(*)::int as n from tracking.search_events where query = $1', params: [keyword] }, expected: c.ok },
  ])
}

/** Counts once; `lost`/`duplicated` are effects (tracking: records) missing or there too often. */
export async function checkEffects(adminUrl: string, journeys: JourneyRecord[], searches: Map<string, { responses: number; ok: number }>): Promise<CheckResult> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 })
  await client.connect()
  const out: CheckResult = { effects: 0, lost: 0, duplicated: 0, problems: [] }
  try {
    const all = [...journeys.flatMap((j) => effectsOf(j).map((effect) => ({ effect, expected: effect.expected ?? 1 }))), ...trackingEffects(searches)]
    for (const { effect, expected } of all) {
      const { rows } = await client.query<{ n: number }>(effect.sql, effect.params)
      const n = Number(rows[0]?.n ?? 0)
      out.effects += expected
      if (n < expected) {
        out.lost += expected - n
        out.problems.push(`${effect.what}: ${n} of ${expected}`)
      } else if (n > expected) {
        out.duplicated += n - expected
        out.problems.push(`${effect.what}: ${n} for ${expected}`)
      }
    }
  } finally {
    await client.end()
  }
  return out
}
