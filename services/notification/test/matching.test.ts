import t from 'tap'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { buildNotification, known, mailSink, mailsTo, matchingEvent, person, publish, rowsOf, waitRows, appWithSink } from './helpers.ts'
import { firestoreMissing } from './firestore.ts'

// Each matching.request.* event reaches the right person, in their language and time zone, in-app
// (Postgres, then Firestore) and by email (the sink, parsed), exactly once per channel.

const noFirestore = firestoreMissing()
if (noFirestore) t.comment(`Firestore checks skipped: ${noFirestore}`)

t.test('matching requests, end to end', async (t) => {
  const { app, sink } = await appWithSink(t)

  const mentorKo = await person(app, { name: '김멘토', role: 'mentor' })
  const mentorEn = await person(app, { name: 'Jane Mentor', role: 'mentor', locale: 'en', timeZone: 'America/New_York' })
  const mentee = await person(app, { name: '이멘티' })
  await known(app, mentorKo)
  await known(app, mentorEn, (r) => r.locale === 'en' && r.time_zone === 'America/New_York')
  await known(app, mentee)

  t.test('request created: the mentor gets it with the message, in Korean by default', async (t) => {
    const e = await publish(
      app,
      matchingEvent('requestCreated', mentorKo, mentee, { message: '포트폴리오 리뷰를 부탁드려요 <b>꼭</b>', createdAt: new Date().toISOString(), expiresAt: '2026-12-09T15:00:00.000Z' }),
    )
    const rows = await waitRows(app, e.id, 2)
    t.same(rows.map((r) => [r.channel, r.recipient_uid, r.locale, r.category]), [
      ['email', mentorKo.uid, 'ko', 'requests'],
      ['in_app', mentorKo.uid, 'ko', 'requests'],
    ])
    const inApp = rows.find((r) => r.channel === 'in_app')!
    t.equal(inApp.title, '이멘티님의 새 1:1 요청')
    t.match(inApp.body, '포트폴리오 리뷰를 부탁드려요')
    t.equal(inApp.link, '/me?tab=requests')

    const [mail] = await mailsTo(sink, mentorKo.email)
    t.equal(mail!.subject, '이멘티님의 새 1:1 요청')
    t.match(mail!.text, '“포트폴리오 리뷰를 부탁드려요 <b>꼭</b>”', 'the whole message, as written, in the text part')
    // 15:00 UTC is midnight of the 10th in Seoul
    t.match(mail!.text, /2026년 12월 10일.*오전 12:00 \(Asia\/Seoul\)/)
    t.match(mail!.text, 'https://sunbae.test/me?tab=requests')
    t.ok(typeof mail!.html === 'string' && mail!.html.includes('&lt;b&gt;꼭&lt;/b&gt;'), 'user text is escaped in the HTML part')
    t.ok((mail!.html as string).includes('href="https://sunbae.test/me?tab=requests"'))
    t.equal(mail!.messageId, `<${rows.find((r) => r.channel === 'email')!.id}@notification.sunbae.app>`)

    if (!noFirestore) {
      const doc = await waitFor(async () => {
        const d = await app.firestore.doc(`users/${mentorKo.uid}/notifications/${inApp.id}`).get()
        return d.exists ? d : null
      }, 10_000)
      t.match(doc.data(), { id: inApp.id, type: 'matching.request.created', title: '이멘티님의 새 1:1 요청', link: '/me?tab=requests', readAt: null })
    }
  })

  t.test('an English mentor in New York reads English, with New York times', async (t) => {
    const e = await publish(app, matchingEvent('requestCreated', mentorEn, mentee, { message: 'Could you review my CV?', createdAt: new Date().toISOString(), expiresAt: '2026-12-09T15:00:00.000Z' }))
    const rows = await waitRows(app, e.id, 2)
    t.ok(rows.every((r) => r.locale === 'en' && r.recipient_uid === mentorEn.uid))
    const [mail] = await mailsTo(sink, mentorEn.email)
    t.equal(mail!.subject, 'New 1:1 request from 이멘티')
    t.match(mail!.text, /December 9, 2026.*10:00\sAM \(America\/New_York\)/)
  })

  t.test('catalog.user.updated switching to English and Berlin: the next email is English, with Berlin times', async (t) => {
    // as the catalog publishes them now: the account's locale and zone in both user events
    const switcher = await person(app, { name: '박멘토', role: 'mentor', locale: 'ko', timeZone: 'Asia/Seoul' })
    await known(app, switcher, (r) => r.locale === 'ko' && r.time_zone === 'Asia/Seoul')
    const request = { message: '안녕하세요', createdAt: new Date().toISOString(), expiresAt: '2026-12-09T15:00:00.000Z' }
    const before = await publish(app, matchingEvent('requestCreated', switcher, mentee, request))
    await waitRows(app, before.id, 2)
    const [korean] = await mailsTo(sink, switcher.email)
    t.equal(korean!.subject, '이멘티님의 새 1:1 요청')

    await publish(
      app,
      createEvent({
        type: CatalogEvents.userUpdated.type,
        version: 1,
        source: 'mentor-catalog',
        actor: { type: 'user', id: switcher.uid, role: 'mentor' },
        data: { uid: switcher.uid, email: switcher.email, displayName: switcher.name, role: 'mentor', locale: 'en', timeZone: 'Europe/Berlin' },
      }),
    )
    await known(app, switcher, (r) => r.locale === 'en' && r.time_zone === 'Europe/Berlin')
    const after = await publish(app, matchingEvent('requestCreated', switcher, mentee, request))
    const rows = await waitRows(app, after.id, 2)
    t.ok(rows.every((r) => r.locale === 'en'), 'rendered in English')
    const english = (await mailsTo(sink, switcher.email, 2)).find((m) => m.subject !== korean!.subject)
    t.equal(english?.subject, 'New 1:1 request from 이멘티')
    // 15:00 UTC is 16:00 in Berlin (CET)
    t.match(english?.text, /December 9, 2026.*4:00\sPM \(Europe\/Berlin\)/)
  })

  t.test('accepted, declined (with the reason), expired: the mentee is told', async (t) => {
    const accepted = await publish(app, matchingEvent('requestAccepted', mentorKo, mentee, { matchId: crypto.randomUUID(), message: 'hi', acceptedAt: new Date().toISOString() }, { type: 'user', id: mentorKo.uid, role: 'mentor' }))
    const declined = await publish(app, matchingEvent('requestDeclined', mentorKo, mentee, { reason: '이번 달은 일정이 꽉 찼어요', declinedAt: new Date().toISOString() }, { type: 'user', id: mentorKo.uid, role: 'mentor' }))
    const expired = await publish(app, matchingEvent('requestExpired', mentorKo, mentee, { expiredAt: '2026-12-09T15:00:00.000Z' }, { type: 'system', id: null }))
    const a = (await waitRows(app, accepted.id, 2)).find((r) => r.channel === 'in_app')!
    const d = (await waitRows(app, declined.id, 2)).find((r) => r.channel === 'in_app')!
    const x = (await waitRows(app, expired.id, 2)).find((r) => r.channel === 'in_app')!
    for (const r of [a, d, x]) t.equal(r.recipient_uid, mentee.uid)
    t.equal(a.title, '김멘토님이 1:1 요청을 수락했습니다')
    t.equal(a.link, '/chat')
    t.equal(d.body, '사유: 이번 달은 일정이 꽉 찼어요')
    t.match(d.link, /^\/mentors\/[0-9a-f-]{36}$/)
    t.match(x.body, 'Asia/Seoul')
    const menteeMails = await mailsTo(sink, mentee.email, 3)
    t.same(menteeMails.map((m) => m.subject).sort(), ['김멘토님에게 보낸 1:1 요청이 만료되었습니다', '김멘토님이 1:1 요청을 거절했습니다', '김멘토님이 1:1 요청을 수락했습니다'].sort())
    t.match(menteeMails.find((m) => m.subject?.includes('거절'))!.text, '사유: 이번 달은 일정이 꽉 찼어요')
  })

  t.test('cancelled by the mentee: the mentor is told, the mentee is not', async (t) => {
    const e = await publish(app, matchingEvent('requestCancelled', mentorEn, mentee, { cancelledAt: new Date().toISOString() }))
    const rows = await waitRows(app, e.id, 2)
    t.ok(rows.every((r) => r.recipient_uid === mentorEn.uid))
    t.equal(rows[0]!.title, '이멘티 cancelled the 1:1 request')
  })
})

