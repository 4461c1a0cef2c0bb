// Issue 16, defect 3: a refund follows the policy of the session as first booked. Rescheduling a
// session that is already inside the partial (or no-refund) window must not buy a full refund back,
// however many times it is moved; the mentor changing the policy later does not change a booked
// session's; the mentor's own moves never cost the mentee.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { allDay, buildMeeting, hoursAhead, match, mentor, pay, publish, readEvents, setAvailability, user, waitForState, type Mentor, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMeeting()
})
t.teardown(async () => {
  await app.close()
})

const PRICE = 60_000
type Who = { h(): Record<string, string> }

async function paidMentor(over: Parameters<typeof allDay>[0] = {}): Promise<{ m: Mentor; mentee: User }> {
  const m = await mentor(app)
  // 60 000 KRW an hour; 100 % at ≥ 24 h, 50 % at ≥ 2 h, else nothing (allDay's policy)
  await setAvailability(app, m, allDay({ pricePerHour: PRICE, ...over }))
  const mentee = user()
  await match(app, m, mentee)
  return { m, mentee }
}

/** A paid, confirmed one-hour session `hours` from now. */
async function confirmedSession(m: Mentor, mentee: User, hours: number): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/meetings/bookings', headers: mentee.h(), payload: { mentorId: m.id, start: hoursAhead(hours), duration: 60 } })
  if (res.statusCode !== 201) throw new Error(`book: ${res.statusCode} ${res.body}`)
  const id = res.json().id as string
  await pay(app, 'succeeded', id, PRICE)
  await waitForState(app, id, 'confirmed')
  return id
}

async function reschedule(who: Who, id: string, hours: number): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${id}/reschedule`, headers: who.h(), payload: { start: hoursAhead(hours), reason: '시간을 옮겨요' } })
  if (res.statusCode !== 200) throw new Error(`reschedule: ${res.statusCode} ${res.body}`)
  return res.json().id as string
}

async function cancel(who: Who, id: string) {
  const res = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${id}/cancel`, headers: who.h(), payload: { reason: '못 가요' } })
  if (res.statusCode !== 200) throw new Error(`cancel: ${res.statusCode} ${res.body}`)
  return res.json().refund as { outcome: string; percent: number; amount: number } | null
}

t.test('a mentee moving a session in the partial window to ≥ 24 h away, then cancelling, gets the partial refund, not a full one', async (t) => {
  const { m, mentee } = await paidMentor()
  const first = await confirmedSession(m, mentee, 5)
  const moved = await reschedule(mentee, first, 48)
  const refund = await cancel(mentee, moved)
  t.match(refund, { outcome: 'partial', percent: 50, amount: 30_000 }, 'what cancelling 5 h before the session as first booked earns')
  const [ev] = await readEvents(app, 'meeting.booking.cancelled', (e) => e.data.bookingId === moved)
  t.match(ev!.data.refund, { outcome: 'partial', percent: 50, amount: 30_000 }, 'and that is what the payment service is told to refund')
})

t.test('a chain A → B → C keeps the refund of A as it was when first moved', async (t) => {
  const { m, mentee } = await paidMentor()
  const a = await confirmedSession(m, mentee, 5)
  const b = await reschedule(mentee, a, 48)
  const c = await reschedule(mentee, b, 72)
  t.match(await cancel(mentee, c), { outcome: 'partial', percent: 50, amount: 30_000 })
})

t.test('moving a session out of the no-refund window does not buy a refund', async (t) => {
  // a mentor who lets mentees reschedule until the start: the move itself is allowed, the refund stays none
  const { m, mentee } = await paidMentor({ rescheduleNoticeHours: 0 })
  const soon = await confirmedSession(m, mentee, 1)
  const moved = await reschedule(mentee, soon, 48)
  t.match(await cancel(mentee, moved), { outcome: 'none', percent: 0, amount: 0 })
})

