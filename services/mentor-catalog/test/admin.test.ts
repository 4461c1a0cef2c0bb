import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { authEmulatorMissing, emulatorProjectId } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { account, approvedMentor } from './accounts.ts'

/**
 * Issue 21's admin actions on mentors, accounts and reviews: for each, a mentee gets 403, the effect,
 * and the event the audit trail is built from (tracking stores every domain event with its actor,
 * subject and payload: the reason travels in the payload).
 */
const skip = authEmulatorMissing()

t.test('admin actions', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  const fb = initializeApp({ projectId: emulatorProjectId() }, `admin-test-${randomUUID()}`)
  t.teardown(async () => {
    await app.close()
    await nc.close()
    await deleteApp(fb)
  })
  const admin = identityHeaders({ uid: `admin-${randomUUID()}`, role: 'admin', name: 'Admin' })
  const mentee = await account(app)
  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) =>
    app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) })

  t.test('a mentee gets 403 on every admin action', async (t) => {
    const id = randomUUID()
    const cases: [('GET' | 'POST'), string, unknown?][] = [
      ['GET', '/api/admin/mentors'],
      ['POST', `/api/admin/mentors/${id}/reinstate`, { reason: 'x' }],
      ['GET', '/api/admin/users'],
      ['GET', `/api/admin/users/${mentee.uid}`],
      ['POST', `/api/admin/users/${mentee.uid}/disable`, { reason: 'x' }],
      ['POST', `/api/admin/users/${mentee.uid}/enable`, { reason: 'x' }],
      ['GET', '/api/admin/reviews'],
      ['POST', `/api/admin/reviews/${id}/hide`, { reason: 'x' }],
      ['POST', `/api/admin/reviews/${id}/restore`, { reason: 'x' }],
    ]
    for (const [method, url, body] of cases) {
      const res = await call(method, url, mentee.headers, body)
      t.equal(res.statusCode, 403, `${method} ${url}`)
    }
    const fresh = await getAuth(fb).getUser(mentee.uid)
    t.equal(fresh.disabled, false, 'the mentee was not disabled by their own attempt')
  })

  t.test('every mentor is listed, a suspension of two months ago too; reinstate with a reason', async (t) => {
    const { mentorId, acct } = await approvedMentor(app, { headline: `오래된 정지 ${randomUUID().slice(0, 6)}` })
    const suspended = await call('POST', `/api/admin/mentors/${mentorId}/suspend`, admin, { reason: '허위 경력' })
    t.equal(suspended.statusCode, 200)
    // a suspension from two months ago: what the audit trail's 31-day window could not reach
    const longAgo = new Date(Date.now() - 61 * 24 * 3600_000)
    await sql`update mentors set status_changed_at = ${longAgo} where id = ${mentorId}`.execute(app.db)

    const list = await call('GET', `/api/admin/mentors?status=suspended&q=${encodeURIComponent(acct.email)}`, admin)
    t.equal(list.statusCode, 200, list.body)
    t.match(list.json(), { total: 1, items: [{ id: mentorId, status: 'suspended', email: acct.email, statusReason: '허위 경력', statusChangedAt: longAgo.toISOString() }] })
    const all = await call('GET', '/api/admin/mentors?pageSize=100', admin)
    t.ok(all.json().items.some((m: { id: string }) => m.id === mentorId), 'in the unfiltered list too')
    const active = await call('GET', `/api/admin/mentors?status=active&q=${encodeURIComponent(acct.email)}`, admin)
    t.equal(active.json().total, 0, 'not among the active')
    t.equal((await call('GET', '/api/admin/mentors?status=rejected', admin)).statusCode, 400, 'unknown status: 400')

    t.equal((await call('POST', `/api/admin/mentors/${mentorId}/reinstate`, admin, {})).statusCode, 400, 'a reason is required')
    const back = await call('POST', `/api/admin/mentors/${mentorId}/reinstate`, admin, { reason: '소명 확인' })
    t.equal(back.statusCode, 200)
    t.equal(back.json().status, 'active')
    t.equal((await app.inject(`/api/mentors/${mentorId}`)).statusCode, 200, 'public again')
    const [event] = await readEvents(nc, 'CATALOG', 'catalog.mentor.reinstated', (e) => e.data.id === mentorId)
    t.match(event, { actor: { type: 'user', role: 'admin' }, subject: { type: 'mentor', id: mentorId }, data: { reason: '소명 확인', status: 'active' } })
    const row = await call('GET', `/api/admin/mentors?q=${encodeURIComponent(acct.email)}`, admin)
    t.match(row.json().items[0], { status: 'active', statusReason: '소명 확인' })
  })

  t.test('disable / enable an account: Firebase, the mirror, the events', async (t) => {
    const user = await account(app, { name: `Disable Me ${randomUUID().slice(0, 6)}` })
    const found = await call('GET', `/api/admin/users?q=${encodeURIComponent(user.email)}`, admin)
    t.equal(found.statusCode, 200, found.body)
    t.match(found.json(), { total: 1, items: [{ uid: user.uid, status: 'enabled', role: 'mentee', disabledAt: null }] })
    t.ok(found.json().items[0].lastSignInAt, "Firebase's last sign-in is shown")

    t.equal((await call('POST', `/api/admin/users/${user.uid}/disable`, admin, {})).statusCode, 400, 'a reason is required')
    t.equal((await call('POST', `/api/admin/users/${user.uid}/disable`, admin, { reason: '   ' })).statusCode, 400, 'a blank reason too')
    t.equal((await call('POST', '/api/admin/users/no-such-uid/disable', admin, { reason: 'x' })).statusCode, 404)
    const res = await call('POST', `/api/admin/users/${user.uid}/disable`, admin, { reason: '스팸 신고 3건' })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { uid: user.uid, status: 'disabled', disabledReason: '스팸 신고 3건' })
    const record = await getAuth(fb).getUser(user.uid)
    t.equal(record.disabled, true, 'the Firebase account is disabled')
    t.ok(record.tokensValidAfterTime && Date.parse(record.tokensValidAfterTime) > Date.now() - 60_000, 'its refresh tokens were revoked')
    const [disabled] = await readEvents(nc, 'CATALOG', 'catalog.user.disabled', (e) => e.data.uid === user.uid)
    t.match(disabled, { actor: { type: 'user', role: 'admin' }, subject: { type: 'user', id: user.uid }, data: { reason: '스팸 신고 3건' } })

    const again = await call('POST', `/api/admin/users/${user.uid}/disable`, admin, { reason: 'twice' })
    t.equal(again.json().disabledReason, '스팸 신고 3건', 'disabling again changes nothing')
    const listed = await call('GET', `/api/admin/users?status=disabled&q=${encodeURIComponent(user.email)}`, admin)
    t.equal(listed.json().total, 1, 'found among the disabled')

    const self = identityHeaders({ uid: user.uid, role: 'admin' })
    t.equal((await call('POST', `/api/admin/users/${user.uid}/disable`, self, { reason: 'me' })).statusCode, 409, 'an admin cannot disable themselves')

    const enabled = await call('POST', `/api/admin/users/${user.uid}/enable`, admin, { reason: '오탐' })
    t.equal(enabled.statusCode, 200)
    t.match(enabled.json(), { status: 'enabled', disabledAt: null, disabledReason: null })
    t.equal((await getAuth(fb).getUser(user.uid)).disabled, false, 'the Firebase account is enabled again')
    const [en] = await readEvents(nc, 'CATALOG', 'catalog.user.enabled', (e) => e.data.uid === user.uid)
    t.match(en, { actor: { type: 'user', role: 'admin' }, data: { reason: '오탐' } })
    const dups = await readEvents(nc, 'CATALOG', 'catalog.user.disabled', (e) => e.data.uid === user.uid, { count: 2, timeoutMs: 1_000 })
    t.equal(dups.length, 1, 'one disable event, not two')
  })

  t.test('hide / restore a review: the mentor page and the rating follow', async (t) => {
    const { mentorId } = await approvedMentor(app)
    const reviewers = await Promise.all([account(app), account(app)])
    const ids: string[] = []
    for (const [i, r] of reviewers.entries()) {
      const bookingId = randomUUID()
      await app.db.insertInto('completed_sessions').values({ booking_id: bookingId, mentee_uid: r.uid, mentor_id: mentorId, completed_at: new Date() }).execute()
      const res = await call('POST', `/api/mentors/${mentorId}/reviews`, r.headers, { bookingId, rating: i === 0 ? 5 : 1, comment: i === 0 ? '좋아요' : '광고 링크 http://spam' })
      t.equal(res.statusCode, 201, res.body)
      ids.push(res.json().id)
    }
    const spam = ids[1]!
    t.match((await app.inject(`/api/mentors/${mentorId}`)).json(), { rating: 3, reviewCount: 2 })

    const listed = await call('GET', `/api/admin/reviews?mentorId=${mentorId}`, admin)
    t.equal(listed.statusCode, 200, listed.body)
    t.equal(listed.json().total, 2)
    t.equal((await call('GET', `/api/admin/reviews?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z`, admin)).statusCode, 400, 'from after to')

    t.equal((await call('POST', `/api/admin/reviews/${randomUUID()}/hide`, admin, { reason: 'x' })).statusCode, 404)
    const hidden = await call('POST', `/api/admin/reviews/${spam}/hide`, admin, { reason: '광고' })
    t.equal(hidden.statusCode, 200, hidden.body)
    t.match(hidden.json(), { id: spam, visibility: 'hidden', hiddenReason: '광고' })
    const page = (await app.inject(`/api/mentors/${mentorId}`)).json()
    t.match(page, { rating: 5, reviewCount: 1 }, 'the rating no longer counts it')
    t.notOk(page.recentReviews.some((r: { id: string }) => r.id === spam), 'gone from the mentor page')
    t.equal((await app.inject(`/api/mentors/${mentorId}/reviews`)).json().total, 1, 'and from the review list')
    t.equal((await call('GET', `/api/admin/reviews?mentorId=${mentorId}&visibility=hidden`, admin)).json().total, 1)
    const [h] = await readEvents(nc, 'CATALOG', 'catalog.review.hidden', (e) => e.data.reviewId === spam)
    t.match(h, { actor: { type: 'user', role: 'admin' }, subject: { type: 'review', id: spam }, data: { mentorId, reason: '광고' } })
    const [rated] = await readEvents(nc, 'CATALOG', 'catalog.mentor.rated', (e) => e.data.mentorId === mentorId && e.data.reviewCount === 1 && e.data.rating === 5)
    t.ok(rated, 'the new aggregates are published')

    const restored = await call('POST', `/api/admin/reviews/${spam}/restore`, admin, { reason: '오판' })
    t.equal(restored.json().visibility, 'visible')
    t.match((await app.inject(`/api/mentors/${mentorId}`)).json(), { rating: 3, reviewCount: 2 }, 'counted again')
    const [r] = await readEvents(nc, 'CATALOG', 'catalog.review.restored', (e) => e.data.reviewId === spam)
    t.match(r, { data: { reason: '오판' } })
  })
})
