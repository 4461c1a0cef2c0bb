import t from 'tap'
import { createEvent } from '@sunbae/bus'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { waitFor } from '@sunbae/testing'
import { buildNotification, known, mailsTo, matchingEvent, person, publish, rowsOf, waitRows, appWithSink } from './helpers.ts'
import { firestoreMissing } from './firestore.ts'

const noFirestore = firestoreMissing()
const created = (message: string) => ({ message, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() })

t.test('the in-app feed: pages, unread count, read marks (mine only), Firestore follows', async (t) => {
  const { app, sink } = await appWithSink(t)
  const mentor = await person(app, { role: 'mentor' })
  const other = await person(app, { role: 'mentor' })
  const mentee = await person(app)
  await known(app, mentor)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const e = await publish(app, matchingEvent('requestCreated', mentor, mentee, created(`message ${i}`)))
    ids.push((await waitRows(app, e.id, 2)).find((r) => r.channel === 'in_app')!.id)
  }
  const foreign = await publish(app, matchingEvent('requestCreated', other, mentee, created('not yours')))
  const foreignId = (await waitRows(app, foreign.id, 2)).find((r) => r.channel === 'in_app')!.id

  const first = await app.inject({ method: 'GET', url: '/api/notifications?limit=3', headers: mentor.h() })
  t.equal(first.statusCode, 200, first.body)
  t.equal(first.json().unreadCount, 5)
  t.same(first.json().items.map((i: { id: string }) => i.id), [ids[4], ids[3], ids[2]], 'newest first')
  t.match(first.json().items[0], { type: 'matching.request.created', category: 'requests', readAt: null, link: '/me?tab=requests' })
  const second = await app.inject({ method: 'GET', url: `/api/notifications?limit=3&before=${first.json().nextBefore}`, headers: mentor.h() })
  t.same(second.json().items.map((i: { id: string }) => i.id), [ids[1], ids[0]])
  t.equal(second.json().nextBefore, null)

  const someRead = await app.inject({ method: 'POST', url: '/api/notifications/read', headers: mentor.h(), payload: { ids: [ids[0], ids[1]] } })
  t.equal(someRead.statusCode, 200, someRead.body)
  t.same(someRead.json(), { updated: 2, unreadCount: 3 })
  const again = await app.inject({ method: 'POST', url: '/api/notifications/read', headers: mentor.h(), payload: { ids: [ids[0]] } })
  t.same(again.json(), { updated: 0, unreadCount: 3 }, 'marking read twice is harmless')

  const notMine = await app.inject({ method: 'POST', url: '/api/notifications/read', headers: mentor.h(), payload: { ids: [foreignId] } })
  t.equal(notMine.statusCode, 404)
  t.equal(notMine.json().error.code, 'NOTIFICATION_NOT_FOUND')
  t.equal((await rowsOf(app, foreign.id)).find((r) => r.channel === 'in_app')!.read_at, null, "another user's notification stays unread")

  const all = await app.inject({ method: 'POST', url: '/api/notifications/read', headers: mentor.h(), payload: { all: true } })
  t.same(all.json(), { updated: 3, unreadCount: 0 })

  if (!noFirestore) {
    await waitFor(async () => {
      const d = await app.firestore.doc(`users/${mentor.uid}/notifications/${ids[4]}`).get()
      return d.exists && d.get('readAt') !== null
    }, 10_000, 50)
    t.pass('Firestore has the read mark')
  }
  await mailsTo(sink, mentor.email, 5)
})

t.test('bad input and missing identity get clear 4xx', async (t) => {
  const app = await buildNotification()
  t.teardown(() => app.close())
  const who = identityHeaders({ uid: 'someone' })
  t.equal((await app.inject({ method: 'GET', url: '/api/notifications' })).statusCode, 401)
  for (const [url, field] of [
    ['/api/notifications?limit=0', 'querystring/limit'],
    ['/api/notifications?limit=101', 'querystring/limit'],
    ['/api/notifications?before=nope', 'querystring/before'],
    ['/api/notifications?extra=1', 'querystring'],
  ] as const) {
    const r = await app.inject({ method: 'GET', url, headers: who })
    t.equal(r.statusCode, 400, url)
    t.equal(r.json().error.code, 'VALIDATION_FAILED', url)
    t.ok(r.json().error.details.some((d: { field: string }) => d.field.startsWith(field)), `${url}: ${r.body}`)
  }
  for (const payload of [{}, { ids: [] }, { ids: ['x'] }, { all: false }, { ids: [crypto.randomUUID()], all: true }]) {
    const r = await app.inject({ method: 'POST', url: '/api/notifications/read', headers: who, payload })
    t.equal(r.statusCode, 400, JSON.stringify(payload))
  }
  const notJson = await app.inject({ method: 'POST', url: '/api/notifications/read', headers: { ...who, 'content-type': 'application/json' }, payload: '{' })
  t.equal(notJson.statusCode, 400)
})

