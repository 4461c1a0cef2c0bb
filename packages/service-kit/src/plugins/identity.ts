import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Identity, Role } from '@sunbae/contracts'
import { IDENTITY_HEADER, IdentityError, verifyIdentity } from '../identity.ts'
import { AppError, forbidden, unauthorized } from '../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the gateway says the caller is; null for anonymous requests. */
    identity: Identity | null
  }
}

/**
 * Turns the gateway-signed identity header into `request.identity`. A header that does not verify
 * is refused outright (401) rather than treated as anonymous: it means someone tried to forge one.
 */
export default fp(
  async function identity(app: FastifyInstance, opts: { secrets: string[]; maxAgeMs?: number }) {
    const secrets = opts.secrets.filter(Boolean)
    if (secrets.length === 0) throw new Error('identity plugin needs at least one secret')
    app.decorateRequest('identity', null)
    app.addHook('onRequest', async (request) => {
      const header = request.headers[IDENTITY_HEADER]
      if (header === undefined) return
      if (typeof header !== 'string') throw unauthorized('Identity header is malformed', 'IDENTITY_INVALID')
      try {
        request.identity = verifyIdentity(header, secrets, opts.maxAgeMs ? { maxAgeMs: opts.maxAgeMs } : {})
      } catch (err) {
        if (err instanceof IdentityError) {
          request.log.warn({ code: err.code }, 'refused identity header')
          throw new AppError(401, 'IDENTITY_INVALID', 'The identity of this request could not be verified')
        }
        throw err
      }
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
