import { LRUCache } from 'lru-cache'
import type { Identity, Role } from '@sunbae/contracts'
import { ROLES } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'
import { bindIdentityToken, identityKey, pathOf, signIdentityToken } from '@sunbae/service-kit/identity'

/** What the gateway needs from a verified Firebase ID token (a subset of firebase-admin's DecodedIdToken). */
export interface VerifiedToken {
  uid: string
  /** expiry, epoch seconds */
  exp: number
  /** issued at, epoch seconds */
  iat?: number
  email?: string | undefined
  email_verified?: boolean | undefined
  name?: unknown
  picture?: string | undefined
  role?: unknown
}

/** Verifies a Firebase ID token (firebase-admin's verifyIdToken); rejects with a FirebaseAuthError-like `{ code }`. */
export type VerifyIdToken = (token: string) => Promise<VerifiedToken>

export interface AuthenticatedCaller {
  identity: Identity
  /** token expiry, epoch ms */
  expiresAt: number
  /**
   * per service: the identity token signed for it and when — reused while fresh, re-signed after;
   * each request binds it to its method and path (identityHeader)
   */
  tokens: Map<string, SignedToken>
}

/** A caller's identity token for one service, and its bindings to the requests it was sent with. */
interface SignedToken {
  token: string
  signedAt: number
  /**
   * "METHOD path" → the header bound to it (an HMAC per binding): a client repeating a request
   * within the token's 15 s (polling, reloads) gets the same bytes without another HMAC. At most
   * BINDINGS_PER_TOKEN, then forgotten together; they go with the token when it is re-signed.
   */
  bound: Map<string, string>
}

const BINDINGS_PER_TOKEN = 32

/** The token cache's key: the end of a JWT is its signature, which differs between any two tokens. */
const cacheKey = (token: string): string => token.slice(-32)

/** Services accept a signed identity for 60 s; we re-sign well before that. */
const RESIGN_AFTER_MS = 15_000

export function identityFrom(token: VerifiedToken): Identity {
  const role: Role = ROLES.includes(token.role as Role) ? (token.role as Role) : 'mentee'
  return {
    uid: token.uid,
    email: token.email ?? null,
    emailVerified: token.email_verified === true,
    name: typeof token.name === 'string' ? token.name : null,
    picture: token.picture ?? null,
    role,
  }
}

/** Firebase error codes → what the client is told. The message never includes the library's text. */
export function tokenError(err: unknown): AppError {
  const code = (err as { code?: unknown } | null)?.code
  switch (code) {
    case 'auth/id-token-expired':
      return new AppError(401, 'TOKEN_EXPIRED', 'The ID token has expired; get a fresh one and retry')
    case 'auth/id-token-revoked':
      return new AppError(401, 'TOKEN_REVOKED', 'The ID token has been revoked; sign in again')
    case 'auth/user-disabled':
      return new AppError(401, 'ACCOUNT_DISABLED', 'This account is disabled')
    case 'auth/internal-error':
    case 'app/network-error':
    case 'app/network-timeout':
      // our side: the emulator or Google's key endpoint did not answer
      return new AppError(503, 'AUTH_UNAVAILABLE', 'Sign-in could not be checked right now; try again shortly', { cause: err })
    default:
      // anything else, including tokens the JWT decoder chokes on, is the token's fault
      return new AppError(401, 'TOKEN_INVALID', 'The ID token is not valid', { cause: err })
  }
}

/**
 * Verifies ID tokens once and remembers the result until the token expires, so a repeat request
 * costs a Map lookup — no crypto, no key fetch (and, with the emulator, no HTTP call). Concurrent
 * first requests with the same token share one verification. Failures are not cached.
 */
export class Authenticator {
  private readonly verify: VerifyIdToken
  private readonly secret: string
  /** service → its identity key, derived from the secret once */
  private readonly keys = new Map<string, string>()
  /**
   * cacheKey(token) → the token and its caller. Keyed by the token's last characters, not the whole
   * ~1 KB token: every request's token is a new string, and a Map lookup hashes its key in full
   * (≈ 2.2 µs per lookup for a 1.2 KB token, ≈ 0.4 µs this way, hot loop). A hit needs the whole
   * token equal, so another token with the same ending is a miss (and verified), never a hit.
   */
  private readonly cache: LRUCache<string, { token: string; caller: AuthenticatedCaller }> | null
  private readonly inflight = new Map<string, Promise<AuthenticatedCaller>>()
  /**
   * uid → epoch seconds: tokens issued before it carry an old role (the account's role changed and
   * its refresh tokens were revoked). Kept for an ID token's lifetime (1 h), bounded in size.
   */
  private readonly validAfter = new LRUCache<string, number>({ max: 100_000, ttl: 60 * 60 * 1000 })
  /**
   * uid → epoch ms of the disable: accounts an admin disabled (`catalog.user.disabled`), refused
   * whatever their token says until `catalog.user.enabled`. Not bounded by an LRU: losing an entry
   * would let a disabled user in; it holds only the disables of the last hour the replica replayed
   * and those it saw since (a disabled account cannot get a token, so older ones cannot matter).
   */
  private readonly disabled = new Map<string, number>()
  verifications = 0
  cacheHits = 0

  private readonly onVerified: (result: string) => void

  constructor(opts: { verify: VerifyIdToken; identitySecret: string; cacheMax: number; onVerified?: (result: string) => void }) {
    this.verify = opts.verify
    this.onVerified = opts.onVerified ?? (() => {})
    this.secret = opts.identitySecret
    this.cache = opts.cacheMax > 0 ? new LRUCache({ max: opts.cacheMax }) : null
  }

