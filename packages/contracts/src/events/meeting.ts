import { Type, type Static } from 'typebox'

/** A session took place. Published by meeting; mentor-catalog lets the mentee review it. */
export const BookingCompletedV1 = Type.Object({
  bookingId: Type.String({ format: 'uuid' }),
  menteeUid: Type.String(),
  mentorId: Type.String({ format: 'uuid', description: "the mentor's public id (mentor-catalog)" }),
  mentorUid: Type.Union([Type.String(), Type.Null()]),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  completedAt: Type.String({ format: 'date-time' }),
})
export type BookingCompletedV1 = Static<typeof BookingCompletedV1>

export const MeetingEvents = {
  bookingCompleted: { type: 'meeting.booking.completed', version: 1, schema: BookingCompletedV1 },
} as const
