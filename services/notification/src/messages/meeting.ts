import type { BookingCancelledV1, BookingConfirmedV1, BookingRescheduledV1, ReminderDueV1 } from '@sunbae/contracts'
import { sessionCalendar } from './calendar.ts'
import type { Locale } from './categories.ts'
import { formatTime } from './format.ts'
import type { NameOf } from './matching.ts'
import type { Message } from './message.ts'

const BOOKINGS_PAGE = '/me?tab=bookings'

/** The session's time as the recipient reads it: start in their zone, and how long. */
function when(startsAt: string, endsAt: string, l: Locale, zone: string): string {
  const minutes = Math.round((new Date(endsAt).getTime() - new Date(startsAt).getTime()) / 60_000)
  return l === 'ko' ? `${formatTime(startsAt, l, zone)}, ${minutes}분` : `${formatTime(startsAt, l, zone)}, ${minutes} min`
}

const money = (amount: number, currency: string, l: Locale): string =>
  new Intl.NumberFormat(l === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency }).format(amount)

/** Who the email's calendar entries are from (MAIL_FROM's address). */
export interface CalendarContext {
  organizer: string
}

/** To both parties: the session is booked (paid, or free); the invite goes into their calendar. */
export function bookingConfirmed(d: BookingConfirmedV1, other: NameOf, toMentee: boolean, cal: CalendarContext): Message {
  return {
    category: 'bookings',
    link: BOOKINGS_PAGE,
    render: (l, zone) => {
      const who = other(l)
      const at = when(d.startsAt, d.endsAt, l, zone)
      const paid = toMentee && d.price > 0 ? [l === 'ko' ? `결제 금액: ${money(d.price, d.currency, l)}` : `Paid: ${money(d.price, d.currency, l)}`] : []
      return l === 'ko'
        ? {
            title: `${who}님과의 세션이 확정되었습니다`,
            body: at,
            paragraphs: [`${who}님과의 1:1 세션이 확정되었습니다.`, `일시: ${at}`, `참여 링크: ${d.videoUrl}`, ...paid, '캘린더 초대가 함께 첨부되어 있습니다.'],
            action: '예약 보기',
          }
        : {
            title: `Your session with ${who} is confirmed`,
            body: at,
            paragraphs: [`Your 1:1 session with ${who} is confirmed.`, `When: ${at}`, `Join: ${d.videoUrl}`, ...paid, 'A calendar invitation is attached.'],
            action: 'See your bookings',
          }
    },
    calendar: (l, attendee) => [sessionCalendar(d, 'REQUEST', l, { organizer: cal.organizer, attendee })],
  }
}

/** To both parties: cancelled (by whom, why), the mentee with the refund; the calendar entry is withdrawn. */
export function bookingCancelled(d: BookingCancelledV1, other: NameOf, toMentee: boolean, byRecipient: boolean, cal: CalendarContext): Message {
  return {
    category: 'bookings',
    link: BOOKINGS_PAGE,
    render: (l, zone) => {
      const who = other(l)
      const at = when(d.startsAt, d.endsAt, l, zone)
      const reason = d.reason.trim()
      const refund = toMentee && d.refund
        ? d.refund.outcome === 'none'
          ? [l === 'ko' ? '환불 규정에 따라 환불되지 않습니다.' : 'Under the refund policy, nothing is refunded.']
          : [l === 'ko' ? `환불: ${money(d.refund.amount, d.refund.currency, l)} (${d.refund.percent}%)` : `Refund: ${money(d.refund.amount, d.refund.currency, l)} (${d.refund.percent}%)`]
        : []
      return l === 'ko'
        ? {
            title: byRecipient ? `${who}님과의 세션을 취소했습니다` : `${who}님이 세션을 취소했습니다`,
            body: `${at}${reason ? ` · 사유: ${reason}` : ''}`,
            paragraphs: [byRecipient ? `${who}님과의 1:1 세션을 취소했습니다.` : `${who}님이 1:1 세션을 취소했습니다.`, `일시: ${at}`, ...(reason ? [`사유: ${reason}`] : []), ...refund],
            action: '예약 보기',
          }
        : {
            title: byRecipient ? `You cancelled your session with ${who}` : `${who} cancelled your session`,
            body: `${at}${reason ? ` · Reason: ${reason}` : ''}`,
            paragraphs: [byRecipient ? `You cancelled your 1:1 session with ${who}.` : `${who} cancelled your 1:1 session.`, `When: ${at}`, ...(reason ? [`Reason: ${reason}`] : []), ...refund],
            action: 'See your bookings',
          }
    },
    calendar: (l, attendee) => [sessionCalendar({ ...d, videoUrl: null }, 'CANCEL', l, { organizer: cal.organizer, attendee })],
  }
}