  /** The caller for a token verified before and not yet expired, else undefined. */
  cached(token: string, now = Date.now()): AuthenticatedCaller | undefined {
    const entry = this.cache?.get(cacheKey(token))
    if (entry === undefined || entry.token !== token) return undefined
    const hit = entry.caller
    if (hit.expiresAt <= now) {
      this.cache!.delete(cacheKey(token))
      return undefined
    }
    this.cacheHits++
    return hit
  }

  /**
   * The account's role changed at `changedAt`: its cached callers go, and tokens issued before that
   * moment are refused as revoked from now on, so the client fetches a token with the new claims.
   * (firebase-admin only checks revocation with an extra call per verification; this keeps the
   * check local, fed by `catalog.user.role_changed`.) Returns how many cached tokens were dropped.
   */
  revokeUser(uid: string, changedAt: Date): number {
    const seconds = Math.floor(changedAt.getTime() / 1000)
    if (!((this.validAfter.get(uid) ?? 0) >= seconds)) this.validAfter.set(uid, seconds)
    let dropped = 0
    if (this.cache) {
      for (const [key, { caller }] of this.cache.entries()) {
        if (caller.identity.uid === uid) {
          this.cache.delete(key)
          dropped++
        }
      }
    }
    return dropped
  }

  /**
   * An admin disabled the account at `at`: its cached callers go, every token of it is refused from
   * now on (ACCOUNT_DISABLED), and tokens issued before the disable stay refused as revoked after an
   * enable (its refresh tokens were revoked: the user signs in again). Returns the cached tokens dropped.
   */
  disableUser(uid: string, at: Date): number {
    this.disabled.set(uid, at.getTime())
    return this.revokeUser(uid, at)
  }

  /** The account was enabled again: fresh tokens are accepted (older ones stay revoked). */
  enableUser(uid: string): void {
    this.disabled.delete(uid)
  }

  isDisabled(uid: string): boolean {
    return this.disabled.has(uid)
  }

  authenticate(token: string): Promise<AuthenticatedCaller> {
    const pending = this.inflight.get(token)
    if (pending) return pending
    const p = this.verifyAndCache(token).finally(() => this.inflight.delete(token))
    this.inflight.set(token, p)
    return p
  }

  private async verifyAndCache(token: string): Promise<AuthenticatedCaller> {
    this.verifications++
    let decoded: VerifiedToken
    try {
      decoded = await this.verify(token)
    } catch (err) {
      const appErr = tokenError(err)
      this.onVerified(appErr.code)
      throw appErr
    }
    // checked after the verification's await: a disable that arrived meanwhile refuses this token too
    if (this.disabled.has(decoded.uid)) {
      this.onVerified('ACCOUNT_DISABLED')
      throw new AppError(401, 'ACCOUNT_DISABLED', 'This account is disabled')
    }
    const revokedBefore = this.validAfter.get(decoded.uid)
    if (revokedBefore !== undefined && (decoded.iat ?? 0) < revokedBefore) {
      this.onVerified('TOKEN_REVOKED')
      throw new AppError(401, 'TOKEN_REVOKED', 'The account\'s role changed; sign in again for a fresh token')
    }
    this.onVerified('ok')
    const now = Date.now()
    const identity = identityFrom(decoded)
    const caller: AuthenticatedCaller = { identity, expiresAt: decoded.exp * 1000, tokens: new Map() }
    if (caller.expiresAt <= now) throw new AppError(401, 'TOKEN_EXPIRED', 'The ID token has expired; get a fresh one and retry')
    // no per-entry TTL in the LRU: `cached` checks the expiry itself, and an LRU without TTLs skips
    // its clock reads and staleness bookkeeping on every hit (the hot path of every request)
    this.cache?.set(cacheKey(token), { token, caller })
    return caller
  }

  /** `service`'s identity key (HKDF of the secret; identity.ts). */
  keyFor(service: string): string {
    let key = this.keys.get(service)
    if (key === undefined) {
      key = identityKey(this.secret, service)
      this.keys.set(service, key)
    }
    return key
  }

  /**
   * The signed identity header for this caller's request to `service`: the caller's token for that
   * service (signed again when it is getting old) bound to the request's method and path.
   */
  identityHeader(caller: AuthenticatedCaller, service: string, method: string, url: string, now = Date.now()): string {
    const key = this.keyFor(service)
    let entry = caller.tokens.get(service)
    if (entry === undefined || now - entry.signedAt > RESIGN_AFTER_MS) {
      entry = { token: signIdentityToken(caller.identity, key, service, now), signedAt: now, bound: new Map() }
      caller.tokens.set(service, entry)
    }
    const request = `${method} ${pathOf(url)}`
    let header = entry.bound.get(request)
    if (header === undefined) {
      header = bindIdentityToken(entry.token, key, method, url)
      if (entry.bound.size >= BINDINGS_PER_TOKEN) entry.bound.clear()
      entry.bound.set(request, header)
    }
    return header
  }

  clear(): void {
    this.cache?.clear()
  }
}

/** `Authorization: Bearer <token>` → the token, or null when the header is not of that form. */
export function bearerToken(header: string): string | null {
  if (header.length < 8 || header.charCodeAt(6) !== 32) return null
  const scheme = header.slice(0, 6)
  if (scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') return null
  const token = header.slice(7).trim()
  return token.length > 0 && token.length <= 4096 && !token.includes(' ') ? token : null
}
