import t from 'tap'
import { randomUUID } from 'node:crypto'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents, MeetingEvents, PaymentEvents } from '@sunbae/contracts'
import { mentorProfile } from '@sunbae/testing'
import { known, mailsTo, matchingEvent, person, publish, rowsOf, waitRows, appWithSink } from './helpers.ts'

const system = { type: 'system' as const, id: null }
const paymentEvent = (kind: keyof typeof PaymentEvents, data: Record<string, unknown>) =>
  createEvent({ type: PaymentEvents[kind].type, version: 1, source: 'payment', actor: system, data })

t.test('receipts, failures, refunds, application decisions, reviews; old events notify nobody', async (t) => {
  const { app, sink } = await appWithSink(t)
  const mentee = await person(app, { name: '이멘티' })
  const mentor = await person(app, { role: 'mentor' })
  await known(app, mentee)

  t.test('a receipt reaches the payer even with the category switched off in storage (transactional)', async (t) => {
    // the API refuses this switch (400); a row written some other way must not suppress a receipt either
    await app.db.insertInto('preferences').values([
      { uid: mentee.uid, category: 'receipts', channel: 'email', enabled: false },
      { uid: mentee.uid, category: 'receipts', channel: 'in_app', enabled: false },
    ]).execute()
    const paymentId = randomUUID()
    const bookingId = randomUUID()
    await publish(app, paymentEvent('created', { paymentId, bookingId, amount: 50_000, currency: 'KRW', menteeUid: mentee.uid, mentorUid: mentor.uid, provider: 'sandbox', createdAt: new Date().toISOString() }))
    const paid = await publish(app, paymentEvent('succeeded', { paymentId, bookingId, amount: 50_000, currency: 'KRW', succeededAt: '2026-12-09T15:00:00.000Z' }))
    const all = await waitRows(app, paid.id, 4)
    const rows = all.filter((r) => r.recipient_uid === mentee.uid)
    t.same(rows.map((r) => [r.channel, r.recipient_uid, r.category]), [['email', mentee.uid, 'receipts'], ['in_app', mentee.uid, 'receipts']])
    t.equal(rows[0]!.link, `/payments/${paymentId}`)
    // the mentor hears what counts toward the payout
    const payout = all.find((r) => r.recipient_uid === mentor.uid && r.channel === 'in_app')!
    t.match(payout, { category: 'payouts', title: '세션 결제 완료: ₩50,000', link: '/me?tab=earnings' })
    const [mail] = await mailsTo(sink, mentee.email)
    t.equal(mail!.subject, '결제 영수증: ₩50,000')
    t.match(mail!.text, /2026년 12월 10일.*\(Asia\/Seoul\)/)

    const refunded = await publish(app, paymentEvent('refunded', { paymentId, bookingId, amount: 50_000, currency: 'KRW', refundId: randomUUID(), refundAmount: 25_000, refundedTotal: 25_000, state: 'partially_refunded', reason: 'booking_cancelled', refundedAt: new Date().toISOString() }))
    const refundRows = await waitRows(app, refunded.id, 4)
    const r = refundRows.find((x) => x.channel === 'in_app' && x.recipient_uid === mentee.uid)!
    t.equal(r.title, '환불 완료: ₩25,000')
    t.equal(refundRows.find((x) => x.channel === 'in_app' && x.recipient_uid === mentor.uid)!.title, '세션 환불: ₩25,000')
  })

  t.test('an outcome handled before its payment.created waits (retried) until the payer is known', async (t) => {
    const paymentId = randomUUID()
    const bookingId = randomUUID()
    const failed = await publish(app, paymentEvent('failed', { paymentId, bookingId, amount: 30_000, currency: 'KRW', reason: 'card_declined', failedAt: new Date().toISOString() }))
    await new Promise((r) => setTimeout(r, 300))
    t.same(await rowsOf(app, failed.id), [], 'nothing yet: the payer is unknown')
    // payment.created arriving later (another replica had it, or the stream is replayed)
    await app.db.insertInto('payments').values({ payment_id: paymentId, booking_id: bookingId, payer_uid: mentee.uid, mentor_uid: null }).execute()
    const rows = await waitRows(app, failed.id, 2, 20_000)
    t.equal(rows.find((x) => x.channel === 'in_app')!.title, '결제에 실패했습니다: ₩30,000')
    t.equal(rows[0]!.link, `/payments/booking/${bookingId}`)
  })

  t.test('application approved and rejected reach the applicant; an imported mentor tells nobody', async (t) => {
    const applicant = await person(app, { name: '지원자' })
    await known(app, applicant)
    const rejected = await publish(
      app,
      createEvent({ type: CatalogEvents.applicationRejected.type, version: 1, source: 'mentor-catalog', actor: { type: 'user', id: 'admin' }, data: { applicationId: randomUUID(), uid: applicant.uid, reason: '경력 정보를 더 적어 주세요', decidedBy: 'admin', decidedAt: new Date().toISOString() } }),
    )
    const rr = (await waitRows(app, rejected.id, 2)).find((x) => x.channel === 'in_app')!
    t.equal(rr.recipient_uid, applicant.uid)
    t.equal(rr.title, '멘토 신청이 반려되었습니다')
    t.equal(rr.body, '사유: 경력 정보를 더 적어 주세요')

    const profile = { ...mentorProfile(), uid: applicant.uid }
    const approved = await publish(app, createEvent({ type: CatalogEvents.mentorApproved.type, version: 1, source: 'mentor-catalog', actor: { type: 'user', id: 'admin' }, data: profile }))
    const ar = (await waitRows(app, approved.id, 2)).find((x) => x.channel === 'in_app')!
    t.equal(ar.title, '멘토 신청이 승인되었습니다')
    t.equal(ar.link, `/mentors/${profile.id}`)

    const imported = await publish(app, createEvent({ type: CatalogEvents.mentorApproved.type, version: 1, source: 'mentor-catalog', actor: system, data: { ...mentorProfile(), uid: null } }))
    const marker = await publish(app, createEvent({ type: CatalogEvents.applicationRejected.type, version: 1, source: 'mentor-catalog', actor: system, data: { applicationId: randomUUID(), uid: applicant.uid, reason: 'marker', decidedBy: 'admin', decidedAt: new Date().toISOString() } }))
    // the catalog consumer keeps stream order: once the marker is handled, so is the import
    await waitRows(app, marker.id, 2)
    t.same(await rowsOf(app, imported.id), [])
  })

  t.test('a completed session asks the mentee for a review; a review reaches the mentor behind the public id', async (t) => {
    const reviewed = await person(app, { name: '박멘토', role: 'mentor' })
    await known(app, reviewed)
    const profile = { ...mentorProfile(), uid: reviewed.uid, displayName: '박멘토' }
    await publish(app, createEvent({ type: CatalogEvents.mentorApproved.type, version: 1, source: 'mentor-catalog', actor: system, data: profile }))
    const completed = await publish(
      app,
      createEvent({ type: MeetingEvents.bookingCompleted.type, version: 1, source: 'meeting', actor: system, data: { bookingId: randomUUID(), menteeUid: mentee.uid, mentorId: profile.id, mentorUid: reviewed.uid, startsAt: new Date().toISOString(), endsAt: new Date().toISOString(), completedAt: new Date().toISOString() } }),
    )
    const ask = (await waitRows(app, completed.id, 2)).find((x) => x.channel === 'in_app')!
    t.equal(ask.recipient_uid, mentee.uid)
    t.equal(ask.title, '박멘토님과의 세션은 어떠셨나요?')
    t.equal(ask.link, `/mentors/${profile.id}`)

    const review = (mentorId: string) =>
      createEvent({ type: CatalogEvents.reviewCreated.type, version: 1, source: 'mentor-catalog', actor: { type: 'user', id: mentee.uid }, data: { reviewId: randomUUID(), mentorId, bookingId: randomUUID(), menteeUid: mentee.uid, rating: 4, comment: '설명이 친절했어요', createdAt: new Date().toISOString() } })
    // the catalog consumer keeps stream order, so the approval above is known by now
    const got = await publish(app, review(profile.id.toUpperCase()))
    const r = (await waitRows(app, got.id, 2)).find((x) => x.channel === 'in_app')!
    t.equal(r.recipient_uid, reviewed.uid)
    t.equal(r.title, '이멘티님이 후기를 남겼습니다 ★★★★☆')
    t.equal(r.body, '설명이 친절했어요')

    const toImported = await publish(app, review(randomUUID()))
    const marker = await publish(app, review(profile.id))
    await waitRows(app, marker.id, 2)
    t.same(await rowsOf(app, toImported.id), [], 'a mentor without an account is told nothing')
  })

  t.test('an event older than NOTIFICATION_MAX_EVENT_AGE_HOURS notifies nobody', async (t) => {
    const old = matchingEvent('requestCreated', mentor, mentee, { message: 'long ago', createdAt: new Date().toISOString(), expiresAt: new Date().toISOString() })
    old.occurredAt = new Date(Date.now() - 4 * 86_400_000).toISOString()
    await publish(app, old)
    const fresh = await publish(app, matchingEvent('requestCreated', mentor, mentee, { message: 'now', createdAt: new Date().toISOString(), expiresAt: new Date().toISOString() }))
    await waitRows(app, fresh.id, 2)
    await new Promise((r) => setTimeout(r, 500))
    t.same(await rowsOf(app, old.id), [])
  })
})
