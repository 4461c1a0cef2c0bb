import { Type, type Static } from 'typebox'
import { Role } from '../common.ts'
import { MentorProfile, MentorStatus, PageQuery } from './mentors.ts'

/**
 * The catalog's admin lists (issue 21): every mentor whatever their status or age, accounts with
 * their access state and last sign-in, reviews with their moderation state.
 */

/** GET /api/admin/mentors — search over name, account email and headline; status; paging. */
export const AdminMentorListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(MentorStatus),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export type AdminMentorListQuery = Static<typeof AdminMentorListQuery>

export const AdminMentorListItem = Type.Object({
  ...MentorProfile.properties,
  uid: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()], { description: "the mentor's account email, when the mentor has an account" }),
  status: MentorStatus,
  statusChangedAt: Type.String({ format: 'date-time', description: 'when the mentor was approved, last suspended or reinstated' }),
  statusReason: Type.Union([Type.String(), Type.Null()], { description: 'the reason given with the last suspension or reinstatement' }),
})
export type AdminMentorListItem = Static<typeof AdminMentorListItem>

/** Body of POST /api/admin/mentors/:id/reinstate: the reason is optional (older clients send none). */
export const OptionalReasonBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' })) },
  { additionalProperties: false },
)
export type OptionalReasonBody = Static<typeof OptionalReasonBody>

/** `deleted`: the owner deleted the account (a tombstone: no email, name or photo; nothing to enable). */
export const AccountStatus = Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('deleted')])
export type AccountStatus = Static<typeof AccountStatus>

/** GET /api/admin/users */
export const AdminUserListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(Role),
    status: Type.Optional(AccountStatus),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export type AdminUserListQuery = Static<typeof AdminUserListQuery>

export const AdminUser = Type.Object({
  uid: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  status: AccountStatus,
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  deletedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the owner deleted the account' }),
  lastSignInAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: "Firebase Auth's own record of the account's last sign-in (null: never, or the account is gone from Firebase)",
  }),
  createdAt: Type.String({ format: 'date-time' }),
})
export type AdminUser = Static<typeof AdminUser>

export const ReviewVisibility = Type.Union([Type.Literal('visible'), Type.Literal('hidden')])
export type ReviewVisibility = Static<typeof ReviewVisibility>

/** GET /api/admin/reviews */
export const AdminReviewListQuery = Type.Object(
  {
    mentorId: Type.Optional(Type.String({ format: 'uuid' })),
    visibility: Type.Optional(ReviewVisibility),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'in the comment or the author name' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'written at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'written before' })),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export type AdminReviewListQuery = Static<typeof AdminReviewListQuery>

export const AdminReview = Type.Object({
  id: Type.String({ format: 'uuid' }),
  mentorId: Type.String({ format: 'uuid' }),
  mentorName: Type.String(),
  bookingId: Type.String({ format: 'uuid' }),
  menteeUid: Type.String(),
  authorName: Type.Union([Type.String(), Type.Null()]),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  visibility: ReviewVisibility,
  hiddenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  hiddenReason: Type.Union([Type.String(), Type.Null()]),
})
export type AdminReview = Static<typeof AdminReview>
