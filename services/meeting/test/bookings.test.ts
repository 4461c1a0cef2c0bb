import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { allDay, buildMeeting, endMatch, hoursAhead, match, mentor, pay, readEvents, setAvailability, user, waitForState } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMeeting({ WEB_BASE_URL: 'https://web.example.test/' })
})
t.teardown(async () => {
  await app.close()
})

const book = (who: { h(): Record<string, string> }, mentorId: string, start: string, duration = 60) =>
  app.inject({ method: 'POST', url: '/api/meetings/bookings', headers: who.h(), payload: { mentorId, start, duration } })

t.test('availability: a mentor sets it, bad input is a 400, and the slots are public', async (t) => {
  const m = await mentor(app)
  const bad = await app.inject({ method: 'PUT', url: '/api/meetings/availability', headers: m.h(), payload: allDay({ timezone: 'Mars/Olympus' }) })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { error: { details: [{ field: 'body/timezone' }] } })
  const overlap = await app.inject({
    method: 'PUT',
    url: '/api/meetings/availability',
    headers: m.h(),
    payload: allDay({ weekly: { mon: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] } }),
  })
  t.equal(overlap.statusCode, 400, 'overlapping windows')
  const mentee = user()
  t.equal((await app.inject({ method: 'PUT', url: '/api/meetings/availability', headers: mentee.h(), payload: allDay() })).statusCode, 403, 'mentees cannot')

  await setAvailability(app, m, allDay({ timezone: 'Asia/Seoul', weekly: { tue: [{ start: '19:00', end: '21:00' }] }, durations: [30, 60], slotIntervalMin: null }))
  const own = await app.inject({ method: 'GET', url: '/api/meetings/availability', headers: m.h() })
  t.equal(own.statusCode, 200)
  t.same(own.json().durations, [30, 60])
  const [updated] = await readEvents(app, 'meeting.availability.updated', (e) => e.data.mentorId === m.id)
  t.match(updated!.data, { mentorUid: m.uid, timezone: 'Asia/Seoul', durations: [30, 60] })

  const from = new Date(Date.now() + 24 * 3_600_000).toISOString()
  const to = new Date(Date.now() + 15 * 24 * 3_600_000).toISOString()
  const res = await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=${from}&to=${to}&duration=60&tz=America/New_York` })
  t.equal(res.statusCode, 200, 'no identity needed')
  const body = res.json()
  t.equal(body.timezone, 'America/New_York')
  t.equal(body.mentorTimezone, 'Asia/Seoul')
  t.same([body.durations, body.policy], [[30, 60], { pricePerHour: 0, fullRefundHours: 24, partialRefundHours: 2, partialRefundPercent: 50, rescheduleNoticeHours: 2 }], 'the booking page learns the lengths, price and policy')
  t.ok(body.slots.length >= 2 && body.slots.length <= 6, `${body.slots.length} one-hour slots on Tuesdays 19–21 KST in two weeks`)
  for (const s of body.slots) {
    t.match(s.start, /T1[01]:00:00\.000Z$/, '19:00 or 20:00 KST is 10:00 or 11:00 UTC')
    t.match(s.localStart, /T0[5-7]:00:00\.000-0[45]:00$/, 'and early morning in New York')
  }
  t.equal((await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=${from}&to=${to}&tz=Nowhere/Land` })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=${to}&to=${from}` })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=${from}&to=${to}&duration=45` })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=nope&to=${to}` })).statusCode, 400)
})

t.test('booking needs an active match; a free session confirms at once with a video room and an .ics', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay())
  const mentee = user()
  const start = hoursAhead(30)

  const refused = await book(mentee, m.id, start)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().error.code, 'NO_ACTIVE_MATCH')

  const matchId = await match(app, m, mentee)
  const res = await book(mentee, m.id, start)
  t.equal(res.statusCode, 201, res.body)
  const b = res.json()
  t.equal(b.state, 'confirmed')
  t.equal(b.price, 0)
  t.equal(b.roomUrl, `https://web.example.test/sessions/${b.id}/room`, "the session's room page in the web app")
  t.equal(b.videoUrl, b.roomUrl, 'also as videoUrl while confirmed')
  t.same(b.attendance, { mentee: { joinedAt: null }, mentor: { joinedAt: null } }, 'nobody has joined yet')

  const slots = await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=${start}&to=${new Date(Date.parse(start) + 3_600_000).toISOString()}` })
  t.same(slots.json().slots, [], 'the slot is gone')

  const ics = await app.inject({ method: 'GET', url: `/api/meetings/bookings/${b.id}/ics`, headers: m.h() })
  t.equal(ics.statusCode, 200)
  t.match(ics.headers['content-type'], /^text\/calendar/)
  const startStamp = start.replace(/[-:]/g, '').replace('.000', '')
  t.match(ics.body, /BEGIN:VCALENDAR/)
  t.ok(ics.body.includes(`DTSTART:${startStamp}`), `DTSTART:${startStamp}`)
  t.ok(ics.body.includes(`UID:${b.id}@sunbae`))

  const stranger = user()
  t.equal((await app.inject({ method: 'GET', url: `/api/meetings/bookings/${b.id}`, headers: stranger.h() })).statusCode, 403)

  const upcoming = await app.inject({ method: 'GET', url: '/api/meetings/upcoming', headers: mentee.h() })
  t.same(upcoming.json().items.map((x: { id: string }) => x.id), [b.id])
  const mentorView = await app.inject({ method: 'GET', url: '/api/meetings/upcoming', headers: m.h() })
  t.same(mentorView.json().items.map((x: { id: string }) => x.id), [b.id], 'the mentor sees it too')

  const events = await readEvents(app, 'meeting.booking.confirmed', (e) => e.data.bookingId === b.id)
  t.equal(events.length, 1)
  t.equal(events[0]!.data.videoUrl, b.videoUrl)

  await endMatch(app, m, mentee, matchId)
  const after = await book(mentee, m.id, hoursAhead(50))
  t.equal(after.json().error.code, 'NO_ACTIVE_MATCH', 'an ended match books nothing more')
})

t.test('buffers, minimum notice, horizon and the daily limit are enforced at booking', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay({ bufferAfterMin: 30, minNoticeMin: 180, horizonDays: 5, maxPerDay: 2, slotIntervalMin: 30 }))
  const [a, b, c] = [user(), user(), user()]
  for (const x of [a, b, c]) await match(app, m, x)

  t.equal((await book(a, m.id, hoursAhead(1))).json().error.code, 'SLOT_UNAVAILABLE', 'inside the minimum notice')
  t.equal((await book(a, m.id, hoursAhead(24 * 6))).json().error.code, 'SLOT_UNAVAILABLE', 'beyond the horizon')
  t.equal((await book(a, m.id, new Date(Date.parse(hoursAhead(30)) + 600_000).toISOString())).json().error.code, 'SLOT_UNAVAILABLE', 'off the 30-minute grid')
  t.equal((await book(a, m.id, hoursAhead(30), 45)).json().error.code, 'DURATION_NOT_OFFERED')

  // one local (UTC) day, well inside the horizon: 2026… day after tomorrow at 08:00
  const day = new Date(Date.now() + 2 * 86_400_000)
  const at = (h: number, min = 0) => new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, min)).toISOString()
  t.equal((await book(a, m.id, at(8))).statusCode, 201)
  const buffer = await book(b, m.id, at(9))
  t.equal(buffer.statusCode, 409, 'the 30-minute buffer after 08:00–09:00 blocks 09:00')
  t.equal(buffer.json().error.code, 'SLOT_TAKEN')
  t.equal((await book(b, m.id, at(9, 30))).statusCode, 201, '09:30 is free')
  const full = await book(c, m.id, at(14))
  t.equal(full.statusCode, 409)
  t.equal(full.json().error.code, 'DAY_FULL', 'two sessions a day at most')
  const from = at(0)
  const to = new Date(Date.parse(at(0)) + 86_400_000).toISOString()
  const slots = await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=${from}&to=${to}` })
  t.same(slots.json().slots, [], 'a full day offers no slots')
})

