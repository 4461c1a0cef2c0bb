import { Type, type Static } from 'typebox'
import { CancelledBy, Refund } from '../events/meeting.ts'

/** Bounds of what a mentor or mentee writes to meeting. */
export const MEETING_LIMITS = {
  windowsPerDay: 12,
  overrides: 400,
  durations: 6,
  maxDurationMin: 480,
  maxBufferMin: 240,
  maxNoticeMin: 60 * 24 * 30,
  maxHorizonDays: 365,
  maxPerDay: 48,
  reason: 1000,
  /** widest from–to range one slots query may ask for */
  maxSlotRangeDays: 62,
} as const
const L = MEETING_LIMITS

const hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, wall-clock time in the schedule zone' })
const hhmmEnd = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description: 'HH:MM after start (24:00 = midnight)' })
const dateTime = Type.String({ format: 'date-time' })

export const DayWindow = Type.Object({ start: hhmm, end: hhmmEnd }, { additionalProperties: false })
export type DayWindow = Static<typeof DayWindow>

const windows = Type.Array(DayWindow, { maxItems: L.windowsPerDay })

/** Weekly hours per ISO weekday, in the schedule's own zone. A missing day is a day off. */
export const WeeklyHours = Type.Object(
  {
    mon: Type.Optional(windows),
    tue: Type.Optional(windows),
    wed: Type.Optional(windows),
    thu: Type.Optional(windows),
    fri: Type.Optional(windows),
    sat: Type.Optional(windows),
    sun: Type.Optional(windows),
  },
  { additionalProperties: false },
)
export type WeeklyHours = Static<typeof WeeklyHours>

/** Replaces the weekly hours of one local date: other hours, or none (a day off). */
export const DateOverride = Type.Object(
  { date: Type.String({ format: 'date', description: 'YYYY-MM-DD in the schedule zone' }), windows },
  { additionalProperties: false },
)
export type DateOverride = Static<typeof DateOverride>

export const AvailabilityBody = Type.Object(
  {
    timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Seoul' }),
    weekly: WeeklyHours,
    overrides: Type.Array(DateOverride, { maxItems: L.overrides, default: [] }),
    durations: Type.Array(Type.Integer({ minimum: 10, maximum: L.maxDurationMin }), { minItems: 1, maxItems: L.durations, description: 'session lengths offered, minutes' }),
    slotIntervalMin: Type.Optional(Type.Union([Type.Integer({ minimum: 5, maximum: L.maxDurationMin }), Type.Null()], { description: 'start times every N minutes; null = the session length' })),
    bufferBeforeMin: Type.Integer({ minimum: 0, maximum: L.maxBufferMin, default: 0 }),
    bufferAfterMin: Type.Integer({ minimum: 0, maximum: L.maxBufferMin, default: 0 }),
    minNoticeMin: Type.Integer({ minimum: 0, maximum: L.maxNoticeMin, default: 120 }),
    horizonDays: Type.Integer({ minimum: 1, maximum: L.maxHorizonDays, default: 60, description: 'how far ahead a session may start' }),
    maxPerDay: Type.Union([Type.Integer({ minimum: 1, maximum: L.maxPerDay }), Type.Null()], { default: null, description: 'sessions per local day; null = no limit' }),
    pricePerHour: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0, description: 'KRW; 0 = free sessions' }),
    fullRefundHours: Type.Integer({ minimum: 0, maximum: 24 * 30, default: 24, description: 'a mentee cancelling at least this long before gets a full refund' }),
    partialRefundHours: Type.Integer({ minimum: 0, maximum: 24 * 30, default: 2, description: '…at least this long before (but less than fullRefundHours): partialRefundPercent' }),
    partialRefundPercent: Type.Integer({ minimum: 0, maximum: 100, default: 50 }),
    rescheduleNoticeHours: Type.Integer({ minimum: 0, maximum: 24 * 30, default: 2, description: 'a mentee may reschedule until this long before the start' }),
  },
  { additionalProperties: false },
)
export type AvailabilityBody = Static<typeof AvailabilityBody>

export const Availability = Type.Object({
  mentorId: Type.String({ format: 'uuid' }),
  timezone: Type.String(),
  weekly: WeeklyHours,
  overrides: Type.Array(DateOverride),
  durations: Type.Array(Type.Integer()),
  slotIntervalMin: Type.Union([Type.Integer(), Type.Null()]),
  bufferBeforeMin: Type.Integer(),
  bufferAfterMin: Type.Integer(),
  minNoticeMin: Type.Integer(),
  horizonDays: Type.Integer(),
  maxPerDay: Type.Union([Type.Integer(), Type.Null()]),
  pricePerHour: Type.Integer(),
  fullRefundHours: Type.Integer(),
  partialRefundHours: Type.Integer(),
  partialRefundPercent: Type.Integer(),
  rescheduleNoticeHours: Type.Integer(),
  updatedAt: dateTime,
})
export type Availability = Static<typeof Availability>

