import { Type, type Static } from 'typebox'
import { Role } from './common.ts'

/**
 * The identity the gateway vouches for. It is derived from a verified Firebase ID token and
 * travels to services HMAC-signed (see @sunbae/service-kit/identity).
 */
export const Identity = Type.Object({
  uid: Type.String({ minLength: 1, maxLength: 128 }),
  email: Type.Union([Type.String(), Type.Null()]),
  emailVerified: Type.Boolean(),
  name: Type.Union([Type.String(), Type.Null()]),
  picture: Type.Union([Type.String(), Type.Null()]),
  role: Role,
})
export type Identity = Static<typeof Identity>