t.test('paid sessions: held until payment.succeeded; cancellations carry the refund the payment service applies', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay({ pricePerHour: 60_000 }))
  const mentee = user()
  await match(app, m, mentee)

  const held = await book(mentee, m.id, hoursAhead(5))
  t.equal(held.statusCode, 201)
  t.equal(held.json().state, 'held')
  t.equal(held.json().price, 60_000)
  t.equal(held.json().videoUrl, null, 'no room before payment')
  t.ok(held.json().holdExpiresAt)
  await pay(app, 'succeeded', held.json().id, 60_000)
  await waitForState(app, held.json().id, 'confirmed')
  const confirmed = (await app.inject({ method: 'GET', url: `/api/meetings/bookings/${held.json().id}`, headers: mentee.h() })).json()
  t.ok(confirmed.videoUrl)

  // 5 hours ahead: inside 24 h, outside 2 h → partial
  const cancel = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${confirmed.id}/cancel`, headers: mentee.h(), payload: { reason: '일정이 생겼어요' } })
  t.equal(cancel.statusCode, 200)
  t.match(cancel.json(), { state: 'cancelled', cancelledBy: 'mentee', reason: '일정이 생겼어요', refund: { outcome: 'partial', percent: 50, amount: 30_000 } })
  const again = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${confirmed.id}/cancel`, headers: mentee.h(), payload: { reason: 'twice' } })
  t.equal(again.json().error.code, 'BOOKING_NOT_ACTIVE')
  const [ev] = await readEvents(app, 'meeting.booking.cancelled', (e) => e.data.bookingId === confirmed.id)
  t.match(ev!.data.refund, { outcome: 'partial', amount: 30_000 })

  // the mentor cancelling late still refunds in full
  const second = await book(mentee, m.id, hoursAhead(5))
  await pay(app, 'succeeded', second.json().id, 60_000)
  await waitForState(app, second.json().id, 'confirmed')
  const byMentor = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${second.json().id}/cancel`, headers: m.h(), payload: { reason: '아파요' } })
  t.match(byMentor.json(), { cancelledBy: 'mentor', refund: { outcome: 'full', amount: 60_000 } })

  // a failed payment releases the hold
  const third = await book(mentee, m.id, hoursAhead(8))
  t.equal(third.statusCode, 201, third.body)
  await pay(app, 'failed', third.json().id, 60_000)
  await waitForState(app, third.json().id, 'released')
  const [released] = await readEvents(app, 'meeting.booking.released', (e) => e.data.bookingId === third.json().id)
  t.equal(released!.data.reason, 'payment_failed')
  t.equal((await book(mentee, m.id, hoursAhead(8))).statusCode, 201, 'the slot is free again')
})

t.test('reschedule keeps history: the new booking points to the old one', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay())
  const mentee = user()
  await match(app, m, mentee)
  const first = (await book(mentee, m.id, hoursAhead(30))).json()
  const overlapping = new Date(Date.parse(first.start) + 30 * 60_000).toISOString()
  const res = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${first.id}/reschedule`, headers: mentee.h(), payload: { start: overlapping, reason: '30분 늦출게요' } })
  t.equal(res.statusCode, 200, 'it may overlap its own old time')
  const moved = res.json()
  t.equal(moved.state, 'confirmed')
  t.equal(moved.previousBookingId, first.id)
  t.not(moved.videoUrl, first.videoUrl)
  const old = (await app.inject({ method: 'GET', url: `/api/meetings/bookings/${first.id}`, headers: mentee.h() })).json()
  t.match(old, { state: 'rescheduled', rescheduledToId: moved.id, cancelledBy: 'mentee', reason: '30분 늦출게요', videoUrl: null })
  // a clash with someone else's booking leaves the booking as it was
  const other = user()
  await match(app, m, other)
  const taken = (await book(other, m.id, hoursAhead(60))).json()
  const clash = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${moved.id}/reschedule`, headers: m.h(), payload: { start: taken.start, reason: 'x' } })
  t.equal(clash.json().error.code, 'SLOT_TAKEN')
  t.equal((await app.inject({ method: 'GET', url: `/api/meetings/bookings/${moved.id}`, headers: mentee.h() })).json().state, 'confirmed', 'still confirmed')
  const again = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${first.id}/reschedule`, headers: mentee.h(), payload: { start: hoursAhead(40), reason: 'x' } })
  t.equal(again.json().error.code, 'BOOKING_NOT_CONFIRMED', 'history is not rescheduled again')
  const [ev] = await readEvents(app, 'meeting.booking.rescheduled', (e) => e.data.bookingId === moved.id)
  t.match(ev!.data, { previousBookingId: first.id, previousStartsAt: first.start, startsAt: overlapping, rescheduledBy: 'mentee' })

  // inside the notice window a mentee may not, the mentor may
  const soon = (await book(mentee, m.id, hoursAhead(1))).json()
  const late = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${soon.id}/reschedule`, headers: mentee.h(), payload: { start: hoursAhead(45), reason: 'x' } })
  t.equal(late.json().error.code, 'RESCHEDULE_TOO_LATE')
  const byMentor = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${soon.id}/reschedule`, headers: m.h(), payload: { start: hoursAhead(45), reason: '회의가 생겼어요' } })
  t.equal(byMentor.statusCode, 200)
  const past = await app.inject({ method: 'GET', url: '/api/meetings/past', headers: mentee.h() })
  t.same(past.json().items.map((x: { id: string }) => x.id).sort(), [first.id, soon.id].sort(), 'rescheduled ones are history')
})

