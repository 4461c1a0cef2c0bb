import { Type, type Static } from 'typebox'
import { defineEvent } from './define.ts'

const uuid = Type.String({ format: 'uuid' })
const dateTime = Type.String({ format: 'date-time' })

/** Who a booking is between and when; every booking event carries it. */
const booking = {
  bookingId: uuid,
  menteeUid: Type.String(),
  mentorId: Type.String({ format: 'uuid', description: "the mentor's public id (mentor-catalog)" }),
  mentorUid: Type.Union([Type.String(), Type.Null()]),
  startsAt: dateTime,
  endsAt: dateTime,
}

/** A session took place. Published by meeting; mentor-catalog lets the mentee review it. */
export const BookingCompletedV1 = Type.Object({ ...booking, completedAt: dateTime })
export type BookingCompletedV1 = Static<typeof BookingCompletedV1>
const bookingCompleted = defineEvent('meeting.booking.completed', BookingCompletedV1)

const money = {
  price: Type.Integer({ minimum: 0, description: 'in the minor unit of currency (KRW has none)' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
}

/** A slot is held for a paid session until payment.succeeded arrives or the hold expires. */
export const BookingHeldV1 = Type.Object({ ...booking, ...money, holdExpiresAt: dateTime })
export type BookingHeldV1 = Static<typeof BookingHeldV1>
const bookingHeld = defineEvent('meeting.booking.held', BookingHeldV1)

export const BookingConfirmedV1 = Type.Object({
  ...booking,
  ...money,
  paymentId: Type.Union([uuid, Type.Null()], { description: 'null for a free session' }),
  videoUrl: Type.String(),
  confirmedAt: dateTime,
})
export type BookingConfirmedV1 = Static<typeof BookingConfirmedV1>
const bookingConfirmed = defineEvent('meeting.booking.confirmed', BookingConfirmedV1)

/** A hold ended without confirmation: its payment failed or it expired. */
export const BookingReleasedV1 = Type.Object({
  ...booking,
  reason: Type.Union([Type.Literal('hold_expired'), Type.Literal('payment_failed')]),
  releasedAt: dateTime,
})
export type BookingReleasedV1 = Static<typeof BookingReleasedV1>
const bookingReleased = defineEvent('meeting.booking.released', BookingReleasedV1)

export const Refund = Type.Object({
  outcome: Type.Union([Type.Literal('full'), Type.Literal('partial'), Type.Literal('none')]),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String(),
  paymentId: Type.Union([uuid, Type.Null()]),
})
export type Refund = Static<typeof Refund>

export const CancelledBy = Type.Union([Type.Literal('mentee'), Type.Literal('mentor')])
export type CancelledBy = Static<typeof CancelledBy>

/** The payment service applies `refund` (null: nothing was paid). */
export const BookingCancelledV1 = Type.Object({
  ...booking,
  cancelledBy: CancelledBy,
  reason: Type.String(),
  refund: Type.Union([Refund, Type.Null()]),
  cancelledAt: dateTime,
})
export type BookingCancelledV1 = Static<typeof BookingCancelledV1>
const bookingCancelled = defineEvent('meeting.booking.cancelled', BookingCancelledV1)

/** The old booking ends as `rescheduled`; the new one points back to it. */
export const BookingRescheduledV1 = Type.Object({
  ...booking,
  previousBookingId: uuid,
  previousStartsAt: dateTime,
  previousEndsAt: dateTime,
  rescheduledBy: CancelledBy,
  reason: Type.String(),
  rescheduledAt: dateTime,
})
export type BookingRescheduledV1 = Static<typeof BookingRescheduledV1>
const bookingRescheduled = defineEvent('meeting.booking.rescheduled', BookingRescheduledV1)

export const BookingNoShowV1 = Type.Object({ ...booking, markedAt: dateTime })
export type BookingNoShowV1 = Static<typeof BookingNoShowV1>
const bookingNoShow = defineEvent('meeting.booking.no_show', BookingNoShowV1)

export const ReminderDueV1 = Type.Object({
  ...booking,
  kind: Type.Union([Type.Literal('24h'), Type.Literal('1h')]),
  videoUrl: Type.String(),
  dueAt: dateTime,
})
export type ReminderDueV1 = Static<typeof ReminderDueV1>
const reminderDue = defineEvent('meeting.reminder.due', ReminderDueV1)

/** A mentor changed their schedule or policies (the slots may have changed; existing bookings did not). */
export const AvailabilityUpdatedV1 = Type.Object({
  mentorId: uuid,
  mentorUid: Type.String(),
  timezone: Type.String(),
  durations: Type.Array(Type.Integer()),
  pricePerHour: Type.Integer({ minimum: 0 }),
  updatedAt: dateTime,
})
export type AvailabilityUpdatedV1 = Static<typeof AvailabilityUpdatedV1>
const availabilityUpdated = defineEvent('meeting.availability.updated', AvailabilityUpdatedV1)

/** The meeting events, each defined beside its schema above. */
export const MeetingEvents = {
  availabilityUpdated, bookingHeld, bookingConfirmed, bookingReleased, bookingCancelled, bookingRescheduled,
  bookingCompleted, bookingNoShow, reminderDue,
}
