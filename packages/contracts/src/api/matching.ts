import { Type, type Static, type TSchema } from 'typebox'
import { LANGUAGE_CODES } from './mentors.ts'

/** Bounds of what a mentee or mentor writes to matching. */
export const MATCHING_LIMITS = {
  goals: 1000,
  skills: 20,
  skill: 40,
  languages: 10,
  timeWindows: 21,
  message: 2000,
  reason: 1000,
  maxCapacity: 100,
  maxBudget: 10_000_000,
  recommendations: 50,
} as const
const L = MATCHING_LIMITS

export const CAREER_STAGES = ['student', 'job_seeker', 'junior', 'mid', 'senior', 'career_changer'] as const
export const CareerStage = Type.Enum([...CAREER_STAGES], {
  description: 'student; job_seeker (first job); junior (0–2 years); mid (3–7); senior (8+); career_changer',
})
export type CareerStage = Static<typeof CareerStage>

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** A weekly window in the owner's own time zone, e.g. { day: 'tue', start: '19:00', end: '21:00' }. */
export const TimeWindow = Type.Object(
  {
    day: Type.Enum([...WEEKDAYS]),
    start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, local time' }),
    end: Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description: 'HH:MM after start (24:00 = midnight)' }),
  },
  { additionalProperties: false },
)
export type TimeWindow = Static<typeof TimeWindow>

export const Budget = Type.Object(
  {
    min: Type.Integer({ minimum: 0, maximum: L.maxBudget, description: 'KRW per hour' }),
    max: Type.Integer({ minimum: 0, maximum: L.maxBudget, description: 'KRW per hour, ≥ min' }),
  },
  { additionalProperties: false },
)
export type Budget = Static<typeof Budget>

const skillList = Type.Array(Type.String({ minLength: 1, maxLength: L.skill, pattern: '\\S' }), { maxItems: L.skills, uniqueItems: true })
const languageList = Type.Array(Type.Enum([...LANGUAGE_CODES], { description: 'ISO 639-1' }), { maxItems: L.languages, uniqueItems: true })
const timezone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Seoul' })

/** Body of PUT /api/matching/preferences: the whole set (an omitted field goes back to its default). */
export const PreferencesBody = Type.Object(
  {
    goals: Type.Optional(Type.String({ maxLength: L.goals, description: 'free text, Korean or English' })),
    skills: Type.Optional(skillList),
    languages: Type.Optional(languageList),
    budget: Type.Optional(Type.Union([Budget, Type.Null()])),
    timezone: Type.Optional(timezone),
    timeWindows: Type.Optional(Type.Array(TimeWindow, { maxItems: L.timeWindows })),
    careerStage: Type.Optional(Type.Union([CareerStage, Type.Null()])),
  },
  { additionalProperties: false },
)
export type PreferencesBody = Static<typeof PreferencesBody>

export const Preferences = Type.Object({
  goals: Type.String(),
  skills: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  budget: Type.Union([Budget, Type.Null()]),
  timezone: Type.String(),
  timeWindows: Type.Array(TimeWindow),
  careerStage: Type.Union([CareerStage, Type.Null()]),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null: never saved (defaults)' }),
})
export type Preferences = Static<typeof Preferences>

export const REASON_KINDS = ['skills', 'goals', 'language', 'budget', 'over_budget', 'time_windows', 'timezone', 'rating', 'experience'] as const
export type ReasonKind = (typeof REASON_KINDS)[number]

const points = Type.Number({ description: 'contribution to the score; the score is the sum of its reasons' })
const won = (description: string) => Type.Integer({ minimum: 0, description: `${description}, KRW` })
/**
 * One reason of a recommendation: a code (`kind`) and the facts it rests on (`params`), typed per
 * kind. There is no sentence: the reader's client words it in the reader's language.
 */
const reason = <K extends ReasonKind, P extends Record<string, TSchema>>(kind: K, description: string, params: P) =>
  Type.Object({ kind: Type.Literal(kind), points, params: Type.Object(params, { additionalProperties: false }) }, { description })

