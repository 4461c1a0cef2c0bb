import { createHmac, timingSafeEqual } from 'node:crypto'
import { Check } from 'typebox/value'
import { Identity } from '@sunbae/contracts'

/**
 * The gateway forwards who the caller is in one header, HMAC-SHA256 signed with a secret that only
 * the gateway and the services share: `v1.<base64url(json)>.<base64url(mac)>`. The gateway strips any
 * copy of this header arriving from outside; services refuse one that does not verify, so a request
 * that bypasses the gateway cannot claim an identity.
 */
export const IDENTITY_HEADER = 'x-sunbae-identity'

/** Signed identities are short-lived: they vouch for one request, not a session. */
export const DEFAULT_IDENTITY_MAX_AGE_MS = 60_000

interface SignedPayload extends Identity {
  /** issued at, epoch milliseconds */
  iat: number
}

export class IdentityError extends Error {
  readonly code: 'IDENTITY_MALFORMED' | 'IDENTITY_BAD_SIGNATURE' | 'IDENTITY_EXPIRED'
  constructor(code: IdentityError['code'], message: string) {
    super(message)
    this.name = 'IdentityError'
    this.code = code
  }
}

function mac(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest()
}

export function signIdentity(identity: Identity, secret: string, now = Date.now()): string {
  const payload: SignedPayload = { ...identity, iat: now }
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `v1.${body}.${mac(secret, `v1.${body}`).toString('base64url')}`
}

/** What a header vouches for, once its signature and shape verified: the identity and when it was signed. */
export interface VerifiedIdentity {
  identity: Identity
  /** issued at, epoch milliseconds */
  iat: number
}

/**
 * Checks a header's signature (any of `secrets`) and payload shape, not its age: the part of
 * `verifyIdentity` whose result depends on the header's bytes alone, so it may be cached by value.
 */
export function verifyIdentitySignature(header: string, secrets: readonly string[]): VerifiedIdentity {
  const parts = header.split('.')
  if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) {
    throw new IdentityError('IDENTITY_MALFORMED', 'identity header is not in v1 form')
  }
  const signed = `v1.${parts[1]}`
  const given = Buffer.from(parts[2], 'base64url')
  const ok = secrets.some((secret) => {
    const expected = mac(secret, signed)
    return expected.length === given.length && timingSafeEqual(expected, given)
  })
  if (!ok) throw new IdentityError('IDENTITY_BAD_SIGNATURE', 'identity signature does not verify')

  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    throw new IdentityError('IDENTITY_MALFORMED', 'identity payload is not JSON')
  }
  const iat = (payload as { iat?: unknown }).iat
  if (typeof iat !== 'number') throw new IdentityError('IDENTITY_MALFORMED', 'identity payload has no iat')
  const { iat: _iat, ...identity } = payload as SignedPayload
  if (!Check(Identity, identity)) throw new IdentityError('IDENTITY_MALFORMED', 'identity payload has the wrong shape')
  return { identity, iat }
}

/** Throws IDENTITY_EXPIRED when a header signed at `iat` is too old (or from too far in the future). */
export function checkIdentityAge(iat: number, opts: { maxAgeMs?: number; now?: number } = {}): void {
  const now = opts.now ?? Date.now()
  const maxAge = opts.maxAgeMs ?? DEFAULT_IDENTITY_MAX_AGE_MS
  // allow a little clock skew between gateway and service hosts
  if (now - iat > maxAge || iat - now > 5_000) {
    throw new IdentityError('IDENTITY_EXPIRED', 'identity header is too old')
  }
}

/**
 * Verifies a signed identity header. `secrets` lists the current secret first and, during a
 * rotation, the previous one.
 */
export function verifyIdentity(
  header: string,
  secrets: readonly string[],
  opts: { maxAgeMs?: number; now?: number } = {},
): Identity {
  const { identity, iat } = verifyIdentitySignature(header, secrets)
  checkIdentityAge(iat, opts)
  return identity
}