export const SlotsQuery = Type.Object(
  {
    from: dateTime,
    to: dateTime,
    duration: Type.Optional(Type.Integer({ minimum: 10, maximum: L.maxDurationMin, description: 'minutes; default the shortest offered' })),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "the viewer's IANA zone; default the mentor's" })),
  },
  { additionalProperties: false },
)
export type SlotsQuery = Static<typeof SlotsQuery>

export const Slot = Type.Object({
  start: dateTime,
  end: dateTime,
  localStart: Type.String({ description: "start in the viewer's zone, ISO 8601 with offset" }),
  localEnd: Type.String(),
})
export type Slot = Static<typeof Slot>

export const SlotsResponse = Type.Object({
  mentorId: Type.String({ format: 'uuid' }),
  duration: Type.Integer(),
  timezone: Type.String({ description: 'the zone of localStart / localEnd' }),
  mentorTimezone: Type.String(),
  durations: Type.Array(Type.Integer(), { description: 'session lengths the mentor offers, minutes' }),
  policy: Type.Object({ pricePerHour: Type.Integer(), fullRefundHours: Type.Integer(), partialRefundHours: Type.Integer(), partialRefundPercent: Type.Integer(), rescheduleNoticeHours: Type.Integer() }, { description: "price (KRW) and the mentor's cancel / reschedule policy, for the booking page" }),
  slots: Type.Array(Slot),
})
export type SlotsResponse = Static<typeof SlotsResponse>

export const CreateBookingBody = Type.Object(
  {
    mentorId: Type.String({ format: 'uuid' }),
    start: dateTime,
    duration: Type.Integer({ minimum: 10, maximum: L.maxDurationMin }),
  },
  { additionalProperties: false },
)
export type CreateBookingBody = Static<typeof CreateBookingBody>

export const BookingReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: L.reason }) }, { additionalProperties: false })
export type BookingReasonBody = Static<typeof BookingReasonBody>

export const RescheduleBody = Type.Object({ start: dateTime, reason: Type.String({ minLength: 1, maxLength: L.reason }) }, { additionalProperties: false })
export type RescheduleBody = Static<typeof RescheduleBody>

export const BOOKING_STATES = ['held', 'confirmed', 'released', 'cancelled', 'rescheduled', 'completed', 'no_show'] as const
export const BookingState = Type.Enum([...BOOKING_STATES])
export type BookingState = Static<typeof BookingState>

/**
 * What a booking's refund is decided by: the mentor's policy when the session was first booked
 * (carried through reschedules), the most a mentee's cancellation may still earn, and whether the
 * mentor made the last move. The rule itself is `refundFor` (rules/refund.ts).
 */
export const RefundTerms = Type.Object({
  fullRefundHours: Type.Integer({ minimum: 0 }),
  partialRefundHours: Type.Integer({ minimum: 0 }),
  partialRefundPercent: Type.Integer({ minimum: 0, maximum: 100 }),
  capPercent: Type.Integer({ minimum: 0, maximum: 100, description: "at most this percent for a mentee's cancellation (lowered by the mentee's own reschedules)" }),
  movedByMentor: Type.Boolean({ description: 'the mentor made the last move: the mentee may cancel for capPercent whatever the notice' }),
})
export type RefundTerms = Static<typeof RefundTerms>

/** Who joined the session's video room (first join), which the no-show rule reads. */
export const RoomAttendance = Type.Object({
  mentee: Type.Object({ joinedAt: Type.Union([dateTime, Type.Null()]) }),
  mentor: Type.Object({ joinedAt: Type.Union([dateTime, Type.Null()]) }),
})
export type RoomAttendance = Static<typeof RoomAttendance>

export const Booking = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: BookingState,
  mentorId: Type.String({ format: 'uuid' }),
  mentorUid: Type.String(),
  menteeUid: Type.String(),
  start: dateTime,
  end: dateTime,
  duration: Type.Integer(),
  price: Type.Integer(),
  currency: Type.String(),
  holdExpiresAt: Type.Union([dateTime, Type.Null()]),
  videoUrl: Type.Union([Type.String(), Type.Null()], { description: 'roomUrl while the session is confirmed or completed, else null (kept for older clients)' }),
  roomUrl: Type.String({ description: "the session's video room in the web app: WEB_BASE_URL/sessions/<id>/room" }),
  attendance: RoomAttendance,
  previousBookingId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  rescheduledToId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  cancelledBy: Type.Union([CancelledBy, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  refund: Type.Union([Refund, Type.Null()]),
  refundTerms: RefundTerms,
  noShowUntil: Type.Union([dateTime, Type.Null()], {
    description: 'until when its mentor may mark a no-show (the end + MEETING_NO_SHOW_WINDOW_HOURS), for a confirmed or completed session',
  }),
  createdAt: dateTime,
})
export type Booking = Static<typeof Booking>

