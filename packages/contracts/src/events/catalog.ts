import { Type, type Static } from 'typebox'
import type { EventDef } from './registry.ts'
import { Locale, Role } from '../common.ts'

/**
 * A new account. `locale` and `timeZone` are the account's (optional: events from before the account
 * had them lack them — absent means "not known here").
 */
export const UserRegisteredV1 = Type.Object({
  uid: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  locale: Type.Optional(Locale),
  timeZone: Type.Optional(Type.String({ description: 'IANA' })),
})
export type UserRegisteredV1 = Static<typeof UserRegisteredV1>

export const UserRoleChangedV1 = Type.Object({
  uid: Type.String(),
  from: Role,
  to: Role,
})
export type UserRoleChangedV1 = Static<typeof UserRoleChangedV1>

/**
 * An existing account's profile changed (email, display name, locale, time zone — the catalog sends
 * all four; absent locale/timeZone, in events from before the account had them, means "not known
 * here", not "cleared"). Read models that address people (notification) need no call back.
 */
export const UserUpdatedV1 = Type.Object({
  uid: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  locale: Type.Optional(Locale),
  timeZone: Type.Optional(Type.String({ description: 'IANA' })),
})
export type UserUpdatedV1 = Static<typeof UserUpdatedV1>


/** A mentor's public profile, as it stands after the change: other services' read models need no call back. */
export const MentorProfileV1 = Type.Object({
  id: Type.String({ format: 'uuid' }),
  uid: Type.Union([Type.String(), Type.Null()], { description: 'the Firebase account; null for imported mentors' }),
  displayName: Type.String(),
  headline: Type.String(),
  bio: Type.String(),
  skills: Type.Array(Type.String()),
  company: Type.Union([Type.String(), Type.Null()]),
  yearsExperience: Type.Integer(),
  hourlyRate: Type.Integer({ description: 'KRW per hour' }),
  languages: Type.Array(Type.String(), { description: 'ISO 639-1' }),
  timezone: Type.String({ description: 'IANA' }),
  links: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  rating: Type.Number(),
  reviewCount: Type.Integer(),
  approvedAt: Type.String({ format: 'date-time' }),
})
export type MentorProfileV1 = Static<typeof MentorProfileV1>

/** Suspension also says why (for the audit trail); otherwise the same profile payload. */
export const MentorSuspendedV1 = Type.Object({ ...MentorProfileV1.properties, reason: Type.String() })
export type MentorSuspendedV1 = Static<typeof MentorSuspendedV1>

export const MentorRatedV1 = Type.Object({
  mentorId: Type.String({ format: 'uuid' }),
  rating: Type.Number({ description: 'new average, 2 decimals' }),
  reviewCount: Type.Integer(),
})
export type MentorRatedV1 = Static<typeof MentorRatedV1>

export const ReviewCreatedV1 = Type.Object({
  reviewId: Type.String({ format: 'uuid' }),
  mentorId: Type.String({ format: 'uuid' }),
  bookingId: Type.String({ format: 'uuid' }),
  menteeUid: Type.String(),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type ReviewCreatedV1 = Static<typeof ReviewCreatedV1>

export const ApplicationSubmittedV1 = Type.Object({
  applicationId: Type.String({ format: 'uuid' }),
  uid: Type.String(),
  headline: Type.String(),
  skills: Type.Array(Type.String()),
  submittedAt: Type.String({ format: 'date-time' }),
})
export type ApplicationSubmittedV1 = Static<typeof ApplicationSubmittedV1>

export const ApplicationRejectedV1 = Type.Object({
  applicationId: Type.String({ format: 'uuid' }),
  uid: Type.String(),
  reason: Type.String(),
  decidedBy: Type.String(),
  decidedAt: Type.String({ format: 'date-time' }),
})
export type ApplicationRejectedV1 = Static<typeof ApplicationRejectedV1>

export const CatalogEvents = {
  userRegistered: { type: 'catalog.user.registered', version: 1, schema: UserRegisteredV1 },
  userRoleChanged: { type: 'catalog.user.role_changed', version: 1, schema: UserRoleChangedV1 },
  userUpdated: { type: 'catalog.user.updated', version: 1, schema: UserUpdatedV1 },
  mentorApproved: { type: 'catalog.mentor.approved', version: 1, schema: MentorProfileV1 },
  mentorUpdated: { type: 'catalog.mentor.updated', version: 1, schema: MentorProfileV1 },
  mentorSuspended: { type: 'catalog.mentor.suspended', version: 1, schema: MentorSuspendedV1 },
  mentorReinstated: { type: 'catalog.mentor.reinstated', version: 1, schema: MentorProfileV1 },
  mentorRated: { type: 'catalog.mentor.rated', version: 1, schema: MentorRatedV1 },
  reviewCreated: { type: 'catalog.review.created', version: 1, schema: ReviewCreatedV1 },
  applicationSubmitted: { type: 'catalog.application.submitted', version: 1, schema: ApplicationSubmittedV1 },
  applicationRejected: { type: 'catalog.application.rejected', version: 1, schema: ApplicationRejectedV1 },
} as const satisfies Record<string, EventDef>
