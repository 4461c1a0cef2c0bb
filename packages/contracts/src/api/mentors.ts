import { Type, type Static, type TSchema } from 'typebox'
import { Role } from '../common.ts'
import { MENTOR_PHOTO_SIZES } from './photo-sizes.ts'

export * from './photo-sizes.ts'

/** ISO 639-1 codes a mentor may speak. */
export const LANGUAGE_CODES = [
  'aa', 'ab', 'ae', 'af', 'ak', 'am', 'an', 'ar', 'as', 'av', 'ay', 'az', 'ba', 'be', 'bg', 'bi', 'bm', 'bn', 'bo', 'br', 'bs',
  'ca', 'ce', 'ch', 'co', 'cr', 'cs', 'cu', 'cv', 'cy', 'da', 'de', 'dv', 'dz', 'ee', 'el', 'en', 'eo', 'es', 'et', 'eu', 'fa',
  'ff', 'fi', 'fj', 'fo', 'fr', 'fy', 'ga', 'gd', 'gl', 'gn', 'gu', 'gv', 'ha', 'he', 'hi', 'ho', 'hr', 'ht', 'hu', 'hy', 'hz',
  'ia', 'id', 'ie', 'ig', 'ii', 'ik', 'io', 'is', 'it', 'iu', 'ja', 'jv', 'ka', 'kg', 'ki', 'kj', 'kk', 'kl', 'km', 'kn', 'ko',
  'kr', 'ks', 'ku', 'kv', 'kw', 'ky', 'la', 'lb', 'lg', 'li', 'ln', 'lo', 'lt', 'lu', 'lv', 'mg', 'mh', 'mi', 'mk', 'ml', 'mn',
  'mr', 'ms', 'mt', 'my', 'na', 'nb', 'nd', 'ne', 'ng', 'nl', 'nn', 'no', 'nr', 'nv', 'ny', 'oc', 'oj', 'om', 'or', 'os', 'pa',
  'pi', 'pl', 'ps', 'pt', 'qu', 'rm', 'rn', 'ro', 'ru', 'rw', 'sa', 'sc', 'sd', 'se', 'sg', 'si', 'sk', 'sl', 'sm', 'sn', 'so',
  'sq', 'sr', 'ss', 'st', 'su', 'sv', 'sw', 'ta', 'te', 'tg', 'th', 'ti', 'tk', 'tl', 'tn', 'to', 'tr', 'ts', 'tt', 'tw', 'ty',
  'ug', 'uk', 'ur', 'uz', 've', 'vi', 'vo', 'wa', 'wo', 'xh', 'yi', 'yo', 'za', 'zh', 'zu',
] as const
export type LanguageCode = (typeof LANGUAGE_CODES)[number]

export const MentorStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')])
export type MentorStatus = Static<typeof MentorStatus>
export const ApplicationStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')])
export type ApplicationStatus = Static<typeof ApplicationStatus>

/** Limits of what a mentor writes about themselves; the same for applications and edits. */
export const PROFILE_LIMITS = {
  headline: 120,
  bio: 4000,
  skills: 20,
  skill: 40,
  company: 100,
  languages: 10,
  links: 10,
  link: 2048,
  maxYears: 70,
  maxHourlyRate: 10_000_000,
} as const

