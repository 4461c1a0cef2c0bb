import t from 'tap'
import { randomUUID } from 'node:crypto'
import { jetstream } from '@nats-io/jetstream'
import { createEvent } from '@sunbae/bus'
import { MeetingEvents, type BookingCompletedV1 } from '@sunbae/contracts'
import { authEmulatorMissing, waitFor } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { account, approvedMentor, fields } from './accounts.ts'

const skip = authEmulatorMissing()

t.test('a review needs a completed session (from meeting.booking.completed), one per session, aggregates exact', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const { mentorId, acct: mentorAcct } = await approvedMentor(app)
  const mentee = await account(app, { name: '리뷰어' })
  const other = await account(app)

  const completed = async (bookingId: string, menteeUid: string) => {
    const now = new Date()
    const data: BookingCompletedV1 = {
      bookingId,
      menteeUid,
      mentorId,
      mentorUid: mentorAcct.uid,
      startsAt: new Date(now.getTime() - 3_600_000).toISOString(),
      endsAt: now.toISOString(),
      completedAt: now.toISOString(),
    }
    const e = MeetingEvents.bookingCompleted
    const event = createEvent({ type: e.type, version: e.version, source: 'meeting', actor: { type: 'system', id: null }, data })
    // through JetStream, as meeting's outbox relay will publish it
    await jetstream(nc).publish(e.type, JSON.stringify(event), { msgID: event.id })
    await waitFor(
      async () => (await app.db.selectFrom('completed_sessions').select('booking_id').where('booking_id', '=', bookingId).executeTakeFirst()) ?? null,
      15_000,
    )
  }
  const review = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/api/mentors/${mentorId}/reviews`, headers, payload })

  const booking1 = randomUUID()
  const refused = await review(mentee.headers, { bookingId: booking1, rating: 5, comment: '최고의 멘토' })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().error.code, 'NO_COMPLETED_SESSION')

  await completed(booking1, mentee.uid)
  const byOther = await review(other.headers, { bookingId: booking1, rating: 1 })
  t.equal(byOther.statusCode, 403, "someone else's session does not count")

  const accepted = await review(mentee.headers, { bookingId: booking1, rating: 5, comment: '최고의 멘토' })
  t.equal(accepted.statusCode, 201, accepted.body)
  t.match(accepted.json(), { mentorId, rating: 5, comment: '최고의 멘토', authorName: '리뷰어' })

  const duplicate = await review(mentee.headers, { bookingId: booking1, rating: 1 })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().error.code, 'REVIEW_EXISTS')

  const booking2 = randomUUID()
  await completed(booking2, mentee.uid)
  t.equal((await review(mentee.headers, { bookingId: booking2, rating: 4 })).statusCode, 201)
  const booking3 = randomUUID()
  await completed(booking3, other.uid)
  t.equal((await review(other.headers, { bookingId: booking3, rating: 4 })).statusCode, 201)

  // (5 + 4 + 4) / 3 = 4.333… → 4.33, from the exact total
  const page = (await app.inject(`/api/mentors/${mentorId}`)).json()
  t.equal(page.rating, 4.33)
  t.equal(page.reviewCount, 3)
  t.equal(page.recentReviews.length, 3)
  const totals = await app.db.selectFrom('mentors').select(['rating_total', 'review_count']).where('id', '=', mentorId).executeTakeFirstOrThrow()
  t.equal(Number(totals.rating_total), 13)

  const list = await app.inject(`/api/mentors/${mentorId}/reviews?page=1&pageSize=2`)
  t.equal(list.statusCode, 200)
  t.match(list.json(), { total: 3, page: 1, pageSize: 2 })
  t.equal(list.json().items.length, 2)
  const beyond = (await app.inject(`/api/mentors/${mentorId}/reviews?page=9&pageSize=2`)).json()
  t.same(beyond.items, [])
  t.equal(beyond.total, 3)

  const rated = await readEvents(nc, 'CATALOG', 'catalog.mentor.rated', (e) => e.data.mentorId === mentorId, { count: 3 })
  t.same(rated.map((e) => [e.data.rating, e.data.reviewCount]), [[5, 1], [4.5, 2], [4.33, 3]])
  const [created] = await readEvents(nc, 'CATALOG', 'catalog.review.created', (e) => e.data.bookingId === booking1)
  t.match(created, { data: { mentorId, menteeUid: mentee.uid, rating: 5, comment: '최고의 멘토' } })

  // a re-delivered completion (same booking, new event id) changes nothing
  await completed(booking1, mentee.uid)
  t.equal((await review(mentee.headers, { bookingId: booking1, rating: 3 })).statusCode, 409)
})

t.test('bad reviews get 400 with field details; anonymous 401', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const who = identityHeaders({ uid: `u-${randomUUID()}` })
  const url = `/api/mentors/${randomUUID()}/reviews`
  const cases: [Record<string, unknown>, string[]][] = [
    [{ bookingId: randomUUID(), rating: 6 }, ['body/rating']],
    [{ bookingId: randomUUID(), rating: 4.5 }, ['body/rating']],
    [{ bookingId: 'nope', rating: 5 }, ['body/bookingId']],
    [{ bookingId: randomUUID(), rating: 5, comment: 'x'.repeat(2001) }, ['body/comment']],
    [{ rating: 5 }, ['body/bookingId']],
  ]
  for (const [payload, expected] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: who, payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60))
    t.same(fields(res.json()), expected)
  }
  t.equal((await app.inject({ method: 'POST', url, payload: { bookingId: randomUUID(), rating: 5 } })).statusCode, 401)
  const unknownMentor = await app.inject({ method: 'POST', url, headers: who, payload: { bookingId: randomUUID(), rating: 5 } })
  t.equal(unknownMentor.statusCode, 404)
  t.equal((await app.inject(`/api/mentors/${randomUUID()}/reviews?pageSize=1000`)).statusCode, 400)
})
