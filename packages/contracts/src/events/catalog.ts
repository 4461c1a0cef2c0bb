import { Type, type Static } from 'typebox'
import { defineEvent } from './define.ts'
import { Locale, Role } from '../common.ts'

/**
 * An account as it stands after the change: a new one (`catalog.user.registered`), or an existing
 * one whose profile changed (`catalog.user.updated`: email, display name, locale, time zone — the
 * catalog sends all four). `locale` and `timeZone` are optional: events from before the account had
 * them lack them, and absent means "not known here", not "cleared". Read models that address people
 * (notification) need no call back.
 */
export const UserAccountV1 = Type.Object({
  uid: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  locale: Type.Optional(Locale),
  timeZone: Type.Optional(Type.String({ description: 'IANA' })),
})
export type UserAccountV1 = Static<typeof UserAccountV1>
const userRegistered = defineEvent('catalog.user.registered', UserAccountV1)
const userUpdated = defineEvent('catalog.user.updated', UserAccountV1)

export const UserRoleChangedV1 = Type.Object({
  uid: Type.String(),
  from: Role,
  to: Role,
})
export type UserRoleChangedV1 = Static<typeof UserRoleChangedV1>
const userRoleChanged = defineEvent('catalog.user.role_changed', UserRoleChangedV1)

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
  photoUrl: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'the photo (160 px; the path ending in /64 or /480 gives those sizes); null: none. Absent in events from before photos',
    }),
  ),
})
export type MentorProfileV1 = Static<typeof MentorProfileV1>
const mentorApproved = defineEvent('catalog.mentor.approved', MentorProfileV1)
const mentorUpdated = defineEvent('catalog.mentor.updated', MentorProfileV1)

/** Suspension also says why (for the audit trail); otherwise the same profile payload. */
export const MentorSuspendedV1 = Type.Object({ ...MentorProfileV1.properties, reason: Type.String() })
export type MentorSuspendedV1 = Static<typeof MentorSuspendedV1>

/**
 * Reinstatement may say why too (for the audit trail): the same profile payload, reason optional
 * (absent in events from before admins gave one).
 */
export const MentorReinstatedV1 = Type.Object({ ...MentorProfileV1.properties, reason: Type.Optional(Type.String()) })
export type MentorReinstatedV1 = Static<typeof MentorReinstatedV1>
const mentorReinstated = defineEvent('catalog.mentor.reinstated', MentorReinstatedV1)

/**
 * An admin disabled an account: the Firebase account is disabled and its refresh tokens revoked.
 * Every gateway replica follows these (ordered consumers of its own) and refuses the account's
 * tokens from then on; `reason` is for the audit trail (the event's actor says who).
 */
export const UserDisabledV1 = Type.Object({
  uid: Type.String(),
  reason: Type.String(),
  disabledAt: Type.String({ format: 'date-time' }),
})
export type UserDisabledV1 = Static<typeof UserDisabledV1>
const userDisabled = defineEvent('catalog.user.disabled', UserDisabledV1)

/** An admin enabled a disabled account again; the user signs in again (the old session stays revoked). */
export const UserEnabledV1 = Type.Object({
  uid: Type.String(),
  reason: Type.String(),
  enabledAt: Type.String({ format: 'date-time' }),
})
export type UserEnabledV1 = Static<typeof UserEnabledV1>
const userEnabled = defineEvent('catalog.user.enabled', UserEnabledV1)

/**
 * The user deleted their account (PIPA / GDPR). The catalog has already erased what it holds (the
 * user row is a tombstone without email, name or photo; a mentor profile is unlisted and blanked) and
 * deletes the Firebase account. Every service that holds the user's personal data erases or
 * anonymises it on this event; payments and the ledger are kept (retention the law requires) with the
 * personal fields anonymised. The gateway refuses the account's tokens at once, as for a disable.
 */
export const UserDeletedV1 = Type.Object({
  uid: Type.String(),
  deletedAt: Type.String({ format: 'date-time' }),
})
export type UserDeletedV1 = Static<typeof UserDeletedV1>
const userDeleted = defineEvent('catalog.user.deleted', UserDeletedV1)

/** An admin hid a review from the mentor page (the mentor's rating no longer counts it) or restored it. */
export const ReviewModeratedV1 = Type.Object({
  reviewId: Type.String({ format: 'uuid' }),
  mentorId: Type.String({ format: 'uuid' }),
  reason: Type.String(),
})
export type ReviewModeratedV1 = Static<typeof ReviewModeratedV1>
const reviewHidden = defineEvent('catalog.review.hidden', ReviewModeratedV1)
const reviewRestored = defineEvent('catalog.review.restored', ReviewModeratedV1)

const mentorSuspended = defineEvent('catalog.mentor.suspended', MentorSuspendedV1)

export const MentorRatedV1 = Type.Object({
  mentorId: Type.String({ format: 'uuid' }),
  rating: Type.Number({ description: 'new average, 2 decimals' }),
  reviewCount: Type.Integer(),
})
export type MentorRatedV1 = Static<typeof MentorRatedV1>
const mentorRated = defineEvent('catalog.mentor.rated', MentorRatedV1)

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
const reviewCreated = defineEvent('catalog.review.created', ReviewCreatedV1)

export const ApplicationSubmittedV1 = Type.Object({
  applicationId: Type.String({ format: 'uuid' }),
  uid: Type.String(),
  headline: Type.String(),
  skills: Type.Array(Type.String()),
  submittedAt: Type.String({ format: 'date-time' }),
})
export type ApplicationSubmittedV1 = Static<typeof ApplicationSubmittedV1>
const applicationSubmitted = defineEvent('catalog.application.submitted', ApplicationSubmittedV1)

export const ApplicationRejectedV1 = Type.Object({
  applicationId: Type.String({ format: 'uuid' }),
  uid: Type.String(),
  reason: Type.String(),
  decidedBy: Type.String(),
  decidedAt: Type.String({ format: 'date-time' }),
})
export type ApplicationRejectedV1 = Static<typeof ApplicationRejectedV1>
const applicationRejected = defineEvent('catalog.application.rejected', ApplicationRejectedV1)

/** The catalog events, each defined beside its schema above. */
export const CatalogEvents = {
  userRegistered, userRoleChanged, userUpdated, mentorApproved, mentorUpdated, mentorSuspended,
  mentorReinstated, mentorRated, reviewCreated, applicationSubmitted, applicationRejected,
  userDisabled, userEnabled, userDeleted, reviewHidden, reviewRestored,
}
