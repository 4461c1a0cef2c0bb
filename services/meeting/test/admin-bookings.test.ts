// Issue 21: an admin lists bookings by state, party and session time, reads one with its history and
// what cancelling it would refund, and cancels on a party's behalf with a reason (audited: the
// event's actor is the admin; payment refunds by the event as for any cancellation).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { allDay, buildMeeting, hoursAhead, match, mentor, pay, readEvents, setAvailability, user, waitForState, type Mentor, type User } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMeeting()
})
t.teardown(async () => {
  await app.close()
})

const PRICE = 60_000
const admin = user('admin')

async function session(m: Mentor, mentee: User, hours: number, paid = true): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/meetings/bookings', headers: mentee.h(), payload: { mentorId: m.id, start: hoursAhead(hours), duration: 60 } })
  if (res.statusCode !== 201) throw new Error(`book: ${res.statusCode} ${res.body}`)
  const id = res.json().id as string
  if (paid) {
    await pay(app, 'succeeded', id, PRICE)
    await waitForState(app, id, 'confirmed')
  }
  return id
}

const get = (who: User, url: string) => app.inject({ method: 'GET', url, headers: who.h() })

t.test('admin bookings', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay({ pricePerHour: PRICE }))
  const mentee = user()
  await match(app, m, mentee)
  const soon = await session(m, mentee, 5) // partial window: 50 %
  const later = await session(m, mentee, 50) // full window
  const held = await session(m, mentee, 80, false)

  await t.test('a mentee or a mentor gets 403 on every admin route', async (t) => {
    for (const who of [mentee, m]) {
      t.equal((await get(who, '/api/admin/meetings/bookings')).statusCode, 403)
      t.equal((await get(who, `/api/admin/meetings/bookings/${soon}`)).statusCode, 403)
      const c = await app.inject({ method: 'POST', url: `/api/admin/meetings/bookings/${soon}/cancel`, headers: who.h(), payload: { onBehalfOf: 'mentee', reason: 'x' } })
      t.equal(c.statusCode, 403)
    }
  })

  await t.test('the list filters by state, mentor, mentee and session start; pages', async (t) => {
    const all = (await get(admin, `/api/admin/meetings/bookings?mentorId=${m.id}`)).json()
    t.equal(all.total, 3)
    t.same(all.items.map((b: { id: string }) => b.id), [held, later, soon], 'latest session first')
    const confirmed = (await get(admin, `/api/admin/meetings/bookings?mentorId=${m.id}&state=confirmed`)).json()
    t.same(confirmed.items.map((b: { id: string }) => b.id).sort(), [soon, later].sort())
    const byMentee = (await get(admin, `/api/admin/meetings/bookings?menteeUid=${mentee.uid}&mentorUid=${m.uid}`)).json()
    t.equal(byMentee.total, 3)
    t.equal((await get(admin, `/api/admin/meetings/bookings?menteeUid=nobody-${mentee.uid}`)).json().total, 0)
    const window = (await get(admin, `/api/admin/meetings/bookings?mentorId=${m.id}&from=${encodeURIComponent(hoursAhead(24))}&to=${encodeURIComponent(hoursAhead(60))}`)).json()
    t.same(window.items.map((b: { id: string }) => b.id), [later], 'from inclusive, to exclusive, on the session start')
    const page2 = (await get(admin, `/api/admin/meetings/bookings?mentorId=${m.id}&pageSize=2&page=2`)).json()
    t.match(page2, { page: 2, pageSize: 2, total: 3 })
    t.same(page2.items.map((b: { id: string }) => b.id), [soon])
    t.equal((await get(admin, '/api/admin/meetings/bookings?from=yesterday')).statusCode, 400)
  })

  await t.test('detail: history and what cancelling now would refund on each side', async (t) => {
    const d = (await get(admin, `/api/admin/meetings/bookings/${soon}`)).json()
    t.equal(d.booking.id, soon)
    t.match(d.history, [{ state: 'held', by: 'mentee', actorUid: mentee.uid }, { state: 'confirmed', by: 'system', reason: 'payment_succeeded' }])
    t.match(d.refundIfCancelled, { mentee: { outcome: 'partial', percent: 50, amount: 30_000 }, mentor: { outcome: 'full', amount: PRICE } })
    t.equal((await get(admin, '/api/admin/meetings/bookings/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  })

  await t.test("cancel on the mentee's behalf: their refund rule, the admin in the history and as the event's actor", async (t) => {
    const bad = await app.inject({ method: 'POST', url: `/api/admin/meetings/bookings/${soon}/cancel`, headers: admin.h(), payload: { onBehalfOf: 'mentee', reason: ' ' } })
    t.equal(bad.statusCode, 400, 'a reason is required')
    const res = await app.inject({ method: 'POST', url: `/api/admin/meetings/bookings/${soon}/cancel`, headers: admin.h(), payload: { onBehalfOf: 'mentee', reason: '멘티 요청(전화)' } })
    t.equal(res.statusCode, 200, res.body)
    const d = res.json()
    t.match(d.booking, { state: 'cancelled', cancelledBy: 'mentee', closedByAdmin: admin.uid, refund: { outcome: 'partial', amount: 30_000 } })
    t.equal(d.refundIfCancelled, null, 'nothing left to cancel')
    t.match(d.history.at(-1), { state: 'cancelled', by: 'admin', actorUid: admin.uid, refund: { amount: 30_000 } })
    t.match(d.history.at(-1).reason, /멘티 요청\(전화\).*mentee/)
    const [ev] = await readEvents(app, 'meeting.booking.cancelled', (e) => e.data.bookingId === soon)
    t.match(ev, { actor: { type: 'user', id: admin.uid, role: 'admin' }, subject: { type: 'booking', id: soon } })
    t.match(ev!.data, { cancelledBy: 'mentee', reason: '멘티 요청(전화)', refund: { outcome: 'partial', amount: 30_000 } })
    const again = await app.inject({ method: 'POST', url: `/api/admin/meetings/bookings/${soon}/cancel`, headers: admin.h(), payload: { onBehalfOf: 'mentee', reason: '또' } })
    t.equal(again.statusCode, 409)
    t.equal(again.json().error.code, 'BOOKING_NOT_ACTIVE')
  })

  await t.test("cancel on the mentor's behalf refunds in full; a hold refunds nothing", async (t) => {
    const res = await app.inject({ method: 'POST', url: `/api/admin/meetings/bookings/${later}/cancel`, headers: admin.h(), payload: { onBehalfOf: 'mentor', reason: '멘토 병가' } })
    t.match(res.json().booking, { state: 'cancelled', cancelledBy: 'mentor', refund: { outcome: 'full', amount: PRICE } })
    const h = await app.inject({ method: 'POST', url: `/api/admin/meetings/bookings/${held}/cancel`, headers: admin.h(), payload: { onBehalfOf: 'mentee', reason: '중복 예약' } })
    t.match(h.json().booking, { state: 'cancelled', refund: null })
    // the mentee sees the cancellation like their own
    const mine = await get(mentee, `/api/meetings/bookings/${later}`)
    t.match(mine.json(), { state: 'cancelled', cancelledBy: 'mentor', reason: '멘토 병가' })
  })
})
