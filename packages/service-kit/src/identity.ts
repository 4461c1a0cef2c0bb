import { hash, hkdfSync, timingSafeEqual } from 'node:crypto'
import { Check } from 'typebox/value'
import { Identity } from '@sunbae/contracts'

/**
 * The gateway forwards who the caller is in one header, signed for the one service the request goes
 * to and bound to the request itself:
 *
 *   v2.<base64url(json: identity, iat, aud)>.<base64url(mac)>.<base64url(binding)>
 *
 * - `mac` = HMAC-SHA256(key(aud), "v2." + body): the identity and its audience, the target service.
 *   The part before the binding is the *token*; the gateway signs one per caller and service and
 *   reuses it for a few seconds, and services cache the verification of a token by value.
 * - `binding` = HMAC-SHA256(key(aud), mac + "\n" + METHOD + "\n" + path): the token bound to this
 *   request's method and path (as sent, percent-encoded, without the query: the proxy passes the path
 *   through byte for byte but re-serializes the query), computed per request (one short HMAC).
 * - `key(service)` is that service's own key, derived from the gateway's secret with HKDF-SHA256
 *   (`identityKey`). The gateway holds the secret and so every key; a service holds only its own, so
 *   it can verify what was meant for it and mint nothing another service accepts.
 *
 * A captured header is good for one method and path of one service for 60 s. The gateway strips any
 * copy of this header arriving from outside; services refuse one that does not verify.
 */
export const IDENTITY_HEADER = 'x-sunbae-identity'

/** Signed identities are short-lived: they vouch for one request, not a session. */
export const DEFAULT_IDENTITY_MAX_AGE_MS = 60_000

const VERSION = 'v2'

interface SignedPayload extends Identity {
  /** issued at, epoch milliseconds */
  iat: number
  /** the service the identity is for */
  aud: string
}

export class IdentityError extends Error {
  readonly code: 'IDENTITY_MALFORMED' | 'IDENTITY_BAD_SIGNATURE' | 'IDENTITY_EXPIRED' | 'IDENTITY_WRONG_AUDIENCE' | 'IDENTITY_WRONG_REQUEST'
  constructor(code: IdentityError['code'], message: string) {
    super(message)
    this.name = 'IdentityError'
    this.code = code
  }
}

/**
 * The key `service` verifies identities with: HKDF-SHA256 of the gateway's secret, with the service
 * name as context. `npm run identity:keys` prints them for a secret (a k8s Secret holds one per service).
 */
export function identityKey(secret: string, service: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'sunbae identity', `service:${service}`, 32)).toString('base64url')
}

/** HMAC-SHA256's two padded keys (RFC 2104), per key: there are only a few, one per service. */
const pads = new Map<string, { inner: Buffer; outer: Buffer }>()

/**
 * HMAC-SHA256(key, data) = SHA256(outer ‖ SHA256(inner ‖ data)) (RFC 2104), with the padded keys
 * computed once per key and the two digests done by `crypto.hash`, which uses Node's cached digest.
 * `createHmac` gives the same bytes (identity.test.ts checks it) but sets up a new OpenSSL HMAC context
 * per call, fetching the digest from the provider each time. In a hot loop both take ≈ 3 µs; in a busy
 * server, where that code is not in the CPU's caches, one HMAC per request cost a node:http server
 * ≈ 39 µs of CPU with createHmac and ≈ 31 µs this way (wrk -c50, 5 interleaved rounds, a loaded
 * 2-core machine; paired ratio 0.90). The gateway binds one identity per request and every service
 * verifies one, so this is on every authenticated request's path twice.
 */
function mac(key: string, data: string): Buffer {
  let pad = pads.get(key)
  if (pad === undefined) {
    const given = Buffer.from(key, 'utf8')
    // a key longer than SHA-256's block is hashed first; a shorter one is padded with zeros
    const k = given.length > 64 ? hash('sha256', given, 'buffer') : given
    const inner = Buffer.alloc(64)
    const outer = Buffer.alloc(64)
    for (let i = 0; i < 64; i++) {
      inner[i] = 0x36 ^ (k[i] ?? 0)
      outer[i] = 0x5c ^ (k[i] ?? 0)
    }
    pad = { inner, outer }
    pads.set(key, pad)
  }
  const innerDigest = hash('sha256', Buffer.concat([pad.inner, Buffer.from(data, 'utf8')]), 'buffer')
  return hash('sha256', Buffer.concat([pad.outer, innerDigest]), 'buffer')
}

