import { Type, type Static } from 'typebox'

export const Role = Type.Union([Type.Literal('mentee'), Type.Literal('mentor'), Type.Literal('admin')])
export type Role = Static<typeof Role>
export const ROLES: readonly Role[] = ['mentee', 'mentor', 'admin']

/** The languages Sunbae writes to people in (the account's choice; notifications, the web). */
export const Locale = Type.Union([Type.Literal('ko'), Type.Literal('en')])
export type Locale = Static<typeof Locale>
export const LOCALES: readonly Locale[] = ['ko', 'en']
export const DEFAULT_LOCALE: Locale = 'ko'
/** The zone an account shows times in until its owner picks another. */
export const DEFAULT_TIME_ZONE = 'Asia/Seoul'

/** The error body every service and the gateway answer with. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED' }),
      message: Type.String(),
      details: Type.Optional(
        Type.Array(
          Type.Object({
            field: Type.String({ description: 'JSON pointer-ish location, e.g. body/email' }),
            message: Type.String(),
          }),
        ),
      ),
      requestId: Type.String(),
    }),
  },
  { description: 'Error envelope' },
)
export type ErrorResponse = Static<typeof ErrorResponse>