t.test('no-show: only the mentor, only after the start', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay())
  const mentee = user()
  await match(app, m, mentee)
  const b = (await book(mentee, m.id, hoursAhead(30))).json()
  t.equal(b.state, 'confirmed', 'a free session confirms at once')
  t.equal(Date.parse(b.noShowUntil) - Date.parse(b.end), 48 * 3_600_000, 'the booking says until when a no-show may be marked: its end + MEETING_NO_SHOW_WINDOW_HOURS')
  t.equal((await app.inject({ method: 'POST', url: `/api/meetings/bookings/${b.id}/no-show`, headers: m.h() })).json().error.code, 'BOOKING_NOT_STARTED')
  // move the session into the past, as time would
  await sql`update bookings set starts_at = now() - interval '30 minutes', ends_at = now() + interval '30 minutes',
    mentor_block = tstzrange(now() - interval '30 minutes', now() + interval '30 minutes') where id = ${b.id}`.execute(app.db)
  t.equal((await app.inject({ method: 'POST', url: `/api/meetings/bookings/${b.id}/no-show`, headers: mentee.h('mentor') })).json().error.code, 'NOT_THE_MENTOR')
  const res = await app.inject({ method: 'POST', url: `/api/meetings/bookings/${b.id}/no-show`, headers: m.h() })
  t.equal(res.statusCode, 200)
  t.equal(res.json().state, 'no_show')
  const [ev] = await readEvents(app, 'meeting.booking.no_show', (e) => e.data.bookingId === b.id)
  t.ok(ev)
})