/** A weekly window in the mentee's own time zone; an overlap that runs past midnight ends the next day. */
export const ReasonWindow = Type.Object({
  day: Type.Enum([...WEEKDAYS]),
  start: Type.String({ description: 'HH:MM' }),
  end: Type.String({ description: 'HH:MM' }),
  endsNextDay: Type.Boolean(),
})
export type ReasonWindow = Static<typeof ReasonWindow>

export const RecommendationReason = Type.Union([
  reason('skills', 'skills of the mentee that the mentor has (synonyms and Korean ↔ English count)', {
    count: Type.Integer({ minimum: 1 }),
    skills: Type.Array(Type.Object({ mine: Type.String({ description: "the mentee's spelling" }), theirs: Type.String({ description: "the mentor's spelling" }) })),
  }),
  reason('goals', "words of the mentee's goals found in the mentor's headline or bio", {
    words: Type.Array(Type.Object({ word: Type.String(), where: Type.Enum(['headline', 'bio']) })),
  }),
  reason('language', 'languages both speak (ISO 639-1)', { languages: Type.Array(Type.String()) }),
  reason('budget', "the hourly rate within the mentee's budget, or below it", {
    fit: Type.Enum(['within', 'below']),
    rate: won('the hourly rate'),
    min: won('budget minimum'),
    max: won('budget maximum'),
  }),
  reason('over_budget', "the hourly rate above the mentee's budget (negative points)", {
    rate: won('the hourly rate'),
    max: won('budget maximum'),
    over: won('by how much'),
  }),
  reason('time_windows', "the mentee's windows that overlap the mentor's, in the mentee's time zone", {
    hoursPerWeek: Type.Number({ minimum: 0 }),
    timezone: Type.String({ description: "the mentee's IANA time zone" }),
    windows: Type.Array(ReasonWindow),
  }),
  reason('timezone', "the mentor's time zone has the mentee's UTC offset", { timezone: Type.String({ description: "the mentor's IANA time zone" }) }),
  reason('rating', "the mentor's reviews", { rating: Type.Number({ minimum: 0, maximum: 5 }), reviewCount: Type.Integer({ minimum: 1 }) }),
  reason('experience', "years of experience enough for the mentee's career stage", {
    years: Type.Integer({ minimum: 0 }),
    stage: CareerStage,
    minYears: Type.Integer({ minimum: 0 }),
  }),
])
export type RecommendationReason = Static<typeof RecommendationReason>
/** The params of one kind of reason. */
export type ReasonParams<K extends ReasonKind> = Extract<RecommendationReason, { kind: K }>['params']

export const RecommendedMentor = Type.Object({
  id: Type.String({ format: 'uuid' }),
  displayName: Type.String(),
  headline: Type.String(),
  company: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  yearsExperience: Type.Integer(),
  hourlyRate: Type.Integer({ description: 'KRW per hour' }),
  rating: Type.Number(),
  reviewCount: Type.Integer(),
  timezone: Type.String(),
  acceptsRequests: Type.Boolean({ description: 'false for imported profiles without an account: nobody could answer' }),
})
export type RecommendedMentor = Static<typeof RecommendedMentor>

export const Recommendation = Type.Object({
  mentor: RecommendedMentor,
  score: Type.Number(),
  reasons: Type.Array(RecommendationReason),
})
export type Recommendation = Static<typeof Recommendation>

export const RecommendationsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: L.recommendations, default: 10 })) },
  { additionalProperties: false },
)
export const RecommendationsResponse = Type.Object({
  items: Type.Array(Recommendation),
  candidates: Type.Integer({ description: 'mentors scored for this answer' }),
  computedAt: Type.String({ format: 'date-time' }),
})
export type RecommendationsResponse = Static<typeof RecommendationsResponse>

export const HideMentorBody = Type.Object({ mentorId: Type.String({ format: 'uuid' }) }, { additionalProperties: false })
export const HiddenMentor = Type.Object({ mentorId: Type.String({ format: 'uuid' }), hiddenAt: Type.String({ format: 'date-time' }) })
export type HiddenMentor = Static<typeof HiddenMentor>

export const REQUEST_STATES = ['pending', 'accepted', 'declined', 'cancelled', 'expired'] as const
export const RequestState = Type.Enum([...REQUEST_STATES])
export type RequestState = Static<typeof RequestState>

