import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { ParsedMail } from 'mailparser'
import { createEvent } from '@sunbae/bus'
import { MeetingEvents, type EventActor } from '@sunbae/contracts'
import { known, mailsTo, person, publish, waitRows, type Person, appWithSink } from './helpers.ts'

// Booking events reach both parties with the session in their own zone and language, and carry a
// calendar entry with the booking's UID: REQUEST when confirmed, CANCEL (SEQUENCE 1) when cancelled,
// both when moved. Reminders come from meeting.reminder.due.

type Kind = keyof typeof MeetingEvents
function meetingEvent(kind: Kind, mentor: Person | null, mentee: Person, data: Record<string, unknown>, actor: EventActor = { type: 'system', id: null }) {
  const e = MeetingEvents[kind]
  return createEvent({
    type: e.type,
    version: e.version,
    source: 'meeting',
    actor,
    data: { bookingId: randomUUID(), menteeUid: mentee.uid, mentorId: randomUUID(), mentorUid: mentor?.uid ?? null, startsAt: '2026-12-10T06:00:00.000Z', endsAt: '2026-12-10T07:00:00.000Z', ...data },
  })
}

/**
 * The distinct calendar entries of a parsed mail: the invite (nodemailer sends it as the text/calendar
 * alternative and again as an .ics attachment) and any further .ics attachments.
 */
const calendars = (m: ParsedMail): string[] => [
  ...new Set(m.attachments.filter((a) => a.contentType.startsWith('text/calendar') || a.filename?.endsWith('.ics')).map((a) => a.content.toString('utf8'))),
]