export const BookingList = Type.Object({ items: Type.Array(Booking) })
export type BookingList = Static<typeof BookingList>

export const BookingListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
  { additionalProperties: false },
)

// — admin (issue 21) —

/** GET /api/admin/bookings — every booking, by state, party and session time, newest session first. */
export const AdminBookingListQuery = Type.Object(
  {
    state: Type.Optional(BookingState),
    mentorId: Type.Optional(Type.String({ format: 'uuid' })),
    mentorUid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    menteeUid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'sessions starting at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'sessions starting before' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)
export type AdminBookingListQuery = Static<typeof AdminBookingListQuery>

export const AdminBooking = Type.Object({
  ...Booking.properties,
  closedByAdmin: Type.Union([Type.String(), Type.Null()], { description: 'the admin who cancelled it on a party’s behalf' }),
})
export type AdminBooking = Static<typeof AdminBooking>

export const AdminBookingList = Type.Object({ items: Type.Array(AdminBooking), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() })
export type AdminBookingList = Static<typeof AdminBookingList>

/** One step of a booking's life, oldest first; a rescheduled session's earlier bookings come first. */
export const BookingHistoryEntry = Type.Object({
  bookingId: Type.String({ format: 'uuid' }),
  at: dateTime,
  state: BookingState,
  by: Type.Union([Type.Literal('mentee'), Type.Literal('mentor'), Type.Literal('admin'), Type.Literal('system')]),
  actorUid: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  refund: Type.Union([Refund, Type.Null()]),
})
export type BookingHistoryEntry = Static<typeof BookingHistoryEntry>

export const AdminBookingDetail = Type.Object({
  booking: AdminBooking,
  history: Type.Array(BookingHistoryEntry),
  refundIfCancelled: Type.Union([Type.Object({ mentee: Type.Union([Refund, Type.Null()]), mentor: Type.Union([Refund, Type.Null()]) }), Type.Null()], {
    description: 'what cancelling now on each party’s behalf would refund (null: it cannot be cancelled now)',
  }),
})
export type AdminBookingDetail = Static<typeof AdminBookingDetail>

/** POST /api/admin/bookings/:id/cancel — on a party's behalf: their refund rule applies. */
export const AdminCancelBookingBody = Type.Object(
  { onBehalfOf: CancelledBy, reason: Type.String({ minLength: 1, maxLength: L.reason, pattern: '\\S' }) },
  { additionalProperties: false },
)
export type AdminCancelBookingBody = Static<typeof AdminCancelBookingBody>

// — video room (issue 23) —

/** How long before the start a session's room opens, and how long after the end it closes. */
export const MEETING_ROOM_WINDOW = { opensBeforeMinutes: 10, closesAfterMinutes: 30 } as const

export type VideoProviderName = 'webrtc' | 'jitsi'

export const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
})
export type IceServer = Static<typeof IceServer>

/** POST /api/meetings/bookings/:id/room — takes no fields. */
export const RoomRequestBody = Type.Object({}, { additionalProperties: false })

/** What a party needs to enter the session's room: the built-in WebRTC room's token and ICE servers, or a Jitsi URL. */
export const RoomAccess = Type.Object({
  bookingId: Type.String({ format: 'uuid' }),
  role: Type.Union([Type.Literal('mentee'), Type.Literal('mentor')]),
  startsAt: dateTime,
  endsAt: dateTime,
  opensAt: dateTime,
  closesAt: dateTime,
  peer: Type.Object({ uid: Type.String() }, { description: 'the other party' }),
  provider: Type.Union([Type.Literal('webrtc'), Type.Literal('jitsi')]),
  roomToken: Type.Optional(Type.String({ description: 'webrtc: a signed token for /room/presence (at most 15 minutes, never past closesAt)' })),
  roomTokenExpiresAt: Type.Optional(dateTime),
  iceServers: Type.Optional(Type.Array(IceServer, { description: 'webrtc: STUN and TURN (time-limited TURN REST credentials); [] without TURN' })),
  iceTransportPolicy: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('relay')])),
  url: Type.Optional(Type.String({ description: 'jitsi: the room URL with its signed JWT' })),
})
export type RoomAccess = Static<typeof RoomAccess>

export const RoomPresenceBody = Type.Object(
  {
    roomToken: Type.String({ minLength: 1, maxLength: 2048 }),
    state: Type.Union([Type.Literal('joined'), Type.Literal('left')]),
  },
  { additionalProperties: false },
)
export type RoomPresenceBody = Static<typeof RoomPresenceBody>
