import { Type, type Static } from 'typebox'
import { Locale, Role } from '../common.ts'

/** The signed-in user's account as mirrored from Firebase Auth. */
export const Me = Type.Object(
  {
    uid: Type.String(),
    email: Type.Union([Type.String({ format: 'email' }), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
    photoUrl: Type.Union([Type.String(), Type.Null()]),
    role: Role,
    locale: Locale,
    timeZone: Type.String({ description: "IANA time zone the account's times are shown in, e.g. Asia/Seoul" }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { description: 'The signed-in account' },
)
export type Me = Static<typeof Me>

/**
 * Body of PUT /api/me. Identity fields (uid, email, role) come from the verified token, never the
 * body; the client may only choose how it is shown, and in which language and time zone Sunbae
 * writes to the account (absent: unchanged; on the first PUT 'ko' and 'Asia/Seoul'). The service
 * refuses a zone Intl does not know (400 VALIDATION_FAILED on body/timeZone).
 */
export const PutMeBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    photoUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
    locale: Type.Optional(Locale),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Seoul' })),
  },
  { additionalProperties: false },
)
export type PutMeBody = Static<typeof PutMeBody>
