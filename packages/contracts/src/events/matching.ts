import { Type, type Static } from 'typebox'
import { defineEvent } from './define.ts'

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
const requestCreated = defineEvent('matching.request.created', RequestCreatedV1)

/** The mentor accepted: a match exists from now on; chat-bridge opens a room for the two uids. */
export const RequestAcceptedV1 = Type.Object({
  ...parties,
  matchId: Type.String({ format: 'uuid' }),
  message: Type.String({ description: "the mentee's opening message" }),
  acceptedAt: Type.String({ format: 'date-time' }),
})
export type RequestAcceptedV1 = Static<typeof RequestAcceptedV1>
const requestAccepted = defineEvent('matching.request.accepted', RequestAcceptedV1)

export const RequestDeclinedV1 = Type.Object({
  ...parties,
  reason: Type.String(),
  declinedAt: Type.String({ format: 'date-time' }),
})
export type RequestDeclinedV1 = Static<typeof RequestDeclinedV1>
const requestDeclined = defineEvent('matching.request.declined', RequestDeclinedV1)

export const RequestCancelledV1 = Type.Object({ ...parties, cancelledAt: Type.String({ format: 'date-time' }) })
export type RequestCancelledV1 = Static<typeof RequestCancelledV1>
const requestCancelled = defineEvent('matching.request.cancelled', RequestCancelledV1)

/** Nobody answered in time; published exactly once per request, whichever replica expired it. */
export const RequestExpiredV1 = Type.Object({ ...parties, expiredAt: Type.String({ format: 'date-time' }) })
export type RequestExpiredV1 = Static<typeof RequestExpiredV1>
const requestExpired = defineEvent('matching.request.expired', RequestExpiredV1)

export const MatchEndedV1 = Type.Object({
  ...parties,
  matchId: Type.String({ format: 'uuid' }),
  endedBy: Type.Union([Type.Literal('mentee'), Type.Literal('mentor'), Type.Literal('admin')], { description: 'admin: an admin ended it (the actor), with the reason' }),
  reason: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.String({ format: 'date-time' }),
})
export type MatchEndedV1 = Static<typeof MatchEndedV1>
const matchEnded = defineEvent('matching.match.ended', MatchEndedV1)

/** The matching events, each defined beside its schema above. */
export const MatchingEvents = {
  requestCreated, requestAccepted, requestDeclined, requestCancelled, requestExpired, matchEnded,
}
