// meeting: availability, free slots, bookings and their lifecycle (cancel, reschedule, no-show, .ics).
import type { Availability, AvailabilityBody, Booking, BookingList, Match, Paged, SlotsResponse } from '@sunbae/contracts'
import { get, post, put } from './http.ts'

const enc = encodeURIComponent

// GET /api/meetings/availability
export const getAvailability = () => get<Availability>('/api/meetings/availability')
// PUT /api/meetings/availability
export const putAvailability = (body: AvailabilityBody) => put<Availability>('/api/meetings/availability', body)
// GET /api/meetings/mentors/:mentorId/slots?from=&to=&duration=&tz=
export const getSlots = (mentorId: string, q: { from: string; to: string; duration?: number | undefined; tz?: string | undefined }) =>
  get<SlotsResponse>(`/api/meetings/mentors/${enc(mentorId)}/slots`, q)
// POST /api/meetings/bookings
export const createBooking = (mentorId: string, start: string, duration: number) => post<Booking>('/api/meetings/bookings', { mentorId, start, duration })
// GET /api/meetings/bookings/:id
export const getBooking = (id: string) => get<Booking>(`/api/meetings/bookings/${enc(id)}`)
// GET /api/meetings/bookings/:id/ics (text/calendar)
export const getBookingIcs = (id: string) => get<string>(`/api/meetings/bookings/${enc(id)}/ics`)
// POST /api/meetings/bookings/:id/cancel
export const cancelBooking = (id: string, reason: string) => post<Booking>(`/api/meetings/bookings/${enc(id)}/cancel`, { reason })
// POST /api/meetings/bookings/:id/reschedule
export const rescheduleBooking = (id: string, start: string, reason: string) => post<Booking>(`/api/meetings/bookings/${enc(id)}/reschedule`, { start, reason })
// POST /api/meetings/bookings/:id/no-show
export const markNoShow = (id: string) => post<Booking>(`/api/meetings/bookings/${enc(id)}/no-show`)
// GET /api/meetings/upcoming?limit=
export const listUpcoming = (limit = 50) => get<BookingList>('/api/meetings/upcoming', { limit })
// GET /api/meetings/past?limit=
export const listPast = (limit = 50) => get<BookingList>('/api/meetings/past', { limit })
// GET /api/matching/matches?as=&state=active&pageSize=100 — who I may book with (mentee side) or who
// books with me (mentor side): booking needs an active match, and bookings carry only uids.
export const activeMatches = (as: 'mentee' | 'mentor') => get<Paged<Match>>('/api/matching/matches', { as, state: 'active', pageSize: 100 })
// GET /api/matching/matches?as=&pageSize=100 — names of the other party, ended matches included
export const allMatches = (as: 'mentee' | 'mentor') => get<Paged<Match>>('/api/matching/matches', { as, pageSize: 100 })