t.test('through the API: a New York mentor across the 2027-03-14 spring-forward, viewed from Seoul, and booked', async (t) => {
  const m = await mentor(app)
  await setAvailability(app, m, allDay({ timezone: 'America/New_York', weekly: { sat: [{ start: '09:00', end: '10:00' }], sun: [{ start: '09:00', end: '10:00' }] }, horizonDays: 365 }))
  const res = await app.inject({ method: 'GET', url: `/api/meetings/mentors/${m.id}/slots?from=2027-03-13T00:00:00Z&to=2027-03-15T00:00:00Z&tz=Asia/Seoul` })
  t.equal(res.statusCode, 200)
  t.same(res.json().slots, [
    { start: '2027-03-13T14:00:00.000Z', end: '2027-03-13T15:00:00.000Z', localStart: '2027-03-13T23:00:00.000+09:00', localEnd: '2027-03-14T00:00:00.000+09:00' },
    { start: '2027-03-14T13:00:00.000Z', end: '2027-03-14T14:00:00.000Z', localStart: '2027-03-14T22:00:00.000+09:00', localEnd: '2027-03-14T23:00:00.000+09:00' },
  ])
  const mentee = user()
  await match(app, m, mentee)
  t.equal((await book(mentee, m.id, '2027-03-14T14:00:00.000Z')).json().error.code, 'SLOT_UNAVAILABLE', '10:00 EDT is after the window')
  const ok = await book(mentee, m.id, '2027-03-14T13:00:00.000Z')
  t.equal(ok.statusCode, 201, '09:00 EDT on the first day of summer time')
})