t.test('exactly once: the same event redelivered, and two replicas consuming', async (t) => {
  const sink = await mailSink()
  const a = await buildNotification({ SMTP_URL: sink.url })
  const b = await buildNotification({ SMTP_URL: sink.url })
  t.teardown(async () => {
    await Promise.all([a.close(), b.close()])
    await sink.close()
  })
  const mentor = await person(a, { role: 'mentor' })
  const mentee = await person(a)
  await known(a, mentor)
  await known(a, mentee)

  const events = Array.from({ length: 10 }, () =>
    matchingEvent('requestCreated', mentor, mentee, { message: 'once please', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
  )
  for (const e of events) {
    // the relay's publish, then the same event again under another message id (past the
    // duplicate window, or a producer that crashed before marking its outbox row), from each replica
    await a.bus.js.publish(e.type, JSON.stringify(e), { msgID: e.id })
    await a.bus.js.publish(e.type, JSON.stringify(e), { msgID: `${e.id}:again` })
    await b.bus.js.publish(e.type, JSON.stringify(e), { msgID: `${e.id}:third` })
  }
  for (const e of events) await waitRows(a, e.id, 2)
  await mailsTo(sink, mentor.email, 10)
  // let any duplicate handling and a second sender pass happen before counting
  await new Promise((r) => setTimeout(r, 1500))
  await Promise.all([a.emailSender.run(), b.emailSender.run()])
  for (const e of events) {
    const rows = await rowsOf(a, e.id)
    t.same(rows.map((r) => r.channel), ['email', 'in_app'], `one row per channel for ${e.id}`)
  }
  t.equal((await mailsTo(sink, mentor.email, 10)).length, 10, 'ten emails, one per event')
})
