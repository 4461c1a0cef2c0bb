import t from 'tap'
import { randomUUID } from 'node:crypto'
import { jetstream } from '@nats-io/jetstream'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { createEvent } from '@sunbae/bus'
import { MeetingEvents, type BookingCompletedV1 } from '@sunbae/contracts'
import { authEmulatorMissing, emulatorProjectId, waitFor } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { account, approvedMentor } from './accounts.ts'

/**
 * Issue 21, "delete my account": DELETE /api/me with the typed confirmation erases what the catalog
 * holds about the user (tombstone, mentor unlisted and blanked, applications gone, reviews without
 * the author's name), publishes catalog.user.deleted once and deletes the Firebase account.
 */
const skip = authEmulatorMissing()

t.test('a user deletes their account: catalog data erased, one event, Firebase account gone', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  const fb = initializeApp({ projectId: emulatorProjectId() }, `delete-test-${randomUUID()}`)
  t.teardown(async () => {
    await app.close()
    await nc.close()
    await deleteApp(fb)
  })
  const { mentorId, acct: mentor } = await approvedMentor(app, { headline: '지울 멘토의 헤드라인' })
  const mentee = await account(app, { name: '지울 리뷰어' })
  const mentorName = (await app.inject({ method: 'GET', url: '/api/me', headers: mentor.headers })).json().displayName as string

  // the mentee reviews the mentor after a completed session (as meeting's event allows it)
  const bookingId = randomUUID()
  const now = new Date()
  const data: BookingCompletedV1 = {
    bookingId, menteeUid: mentee.uid, mentorId, mentorUid: mentor.uid,
    startsAt: new Date(now.getTime() - 3_600_000).toISOString(), endsAt: now.toISOString(), completedAt: now.toISOString(),
  }
  const completed = createEvent({ type: MeetingEvents.bookingCompleted.type, version: 1, source: 'meeting', actor: { type: 'system', id: null }, data })
  await jetstream(nc).publish(completed.type, JSON.stringify(completed), { msgID: completed.id })
  await waitFor(async () => (await app.db.selectFrom('completed_sessions').select('booking_id').where('booking_id', '=', bookingId).executeTakeFirst()) ?? null, 15_000)
  const reviewed = await app.inject({ method: 'POST', url: `/api/mentors/${mentorId}/reviews`, headers: mentee.headers, payload: { bookingId, rating: 4, comment: '좋았어요' } })
  t.equal(reviewed.statusCode, 201, reviewed.body)

  // the confirmation is required, exactly
  for (const payload of [{}, { confirm: 'delete' }, { confirm: 'DELETE', extra: 1 }]) {
    const refused = await app.inject({ method: 'DELETE', url: '/api/me', headers: mentee.headers, payload })
    t.equal(refused.statusCode, 400, `refused without the exact confirmation: ${JSON.stringify(payload)}`)
    t.equal(refused.json().error.code, 'VALIDATION_FAILED')
  }
  t.equal((await app.inject({ method: 'DELETE', url: '/api/me', payload: { confirm: 'DELETE' } })).statusCode, 401, 'anonymous: 401')

  // the mentee deletes their account
  const deleted = await app.inject({ method: 'DELETE', url: '/api/me', headers: mentee.headers, payload: { confirm: 'DELETE' } })
  t.equal(deleted.statusCode, 200, deleted.body)
  const { deletedAt } = deleted.json()
  const gone = await app.inject({ method: 'GET', url: '/api/me', headers: mentee.headers })
  t.equal(gone.statusCode, 410)
  t.equal(gone.json().error.code, 'ACCOUNT_DELETED')
  const back = await app.inject({ method: 'PUT', url: '/api/me', headers: mentee.headers, payload: {} })
  t.equal(back.statusCode, 410, 'a token from before cannot recreate the account')
  const row = await app.db.selectFrom('users').selectAll().where('uid', '=', mentee.uid).executeTakeFirstOrThrow()
  t.match(row, { email: null, display_name: null, photo_url: null }, 'the tombstone holds nothing personal')
  t.ok(row.deleted_at)
  const reviews = (await app.inject(`/api/mentors/${mentorId}/reviews`)).json().items as Array<{ authorName: string | null; rating: number }>
  t.same(reviews.map((r) => [r.authorName, r.rating]), [[null, 4]], "the review stays (the rating counts) without the author's name")
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).json().rating, 4, 'the rating maths is unchanged')
  await t.rejects(getAuth(fb).getUser(mentee.uid), { code: 'auth/user-not-found' }, 'the Firebase account is deleted')

  // the admin's account list says what happened, and there is nothing left to disable or enable
  const admin = identityHeaders({ uid: `admin-${randomUUID()}`, role: 'admin' })
  const listed = await app.inject({ method: 'GET', url: `/api/admin/users?status=deleted&pageSize=100`, headers: admin })
  t.equal(listed.statusCode, 200, listed.body)
  t.match(listed.json().items.find((u: { uid: string }) => u.uid === mentee.uid), { status: 'deleted', email: null, displayName: null, deletedAt })
  const enabledList = (await app.inject({ method: 'GET', url: `/api/admin/users?status=enabled&pageSize=100`, headers: admin })).json().items as Array<{ uid: string }>
  t.notOk(enabledList.some((u) => u.uid === mentee.uid), 'not listed as enabled')
  const disable = await app.inject({ method: 'POST', url: `/api/admin/users/${mentee.uid}/disable`, headers: admin, payload: { reason: 'spam' } })
  t.equal(disable.statusCode, 409)
  t.equal(disable.json().error.code, 'ACCOUNT_DELETED')

  // again: same answer, nothing published twice
  const again = await app.inject({ method: 'DELETE', url: '/api/me', headers: mentee.headers, payload: { confirm: 'DELETE' } })
  t.equal(again.statusCode, 200)
  t.equal(again.json().deletedAt, deletedAt)
  const events = await readEvents(nc, 'CATALOG', 'catalog.user.deleted', (e) => e.data.uid === mentee.uid, { settleMs: 1500 })
  t.equal(events.length, 1, 'catalog.user.deleted once')
  t.match(events[0], { actor: { type: 'user', id: mentee.uid }, subject: { type: 'user', id: mentee.uid }, data: { uid: mentee.uid, deletedAt } })

  // the mentor deletes theirs: unlisted from the page and search, profile blanked, the suspension published
  t.equal((await app.inject({ method: 'DELETE', url: '/api/me', headers: mentor.headers, payload: { confirm: 'DELETE' } })).statusCode, 200)
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).statusCode, 404, 'the mentor page is gone')
  await waitFor(async () => {
    const found = (await app.inject(`/api/mentors?q=${encodeURIComponent('지울 멘토의 헤드라인')}`)).json()
    return found.items.length === 0 ? true : null
  }, 10_000)
  t.pass('search no longer finds the mentor')
  const profile = await app.db.selectFrom('mentors').selectAll().where('id', '=', mentorId).executeTakeFirstOrThrow()
  t.match(profile, { status: 'suspended', status_reason: 'account deleted', display_name: 'Deleted user', headline: '', bio: '', company: null })
  t.equal((await app.db.selectFrom('mentor_applications').select('id').where('uid', '=', mentor.uid).execute()).length, 0, 'applications removed')
  const [suspended] = await readEvents(nc, 'CATALOG', 'catalog.mentor.suspended', (e) => e.data.id === mentorId)
  t.match(suspended?.data, { status: 'suspended', displayName: 'Deleted user', headline: '', reason: 'account deleted' }, 'read models get the blanked profile')
  t.not(suspended?.data.displayName, mentorName)

  // the consumer's path: a Firebase account already gone counts as done (redelivery is harmless)
  t.equal(await app.accountDeletion.deleteFirebaseAccount(mentor.uid), 'gone')
})
