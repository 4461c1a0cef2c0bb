import { Type, type Static } from 'typebox'
import { Role } from '../common.ts'

/** The signed-in user's account as mirrored from Firebase Auth. */
export const Me = Type.Object(
  {
    uid: Type.String(),
    email: Type.Union([Type.String({ format: 'email' }), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
    photoUrl: Type.Union([Type.String(), Type.Null()]),
    role: Role,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { description: 'The signed-in account' },
)
export type Me = Static<typeof Me>

/**
 * Body of PUT /api/me. Identity fields (uid, email, role) come from the verified token, never the
 * body; the client may only choose how it is shown.
 */
export const PutMeBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    photoUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
  },
  { additionalProperties: false },
)
export type PutMeBody = Static<typeof PutMeBody>