t.test('booking events and reminders', async (t) => {
  const { app, sink } = await appWithSink(t)
  const mentor = await person(app, { name: 'Jane Mentor', role: 'mentor', locale: 'en', timeZone: 'America/New_York' })
  const mentee = await person(app, { name: '이멘티' })
  await known(app, mentor, (r) => r.locale === 'en')
  await known(app, mentee)

  t.test('confirmed: both get an invite whose DTSTART is the booking’s, in their own language and zone', async (t) => {
    const e = await publish(app, meetingEvent('bookingConfirmed', mentor, mentee, { price: 50_000, currency: 'KRW', paymentId: randomUUID(), videoUrl: 'https://meet.sunbae.app/r/abc', confirmedAt: new Date().toISOString() }))
    const bookingId = (e.data as { bookingId: string }).bookingId
    const rows = await waitRows(app, e.id, 4)
    t.same(rows.map((r) => [r.channel, r.recipient_uid === mentee.uid ? 'mentee' : 'mentor']).sort(), [['email', 'mentee'], ['email', 'mentor'], ['in_app', 'mentee'], ['in_app', 'mentor']])
    const [toMentee] = await mailsTo(sink, mentee.email)
    const [toMentor] = await mailsTo(sink, mentor.email)
    t.equal(toMentee!.subject, 'Jane Mentor님과의 세션이 확정되었습니다')
    // 06:00 UTC is 15:00 in Seoul and 01:00 in New York
    t.match(toMentee!.text, /2026년 12월 10일.*오후 3:00 \(Asia\/Seoul\), 60분/)
    t.match(toMentee!.text, 'https://meet.sunbae.app/r/abc')
    t.match(toMentee!.text, '결제 금액: ₩50,000')
    t.equal(toMentor!.subject, 'Your session with 이멘티 is confirmed')
    t.match(toMentor!.text, /December 10, 2026.*1:00\sAM \(America\/New_York\), 60 min/)
    t.notMatch(toMentor!.text, 'Paid:', 'the price is the mentee’s business')
    for (const m of [toMentee!, toMentor!]) {
      const [ics] = calendars(m)
      t.ok(ics, 'an invite')
      t.match(ics, 'METHOD:REQUEST')
      t.match(ics, `UID:${bookingId}@sunbae`)
      t.match(ics, 'DTSTART:20261210T060000Z')
      t.match(ics, 'DTEND:20261210T070000Z')
      t.match(ics, 'SEQUENCE:0')
    }
    t.match(calendars(toMentee!)[0], 'SUMMARY:선배 1:1 멘토링')
  })

  t.test('cancelled by the mentor: the mentee hears it with the refund, both get a CANCEL of the same UID', async (t) => {
    const bookingId = randomUUID()
    const e = await publish(
      app,
      meetingEvent('bookingCancelled', mentor, mentee, {
        bookingId,
        cancelledBy: 'mentor',
        reason: 'sick',
        refund: { outcome: 'full', percent: 100, amount: 50_000, currency: 'KRW', paymentId: randomUUID() },
        cancelledAt: new Date().toISOString(),
      }, { type: 'user', id: mentor.uid, role: 'mentor' }),
    )
    await waitRows(app, e.id, 4)
    const toMentee = (await mailsTo(sink, mentee.email, 2)).find((m) => m.subject?.includes('취소'))!
    const toMentor = (await mailsTo(sink, mentor.email, 2)).find((m) => m.subject?.includes('cancelled'))!
    t.equal(toMentee.subject, 'Jane Mentor님이 세션을 취소했습니다')
    t.match(toMentee.text, '사유: sick')
    t.match(toMentee.text, '환불: ₩50,000 (100%)')
    t.equal(toMentor.subject, 'You cancelled your session with 이멘티')
    for (const m of [toMentee, toMentor]) {
      const [ics] = calendars(m)
      t.match(ics, 'METHOD:CANCEL')
      t.match(ics, `UID:${bookingId}@sunbae`)
      t.match(ics, 'SEQUENCE:1')
      t.match(ics, 'STATUS:CANCELLED')
    }
  })

  t.test('rescheduled: the new time is invited and the old booking’s entry cancelled', async (t) => {
    const previousBookingId = randomUUID()
    const e = await publish(
      app,
      meetingEvent('bookingRescheduled', mentor, mentee, {
        startsAt: '2026-12-11T06:00:00.000Z',
        endsAt: '2026-12-11T07:00:00.000Z',
        previousBookingId,
        previousStartsAt: '2026-12-10T06:00:00.000Z',
        previousEndsAt: '2026-12-10T07:00:00.000Z',
        rescheduledBy: 'mentee',
        reason: '',
        rescheduledAt: new Date().toISOString(),
      }, { type: 'user', id: mentee.uid, role: 'mentee' }),
    )
    const bookingId = (e.data as { bookingId: string }).bookingId
    await waitRows(app, e.id, 4)
    const toMentor = (await mailsTo(sink, mentor.email, 3)).find((m) => m.subject === '이멘티 moved your session')!
    t.ok(toMentor)
    t.match(toMentor.text, /New time: Fri, December 11, 2026 at 1:00\sAM \(America\/New_York\)/)
    const parts = calendars(toMentor)
    t.equal(parts.length, 2, 'the new entry and the old one’s cancellation')
    t.ok(parts.some((p) => p.includes('METHOD:REQUEST') && p.includes(`UID:${bookingId}@sunbae`) && p.includes('DTSTART:20261211T060000Z')))
    t.ok(parts.some((p) => p.includes('METHOD:CANCEL') && p.includes(`UID:${previousBookingId}@sunbae`) && p.includes('SEQUENCE:1')))
  })

  t.test('reminders: both parties, in the reminders category; an imported mentor (no account) is skipped', async (t) => {
    const e = await publish(app, meetingEvent('reminderDue', mentor, mentee, { kind: '1h', videoUrl: 'https://meet.sunbae.app/r/xyz', dueAt: new Date().toISOString() }))
    const rows = await waitRows(app, e.id, 4)
    t.ok(rows.every((r) => r.category === 'reminders'))
    t.equal(rows.find((r) => r.recipient_uid === mentee.uid && r.channel === 'in_app')!.title, '1시간 후 Jane Mentor님과의 세션이 시작됩니다')
    t.equal(rows.find((r) => r.recipient_uid === mentor.uid && r.channel === 'in_app')!.title, 'Your session with 이멘티 starts in 1 hour')

    const imported = await publish(app, meetingEvent('reminderDue', null, mentee, { kind: '24h', videoUrl: 'https://meet.sunbae.app/r/xyz', dueAt: new Date().toISOString() }))
    const only = await waitRows(app, imported.id, 2)
    await new Promise((r) => setTimeout(r, 300))
    t.ok(only.every((r) => r.recipient_uid === mentee.uid))
    t.equal(only.find((r) => r.channel === 'in_app')!.title, '내일 멘토님과의 세션이 시작됩니다')
  })
})