/** The signed identity for `aud`, not yet bound to a request (the gateway caches it per caller). */
export function signIdentityToken(identity: Identity, key: string, aud: string, now = Date.now()): string {
  const payload: SignedPayload = { ...identity, iat: now, aud }
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${VERSION}.${body}.${mac(key, `${VERSION}.${body}`).toString('base64url')}`
}

/** A request URL's path, the part a binding covers: everything before the query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** The binding of a token to one request: the header a service accepts for exactly that method and URL's path. */
export function bindIdentityToken(token: string, key: string, method: string, url: string): string {
  const signature = token.slice(token.lastIndexOf('.') + 1)
  return `${token}.${mac(key, `${signature}\n${method}\n${pathOf(url)}`).toString('base64url')}`
}

/** A header for one request: the identity signed for `aud` with that service's key, bound to its method and path. */
export function signIdentity(
  identity: Identity,
  key: string,
  request: { aud: string; method: string; url: string },
  now = Date.now(),
): string {
  return bindIdentityToken(signIdentityToken(identity, key, request.aud, now), key, request.method, request.url)
}

/** What a token vouches for, once its signature, shape and audience verified. */
export interface VerifiedIdentity {
  identity: Identity
  /** issued at, epoch milliseconds */
  iat: number
  /** the key that verified it, which must also verify the binding */
  key: string
}

/** A header split into its token (cacheable by value) and its per-request binding. */
export function splitIdentityHeader(header: string): { token: string; signature: string; binding: string } {
  const parts = header.split('.')
  if (parts.length !== 4 || parts[0] !== VERSION || !parts[1] || !parts[2] || !parts[3]) {
    throw new IdentityError('IDENTITY_MALFORMED', `identity header is not in ${VERSION} form`)
  }
  return { token: `${parts[0]}.${parts[1]}.${parts[2]}`, signature: parts[2], binding: parts[3] }
}

function equalMac(expected: Buffer, givenB64: string): boolean {
  const given = Buffer.from(givenB64, 'base64url')
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/**
 * Checks a token's signature (any of `keys`: the current one and, during a rotation, the previous),
 * shape and audience, not its age nor its binding: the part whose result depends on the token's
 * bytes alone, so it may be cached by value.
 */
export function verifyIdentityToken(token: string, keys: readonly string[], audience: string): VerifiedIdentity {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) {
    throw new IdentityError('IDENTITY_MALFORMED', `identity token is not in ${VERSION} form`)
  }
  const signed = `${VERSION}.${parts[1]}`
  const key = keys.find((k) => equalMac(mac(k, signed), parts[2]!))
  if (key === undefined) throw new IdentityError('IDENTITY_BAD_SIGNATURE', 'identity signature does not verify')

  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    throw new IdentityError('IDENTITY_MALFORMED', 'identity payload is not JSON')
  }
  const { iat, aud, ...identity } = payload as SignedPayload
  if (typeof iat !== 'number') throw new IdentityError('IDENTITY_MALFORMED', 'identity payload has no iat')
  if (aud !== audience) throw new IdentityError('IDENTITY_WRONG_AUDIENCE', 'identity was signed for another service')
  if (!Check(Identity, identity)) throw new IdentityError('IDENTITY_MALFORMED', 'identity payload has the wrong shape')
  return { identity, iat, key }
}

/** Throws IDENTITY_WRONG_REQUEST unless `binding` binds the token (by its signature) to this method and URL's path. */
export function checkIdentityBinding(verified: VerifiedIdentity, signature: string, binding: string, method: string, url: string): void {
  if (!equalMac(mac(verified.key, `${signature}\n${method}\n${pathOf(url)}`), binding)) {
    throw new IdentityError('IDENTITY_WRONG_REQUEST', 'identity was signed for another request')
  }
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
 * Verifies a whole header for a request to `aud`: signature (any of `keys`), shape, audience,
 * binding to method and path, age.
 */
export function verifyIdentity(
  header: string,
  keys: readonly string[],
  request: { aud: string; method: string; url: string },
  opts: { maxAgeMs?: number; now?: number } = {},
): Identity {
  const { token, signature, binding } = splitIdentityHeader(header)
  const verified = verifyIdentityToken(token, keys, request.aud)
  checkIdentityBinding(verified, signature, binding, request.method, request.url)
  checkIdentityAge(verified.iat, opts)
  return verified.identity
}
