import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Identity, Role } from '@sunbae/contracts'
import { LRUCache } from 'lru-cache'
import {
  IDENTITY_HEADER,
  IdentityError,
  checkIdentityAge,
  checkIdentityBinding,
  splitIdentityHeader,
  verifyIdentityToken,
  type VerifiedIdentity,
} from '../identity.ts'
import { AppError, forbidden, unauthorized } from '../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the gateway says the caller is; null for anonymous requests. */
    identity: Identity | null
  }
}

/** Distinct verified tokens remembered per process (the gateway re-signs each user's every 15 s per service). */
export const IDENTITY_CACHE_MAX = 10_000

/**
 * Turns the gateway-signed identity header into `request.identity`. A header that does not verify —
 * forged, signed for another service, bound to another method or path, too old — is refused
 * outright (401) rather than treated as anonymous: it means someone tried to forge or replay one.
 *
 * The gateway reuses one signed token per user and service for a few seconds, so the same bytes
 * arrive again and again: a token whose signature, shape and audience verified is remembered by
 * value (bounded LRU), and a repeat costs a lookup, the age check and the binding's one short HMAC
 * instead of an HMAC, a JSON parse and a schema check. The cache belongs to this plugin instance and
 * its keys.
 */
export default fp(
  async function identity(app: FastifyInstance, opts: { service: string; keys: string[]; maxAgeMs?: number; cacheMax?: number }) {
    const keys = opts.keys.filter(Boolean)
    if (keys.length === 0) throw new Error('identity plugin needs at least one key')
    const ageOpts = opts.maxAgeMs ? { maxAgeMs: opts.maxAgeMs } : {}
    const cacheMax = opts.cacheMax ?? IDENTITY_CACHE_MAX
    const verified = cacheMax > 0 ? new LRUCache<string, VerifiedIdentity>({ max: cacheMax }) : null
    app.decorateRequest('identity', null)
    // callback style, not async: no promise per request on the hot path
    app.addHook('onRequest', (request, _reply, done) => {
      const header = request.headers[IDENTITY_HEADER]
      if (header === undefined) return done()
      if (typeof header !== 'string') return done(unauthorized('Identity header is malformed', 'IDENTITY_INVALID'))
      try {
        const { token, signature, binding } = splitIdentityHeader(header)
        let entry = verified?.get(token)
        if (entry === undefined) {
          entry = verifyIdentityToken(token, keys, opts.service)
          // shared by every request with this token: nobody may change it in place
          Object.freeze(entry.identity)
          verified?.set(token, entry)
        }
        checkIdentityBinding(entry, signature, binding, request.method, request.url)
        checkIdentityAge(entry.iat, ageOpts)
        request.identity = entry.identity
      } catch (err) {
        if (err instanceof IdentityError) {
          request.log.warn({ code: err.code }, 'refused identity header')
          return done(new AppError(401, 'IDENTITY_INVALID', 'The identity of this request could not be verified'))
        }
        return done(err as Error)
      }
      done()
    })
  },
  { name: 'sunbae-identity' },
)

/** The caller, or 401. */
export function requireIdentity(request: FastifyRequest): Identity {
  if (!request.identity) throw unauthorized()
  return request.identity
}

/** The caller if they hold one of the roles, else 401/403. Admins pass every role check. */
export function requireRole(request: FastifyRequest, ...roles: Role[]): Identity {
  const identity = requireIdentity(request)
  if (identity.role !== 'admin' && !roles.includes(identity.role)) {
    throw forbidden(`This needs the ${roles.join(' or ')} role`)
  }
  return identity
}

/** The code of the 403 `requireVerified` answers; the web offers to send the verification email again on it. */
export const EMAIL_UNVERIFIED = 'EMAIL_UNVERIFIED'

/**
 * The caller if their email address is verified (the ID token's email_verified, which the gateway
 * signs into the identity), else 401, or 403 EMAIL_UNVERIFIED. For the actions that reach another
 * person or move money (a 1:1 request, paying); browsing and searching stay open to everyone signed
 * in. Admins pass: they act on others' behalf, and their own address is not what is being vouched for.
 */
export function requireVerified(request: FastifyRequest): Identity {
  const identity = requireIdentity(request)
  if (identity.role !== 'admin' && !identity.emailVerified) {
    throw forbidden('Verify your email address first: open the link in the verification email we sent you, or ask for a new one', EMAIL_UNVERIFIED)
  }
  return identity
}
