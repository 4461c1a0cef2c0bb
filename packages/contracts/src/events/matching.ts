import { Type, type Static } from 'typebox'
import type { EventDef } from './registry.ts'

/**
 * Who is involved in a 1:1 chat request or match. `mentorId` is the mentor's public profile id
 * (mentor-catalog); `mentorUid` and `menteeUid` are Firebase uids — what chat-bridge needs to open
 * a room with both members.
 */
const parties = {
  requestId: Type.String({ format: 'uuid' }),
  mentorId: Type.String({ format: 'uuid', description: "the mentor's public profile id (mentor-catalog)" }),
  mentorUid: Type.String({ description: "the mentor's Firebase uid" }),
  menteeUid: Type.String({ description: "the mentee's Firebase uid" }),
}

export const RequestCreatedV1 = Type.Object({
  ...parties,
  message: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time', description: 'when it expires unless answered' }),
})
export type RequestCreatedV1 = Static<typeof RequestCreatedV1>

/** The mentor accepted: a match exists from now on; chat-bridge opens a room for the two uids. */
export const RequestAcceptedV1 = Type.Object({
  ...parties,
  matchId: Type.String({ format: 'uuid' }),
  message: Type.String({ description: "the mentee's opening message" }),
  acceptedAt: Type.String({ format: 'date-time' }),
})
export type RequestAcceptedV1 = Static<typeof RequestAcceptedV1>

export const RequestDeclinedV1 = Type.Object({
  ...parties,
  reason: Type.String(),
  declinedAt: Type.String({ format: 'date-time' }),
})
export type RequestDeclinedV1 = Static<typeof RequestDeclinedV1>

export const RequestCancelledV1 = Type.Object({ ...parties, cancelledAt: Type.String({ format: 'date-time' }) })
export type RequestCancelledV1 = Static<typeof RequestCancelledV1>

/** Nobody answered in time; published exactly once per request, whichever replica expired it. */
export const RequestExpiredV1 = Type.Object({ ...parties, expiredAt: Type.String({ format: 'date-time' }) })
export type RequestExpiredV1 = Static<typeof RequestExpiredV1>

export const MatchEndedV1 = Type.Object({
  ...parties,
  matchId: Type.String({ format: 'uuid' }),
  endedBy: Type.Union([Type.Literal('mentee'), Type.Literal('mentor')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.String({ format: 'date-time' }),
})
export type MatchEndedV1 = Static<typeof MatchEndedV1>

export const MatchingEvents = {
  requestCreated: { type: 'matching.request.created', version: 1, schema: RequestCreatedV1 },
  requestAccepted: { type: 'matching.request.accepted', version: 1, schema: RequestAcceptedV1 },
  requestDeclined: { type: 'matching.request.declined', version: 1, schema: RequestDeclinedV1 },
  requestCancelled: { type: 'matching.request.cancelled', version: 1, schema: RequestCancelledV1 },
  requestExpired: { type: 'matching.request.expired', version: 1, schema: RequestExpiredV1 },
  matchEnded: { type: 'matching.match.ended', version: 1, schema: MatchEndedV1 },
} as const satisfies Record<string, EventDef>