t.test('a mentee moving a session while still in the full window keeps the full refund, judged again by the new time', async (t) => {
  const { m, mentee } = await paidMentor()
  const early = await confirmedSession(m, mentee, 48)
  const later = await reschedule(mentee, early, 72)
  t.match(await cancel(mentee, later), { outcome: 'full', percent: 100, amount: PRICE }, 'nothing lost by moving early')
  const a = await confirmedSession(m, mentee, 50)
  const near = await reschedule(mentee, a, 5)
  t.match(await cancel(mentee, near), { outcome: 'partial', percent: 50 }, 'moved closer: the new start counts too')
})

t.test("the mentor's moves never cost the mentee", async (t) => {
  const { m, mentee } = await paidMentor()
  const a = await confirmedSession(m, mentee, 48)
  const near = await reschedule(m, a, 3)
  t.match(await cancel(mentee, near), { outcome: 'full', percent: 100, amount: PRICE }, 'the mentor moved it into the partial window: the mentee may still leave with everything')
  const b = await confirmedSession(m, mentee, 5)
  const byMentee = await reschedule(mentee, b, 30)
  const byMentor = await reschedule(m, byMentee, 60)
  t.match(await cancel(mentee, byMentor), { outcome: 'partial', percent: 50 }, "the mentor's later move neither lowers nor raises what the mentee's own move left")
  const c = await confirmedSession(m, mentee, 4)
  const d = await reschedule(mentee, c, 30)
  t.match(await cancel(m, d), { outcome: 'full', percent: 100, amount: PRICE }, 'the mentor cancelling refunds in full, whatever the history')
})

t.test("a booked session keeps the refund policy it was booked under when the mentor changes theirs", async (t) => {
  const { m, mentee } = await paidMentor()
  const a = await confirmedSession(m, mentee, 48)
  await setAvailability(app, m, allDay({ pricePerHour: PRICE, fullRefundHours: 24 * 7, partialRefundPercent: 0 }))
  t.match(await cancel(mentee, a), { outcome: 'full', percent: 100, amount: PRICE }, '48 h before under the policy as booked: full')
  const b = await confirmedSession(m, mentee, 48)
  t.match(await cancel(mentee, b), { outcome: 'none', percent: 0 }, 'a session booked after the change follows the new policy')
})

t.test('catalog.user.deleted: the deleted account\'s sessions still to come are cancelled with a full refund, once', async (t) => {
  const { m, mentee } = await paidMentor()
  // inside the partial window: a mentee's own cancel would get 50 %; an erasure refunds in full
  const soon = await confirmedSession(m, mentee, 5)
  const later = await confirmedSession(m, mentee, 48)
  const deleted = { uid: mentee.uid, deletedAt: new Date().toISOString() }
  await publish(app, 'catalog.user.deleted', 1, 'mentor-catalog', deleted)
  await waitForState(app, soon, 'cancelled')
  await waitForState(app, later, 'cancelled')
  for (const id of [soon, later]) {
    const [ev] = await readEvents(app, 'meeting.booking.cancelled', (e) => e.data.bookingId === id)
    t.match(ev!.data, { cancelledBy: 'mentee', reason: 'account deleted', refund: { outcome: 'full', percent: 100, amount: PRICE } }, 'the other party is told; the refund is full')
  }
  // a redelivery (a second event for the same account) finds nothing left to cancel
  await publish(app, 'catalog.user.deleted', 1, 'mentor-catalog', deleted)
  const other = user()
  await match(app, m, other)
  const unaffected = await confirmedSession(m, other, 30)
  const events = await readEvents(app, 'meeting.booking.cancelled', (e) => e.data.bookingId === soon || e.data.bookingId === later, { settleMs: 1_500 })
  t.equal(events.length, 2, 'one cancellation per session, not two')
  const row = await app.inject({ method: 'GET', url: `/api/meetings/bookings/${unaffected}`, headers: other.h() })
  t.equal(row.json().state, 'confirmed', "another mentee's session stays")
})