t.test('preferences: switches per category and channel are respected; transactional ones cannot be switched off', async (t) => {
  const { app, sink } = await appWithSink(t)
  const mentor = await person(app, { role: 'mentor' })
  const mentee = await person(app)
  await known(app, mentor)

  const initial = await app.inject({ method: 'GET', url: '/api/notifications/preferences', headers: mentor.h() })
  t.equal(initial.statusCode, 200)
  t.ok(initial.json().items.every((i: { inApp: boolean; email: boolean }) => i.inApp && i.email), 'all on by default')
  t.match(initial.json().items.find((i: { category: string }) => i.category === 'receipts'), { transactional: true })

  const refused = await app.inject({
    method: 'PUT',
    url: '/api/notifications/preferences',
    headers: mentor.h(),
    payload: { items: [{ category: 'requests', channel: 'email', enabled: false }, { category: 'receipts', channel: 'email', enabled: false }] },
  })
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().error.code, 'TRANSACTIONAL_CATEGORY')
  t.same(refused.json().error.details.map((d: { field: string }) => d.field), ['body/items/1/enabled'])
  const unchanged = await app.inject({ method: 'GET', url: '/api/notifications/preferences', headers: mentor.h() })
  t.same(unchanged.json(), initial.json(), 'a refused PUT changes nothing')

  const put = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: { items: [{ category: 'requests', channel: 'email', enabled: false }] } })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json().items.find((i: { category: string }) => i.category === 'requests'), { inApp: true, email: false })

  const e = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('in-app only please')))
  await waitRows(app, e.id, 1)
  await new Promise((r) => setTimeout(r, 500))
  t.same((await rowsOf(app, e.id)).map((r) => r.channel), ['in_app'], 'no email when email is off for the category')

  const bad = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: { items: [{ category: 'spam', channel: 'email', enabled: false }] } })
  t.equal(bad.statusCode, 400)
  // the same switch twice in one PUT: the last one wins (not a 500 from a double upsert)
  const twice = await app.inject({
    method: 'PUT',
    url: '/api/notifications/preferences',
    headers: mentor.h(),
    payload: { items: [{ category: 'reviews', channel: 'email', enabled: true }, { category: 'reviews', channel: 'email', enabled: false }] },
  })
  t.equal(twice.statusCode, 200, twice.body)
  t.match(twice.json().items.find((i: { category: string }) => i.category === 'reviews'), { email: false })

  // switched back on: email again
  await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: { items: [{ category: 'requests', channel: 'email', enabled: true }] } })
  const e2 = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('both again')))
  t.same((await waitRows(app, e2.id, 2)).map((r) => r.channel), ['email', 'in_app'])
  await mailsTo(sink, mentor.email, 1)
})

t.test('quiet hours delay non-urgent email to their end; urgent mail (reminders) is not held', async (t) => {
  const { app, sink } = await appWithSink(t)
  const mentor = await person(app, { role: 'mentor' })
  const mentee = await person(app)
  await known(app, mentor)
  const seoul = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Seoul', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + ms))
  const quietHours = { start: seoul(-3_600_000), end: seoul(2 * 3_600_000) }

  for (const bad of [{ quietHours: { start: '10:00', end: '10:00' } }, { quietHours: { start: '25:00', end: '08:00' } }, {}]) {
    const r = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: bad })
    t.equal(r.statusCode, 400, JSON.stringify(bad))
  }
  const put = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: { quietHours } })
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json().quietHours, quietHours)

  const e = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('at night')))
  const email = (await waitRows(app, e.id, 2)).find((r) => r.channel === 'email')!
  const queued = await app.db.selectFrom('email_outbox').selectAll().where('notification_id', '=', email.id).executeTakeFirstOrThrow()
  const wait = new Date(queued.next_attempt_at).getTime() - Date.now()
  t.ok(wait > 100 * 60_000 && wait <= 2 * 3_600_000, `held until the quiet hours end (${Math.round(wait / 60_000)} min)`)
  await app.emailSender.run()
  t.equal((await app.db.selectFrom('email_outbox').select('status').where('notification_id', '=', email.id).executeTakeFirstOrThrow()).status, 'pending')

  const reminder = await publish(app, createEvent({ type: 'meeting.reminder.due', version: 1, source: 'meeting', actor: { type: 'system', id: null }, data: { bookingId: crypto.randomUUID(), menteeUid: mentee.uid, mentorId: crypto.randomUUID(), mentorUid: mentor.uid, startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), kind: '1h', videoUrl: 'https://meet.sunbae.app/r/q', dueAt: new Date().toISOString() } }))
  await waitRows(app, reminder.id, 4)
  const [mail] = await mailsTo(sink, mentor.email)
  t.match(mail!.subject, '1시간 후', 'the reminder went out during quiet hours')

  const cleared = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: { quietHours: null } })
  t.equal(cleared.json().quietHours, null)
})