/** To both parties: the session moved; the new time is invited, the old one withdrawn. */
export function bookingRescheduled(d: BookingRescheduledV1, other: NameOf, byRecipient: boolean, cal: CalendarContext): Message {
  return {
    category: 'bookings',
    link: BOOKINGS_PAGE,
    render: (l, zone) => {
      const who = other(l)
      const at = when(d.startsAt, d.endsAt, l, zone)
      const before = when(d.previousStartsAt, d.previousEndsAt, l, zone)
      return l === 'ko'
        ? {
            title: byRecipient ? `${who}님과의 세션 시간을 변경했습니다` : `${who}님이 세션 시간을 변경했습니다`,
            body: `${before} → ${at}`,
            paragraphs: [byRecipient ? `${who}님과의 1:1 세션 시간을 변경했습니다.` : `${who}님이 1:1 세션 시간을 변경했습니다.`, `새 일시: ${at}`, `이전 일시: ${before}`, ...(d.reason.trim() ? [`사유: ${d.reason.trim()}`] : [])],
            action: '예약 보기',
          }
        : {
            title: byRecipient ? `You moved your session with ${who}` : `${who} moved your session`,
            body: `${before} → ${at}`,
            paragraphs: [byRecipient ? `You moved your 1:1 session with ${who}.` : `${who} moved your 1:1 session.`, `New time: ${at}`, `Was: ${before}`, ...(d.reason.trim() ? [`Reason: ${d.reason.trim()}`] : [])],
            action: 'See your bookings',
          }
    },
    // the new booking's entry, and the old booking's withdrawn (meeting gives each booking its own UID)
    calendar: (l, attendee) => [
      sessionCalendar({ bookingId: d.bookingId, startsAt: d.startsAt, endsAt: d.endsAt, videoUrl: null }, 'REQUEST', l, { organizer: cal.organizer, attendee }),
      sessionCalendar({ bookingId: d.previousBookingId, startsAt: d.previousStartsAt, endsAt: d.previousEndsAt, videoUrl: null }, 'CANCEL', l, { organizer: cal.organizer, attendee }),
    ],
  }
}

/** To both parties, 24 h and 1 h before: when, with whom, the join link. */
export function reminderDue(d: ReminderDueV1, other: NameOf): Message {
  return {
    category: 'reminders',
    link: BOOKINGS_PAGE,
    render: (l, zone) => {
      const who = other(l)
      const at = when(d.startsAt, d.endsAt, l, zone)
      const soon = d.kind === '1h' ? (l === 'ko' ? '1시간 후' : 'in 1 hour') : l === 'ko' ? '내일' : 'tomorrow'
      return l === 'ko'
        ? {
            title: `${soon} ${who}님과의 세션이 시작됩니다`,
            body: at,
            paragraphs: [`${soon} ${who}님과의 1:1 세션이 시작됩니다.`, `일시: ${at}`, `참여 링크: ${d.videoUrl}`],
            action: '예약 보기',
          }
        : {
            title: `Your session with ${who} starts ${soon}`,
            body: at,
            paragraphs: [`Your 1:1 session with ${who} starts ${soon}.`, `When: ${at}`, `Join: ${d.videoUrl}`],
            action: 'See your bookings',
          }
    },
  }
}
