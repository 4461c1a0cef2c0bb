import type { Identity } from '@sunbae/contracts'
import { IDENTITY_HEADER, signIdentity } from './identity.ts'

/** A fixed secret for tests only (32+ chars, as the config demands). */
export const TEST_IDENTITY_SECRET = 'test-identity-secret-0123456789abcdef'

export function identityHeaders(identity: Partial<Identity> & { uid: string }, secret = TEST_IDENTITY_SECRET) {
  const full: Identity = {
    email: null,
    emailVerified: false,
    name: null,
    picture: null,
    role: 'mentee',
    ...identity,
  }
  return { [IDENTITY_HEADER]: signIdentity(full, secret) }
}
