import { createEvent } from 'ics'
import type { Locale } from './categories.ts'

/** An .ics file: METHOD REQUEST adds or updates the entry in the recipient's calendar, CANCEL removes it. */
export interface CalendarPart {
  method: 'REQUEST' | 'CANCEL'
  filename: string
  content: string
}

export interface SessionEntry {
  bookingId: string
  startsAt: string
  endsAt: string
  videoUrl: string | null
}

/** The same UID as meeting's own .ics of the booking (GET /api/meetings/bookings/:id/ics), so both address one entry. */
export const calendarUid = (bookingId: string): string => `${bookingId}@sunbae`

const TITLE: Record<Locale, string> = { ko: '선배 1:1 멘토링', en: 'Sunbae 1:1 mentoring session' }

/**
 * One session as an invitation (REQUEST, SEQUENCE 0) or its withdrawal (CANCEL, SEQUENCE 1: a
 * cancellation must be newer than the invitation it cancels). Times are UTC instants; calendars
 * show them in their own zone.
 */
export function sessionCalendar(
  s: SessionEntry,
  method: 'REQUEST' | 'CANCEL',
  locale: Locale,
  people: { organizer: string; attendee: { email: string | null; name: string | null } },
): CalendarPart {
  const { error, value } = createEvent({
    uid: calendarUid(s.bookingId),
    productId: 'sunbae/notification',
    method,
    sequence: method === 'CANCEL' ? 1 : 0,
    status: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    start: new Date(s.startsAt).getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: new Date(s.endsAt).getTime(),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: TITLE[locale],
    ...(s.videoUrl ? { description: s.videoUrl, url: s.videoUrl, location: s.videoUrl } : {}),
    busyStatus: 'BUSY',
    organizer: { name: 'Sunbae', email: people.organizer },
    ...(people.attendee.email ? { attendees: [{ email: people.attendee.email, ...(people.attendee.name ? { name: people.attendee.name } : {}), rsvp: false, role: 'REQ-PARTICIPANT' as const }] } : {}),
  })
  if (error || !value) throw error ?? new Error('ics produced nothing')
  return { method, filename: method === 'CANCEL' ? `cancel-${s.bookingId}.ics` : `invite-${s.bookingId}.ics`, content: value }
}