const L = PROFILE_LIMITS
const profileFields = {
  headline: Type.String({ minLength: 1, maxLength: L.headline, pattern: '\\S' }),
  bio: Type.String({ minLength: 1, maxLength: L.bio, pattern: '\\S' }),
  skills: Type.Array(Type.String({ minLength: 1, maxLength: L.skill, pattern: '\\S' }), { minItems: 1, maxItems: L.skills, uniqueItems: true }),
  company: Type.Union([Type.String({ minLength: 1, maxLength: L.company }), Type.Null()]),
  yearsExperience: Type.Integer({ minimum: 0, maximum: L.maxYears }),
  hourlyRate: Type.Integer({ minimum: 0, maximum: L.maxHourlyRate, description: 'KRW per hour' }),
  languages: Type.Array(Type.Enum([...LANGUAGE_CODES], { description: 'ISO 639-1' }), { minItems: 1, maxItems: L.languages, uniqueItems: true }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Seoul' }),
  links: Type.Array(Type.String({ format: 'uri', pattern: '^https?://', maxLength: L.link }), { maxItems: L.links, uniqueItems: true }),
}

/** Body of POST /api/mentors/applications. */
export const MentorApplicationBody = Type.Object(
  {
    headline: profileFields.headline,
    bio: profileFields.bio,
    skills: profileFields.skills,
    company: Type.Optional(profileFields.company),
    yearsExperience: profileFields.yearsExperience,
    hourlyRate: profileFields.hourlyRate,
    languages: profileFields.languages,
    timezone: Type.Optional(profileFields.timezone),
    links: Type.Optional(profileFields.links),
  },
  { additionalProperties: false },
)
export type MentorApplicationBody = Static<typeof MentorApplicationBody>

/** Body of PATCH /api/mentors/me: any subset of the editable fields (company: null clears it). */
export const MentorProfilePatch = Type.Object(
  {
    headline: Type.Optional(profileFields.headline),
    bio: Type.Optional(profileFields.bio),
    skills: Type.Optional(profileFields.skills),
    company: Type.Optional(profileFields.company),
    yearsExperience: Type.Optional(profileFields.yearsExperience),
    hourlyRate: Type.Optional(profileFields.hourlyRate),
    languages: Type.Optional(profileFields.languages),
    timezone: Type.Optional(profileFields.timezone),
    links: Type.Optional(profileFields.links),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type MentorProfilePatch = Static<typeof MentorProfilePatch>

const PhotoUrl = Type.Union([Type.String({ description: '/api/mentors/{id}/photo/{hash}/160; the same path ending in 64 or 480 gives those sizes' }), Type.Null()], {
  description: 'the photo, 160 px square WebP; null without a photo (show initials)',
})

/** A mentor as anyone may see them. */
export const MentorProfile = Type.Object({
  id: Type.String({ format: 'uuid' }),
  displayName: Type.String(),
  headline: Type.String(),
  bio: Type.String(),
  skills: Type.Array(Type.String()),
  company: Type.Union([Type.String(), Type.Null()]),
  yearsExperience: Type.Integer(),
  hourlyRate: Type.Integer({ description: 'KRW per hour' }),
  languages: Type.Array(Type.String()),
  timezone: Type.String(),
  links: Type.Array(Type.String()),
  rating: Type.Number({ description: 'average, 0 without reviews' }),
  reviewCount: Type.Integer(),
  approvedAt: Type.String({ format: 'date-time' }),
  photoUrl: PhotoUrl,
})
export type MentorProfile = Static<typeof MentorProfile>

/** The signed-in mentor's own profile: the public view plus what only they (and admins) see. */
export const MyMentorProfile = Type.Object({ ...MentorProfile.properties, uid: Type.String(), status: MentorStatus })
export type MyMentorProfile = Static<typeof MyMentorProfile>

/** The admin view of any mentor. */
export const AdminMentor = Type.Object({ ...MentorProfile.properties, uid: Type.Union([Type.String(), Type.Null()]), status: MentorStatus })
export type AdminMentor = Static<typeof AdminMentor>

export const Review = Type.Object({
  id: Type.String({ format: 'uuid' }),
  mentorId: Type.String({ format: 'uuid' }),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.String(),
  authorName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})
export type Review = Static<typeof Review>

/** GET /api/mentors/:id — the profile with its most recent reviews. */
export const MentorPage = Type.Object({ ...MentorProfile.properties, recentReviews: Type.Array(Review, { maxItems: 5 }) })
export type MentorPage = Static<typeof MentorPage>

/** GET /api/mentors/:id/photo/:hash/:size */
export const MentorPhotoParams = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    hash: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'the content hash in photoUrl' }),
    size: Type.Union(MENTOR_PHOTO_SIZES.map((n) => Type.Literal(String(n))), { description: 'px' }),
  },
  { additionalProperties: false },
)
export type MentorPhotoParams = Static<typeof MentorPhotoParams>

/** The answer of PUT /api/mentors/me/photo. */
export const MentorPhotoResult = Type.Object({
  photoUrl: Type.String(),
  sizes: Type.Array(Type.Integer(), { description: 'px, each served at photoUrl with that size' }),
})
export type MentorPhotoResult = Static<typeof MentorPhotoResult>

/** Body of POST /api/mentors/:id/reviews. */
export const ReviewBody = Type.Object(
  {
    bookingId: Type.String({ format: 'uuid' }),
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)
export type ReviewBody = Static<typeof ReviewBody>

export const MentorApplication = Type.Object({
  id: Type.String({ format: 'uuid' }),
  uid: Type.String(),
  applicant: Type.Object({
    email: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
  }),
  headline: Type.String(),
  bio: Type.String(),
  skills: Type.Array(Type.String()),
  company: Type.Union([Type.String(), Type.Null()]),
  yearsExperience: Type.Integer(),
  hourlyRate: Type.Integer(),
  languages: Type.Array(Type.String()),
  timezone: Type.String(),
  links: Type.Array(Type.String()),
  status: ApplicationStatus,
  reason: Type.Union([Type.String(), Type.Null()], { description: 'why it was rejected' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})
export type MentorApplication = Static<typeof MentorApplication>

/** Body of the admin actions that need a reason (reject an application, suspend a mentor). */
export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' }) },
  { additionalProperties: false },
)
export type ReasonBody = Static<typeof ReasonBody>

/** Body of PUT /api/admin/users/:uid/role. */
export const RoleBody = Type.Object({ role: Role }, { additionalProperties: false })
export type RoleBody = Static<typeof RoleBody>

/** ?page=&pageSize= of the catalog's paginated lists (search has its own bounds). */
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
}

export const Paged = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() })
export interface Paged<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}