export const CreateChatRequestBody = Type.Object(
  {
    mentorId: Type.String({ format: 'uuid', description: "the mentor's public id" }),
    message: Type.String({ minLength: 1, maxLength: L.message, pattern: '\\S' }),
  },
  { additionalProperties: false },
)
export type CreateChatRequestBody = Static<typeof CreateChatRequestBody>

export const DeclineBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: L.reason, pattern: '\\S', description: 'shown to the mentee' }) },
  { additionalProperties: false },
)

const MentorRef = Type.Object({
  id: Type.String({ format: 'uuid' }),
  uid: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  headline: Type.Union([Type.String(), Type.Null()]),
})
const MenteeRef = Type.Object({ uid: Type.String(), displayName: Type.Union([Type.String(), Type.Null()]) })

export const ChatRequest = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: RequestState,
  mentor: MentorRef,
  mentee: MenteeRef,
  message: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'why it was declined' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  matchId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
})
export type ChatRequest = Static<typeof ChatRequest>

export const RequestListQuery = Type.Object(
  {
    box: Type.Optional(Type.Union([Type.Literal('inbox'), Type.Literal('outbox')], { default: 'outbox', description: 'inbox: sent to me as a mentor; outbox: sent by me' })),
    state: Type.Optional(RequestState),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)

export const MATCH_STATES = ['active', 'ended'] as const
export const MatchState = Type.Enum([...MATCH_STATES])
export const Match = Type.Object({
  id: Type.String({ format: 'uuid' }),
  requestId: Type.String({ format: 'uuid' }),
  state: MatchState,
  mentor: MentorRef,
  mentee: MenteeRef,
  createdAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  endedBy: Type.Union([Type.Literal('mentee'), Type.Literal('mentor'), Type.Literal('admin'), Type.Null()]),
  endReason: Type.Union([Type.String(), Type.Null()]),
})
export type Match = Static<typeof Match>

export const MatchListQuery = Type.Object(
  {
    as: Type.Optional(Type.Union([Type.Literal('mentee'), Type.Literal('mentor')], { default: 'mentee', description: 'mentee: mentors matched with me; mentor: my mentees' })),
    state: Type.Optional(MatchState),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)

export const EndMatchBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: L.reason, pattern: '\\S' })) },
  { additionalProperties: false },
)

// — admin (issue 21) —

const adminFilters = {
  mentorId: Type.Optional(Type.String({ format: 'uuid' })),
  mentorUid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  menteeUid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}

/** GET /api/admin/matching/requests — every 1:1 chat request, newest first. */
export const AdminRequestListQuery = Type.Object({ state: Type.Optional(RequestState), ...adminFilters }, { additionalProperties: false })
export type AdminRequestListQuery = Static<typeof AdminRequestListQuery>

/** GET /api/admin/matching/matches — every match, newest first. */
export const AdminMatchListQuery = Type.Object({ state: Type.Optional(MatchState), ...adminFilters }, { additionalProperties: false })
export type AdminMatchListQuery = Static<typeof AdminMatchListQuery>

/** POST /api/admin/matching/matches/:id/end — an admin ends a match, with why. */
export const AdminEndMatchBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: L.reason, pattern: '\\S' }) }, { additionalProperties: false })
export type AdminEndMatchBody = Static<typeof AdminEndMatchBody>

export const MentorSettingsBody = Type.Object(
  {
    // Optional rather than nullable: Fastify's Ajv coerces 0 to null, which would turn a mistaken
    // capacity of 0 into "no limit" instead of a 400.
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: L.maxCapacity, description: 'maximum active mentees; omitted: no limit' })),
    timeWindows: Type.Optional(Type.Array(TimeWindow, { maxItems: L.timeWindows })),
    timezone: Type.Optional(timezone),
  },
  { additionalProperties: false },
)
export type MentorSettingsBody = Static<typeof MentorSettingsBody>

export const MentorSettings = Type.Object({
  mentorId: Type.String({ format: 'uuid' }),
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  activeMentees: Type.Integer(),
  full: Type.Boolean(),
  timeWindows: Type.Array(TimeWindow),
  timezone: Type.String(),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type MentorSettings = Static<typeof MentorSettings>
