import { Type, type Static } from 'typebox'
import type { EventDef } from './registry.ts'

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

const money = {
  price: Type.Integer({ minimum: 0, description: 'in the minor unit of currency (KRW has none)' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
}

/** A slot is held for a paid session until payment.succeeded arrives or the hold expires. */
export const BookingHeldV1 = Type.Object({ ...booking, ...money, holdExpiresAt: dateTime })
export type BookingHeldV1 = Static<typeof BookingHeldV1>

export const BookingConfirmedV1 = Type.Object({
  ...booking,
  ...money,
  paymentId: Type.Union([uuid, Type.Null()], { description: 'null for a free session' }),
  videoUrl: Type.String(),
  confirmedAt: dateTime,
})
export type BookingConfirmedV1 = Static<typeof BookingConfirmedV1>

/** A hold ended without confirmation: its payment failed or it expired. */
export const BookingReleasedV1 = Type.Object({
  ...booking,
  reason: Type.Union([Type.Literal('hold_expired'), Type.Literal('payment_failed')]),
  releasedAt: dateTime,
})
export type BookingReleasedV1 = Static<typeof BookingReleasedV1>

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

export const BookingNoShowV1 = Type.Object({ ...booking, markedAt: dateTime })
export type BookingNoShowV1 = Static<typeof BookingNoShowV1>

export const ReminderDueV1 = Type.Object({
  ...booking,
  kind: Type.Union([Type.Literal('24h'), Type.Literal('1h')]),
  videoUrl: Type.String(),
  dueAt: dateTime,
})
export type ReminderDueV1 = Static<typeof ReminderDueV1>

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

export const MeetingEvents = {
  availabilityUpdated: { type: 'meeting.availability.updated', version: 1, schema: AvailabilityUpdatedV1 },
  bookingHeld: { type: 'meeting.booking.held', version: 1, schema: BookingHeldV1 },
  bookingConfirmed: { type: 'meeting.booking.confirmed', version: 1, schema: BookingConfirmedV1 },
  bookingReleased: { type: 'meeting.booking.released', version: 1, schema: BookingReleasedV1 },
  bookingCancelled: { type: 'meeting.booking.cancelled', version: 1, schema: BookingCancelledV1 },
  bookingRescheduled: { type: 'meeting.booking.rescheduled', version: 1, schema: BookingRescheduledV1 },
  bookingCompleted: { type: 'meeting.booking.completed', version: 1, schema: BookingCompletedV1 },
  bookingNoShow: { type: 'meeting.booking.no_show', version: 1, schema: BookingNoShowV1 },
  reminderDue: { type: 'meeting.reminder.due', version: 1, schema: ReminderDueV1 },
} as const satisfies Record<string, EventDef>
