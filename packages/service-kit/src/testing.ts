import type { FastifyInstance, InjectOptions } from 'fastify'
import type { Identity } from '@sunbae/contracts'
import { IDENTITY_HEADER, identityKey, signIdentity } from './identity.ts'

/** A fixed secret for tests only (32+ chars, as the config demands): the gateway's, every service's key derives from it. */
export const TEST_IDENTITY_SECRET = 'test-identity-secret-0123456789abcdef'

/** What identityHeaders puts in the header until `signIdentitiesOnInject` signs it for the request. */
const UNSIGNED = 'unsigned-test-identity.'

function fullIdentity(identity: Partial<Identity> & { uid: string }): Identity {
  return { email: null, emailVerified: false, name: null, picture: null, role: 'mentee', ...identity }
}

/**
 * Headers that say who the caller is, for `app.inject` of an app passed to `signIdentitiesOnInject`:
 * the identity travels unsigned in the header and is signed, as the gateway would, for the service,
 * method and path of the request it is injected with. Sent anywhere else it is refused (401).
 */
export function identityHeaders(identity: Partial<Identity> & { uid: string }): Record<string, string> {
  return { [IDENTITY_HEADER]: UNSIGNED + Buffer.from(JSON.stringify(fullIdentity(identity))).toString('base64url') }
}

/** The header the gateway would send with one request to `aud` (for a service reached over HTTP). */
export function signedIdentityHeaders(
  identity: Partial<Identity> & { uid: string },
  request: { aud: string; method: string; url: string },
  secret = TEST_IDENTITY_SECRET,
): Record<string, string> {
  return { [IDENTITY_HEADER]: signIdentity(fullIdentity(identity), identityKey(secret, request.aud), request) }
}

/**
 * Makes `app.inject` do the gateway's part for `service`: an `identityHeaders` header is replaced by
 * one signed with the service's key (derived from `secret`, as the service derives it from
 * IDENTITY_SECRET outside production) for the request's method and URL. Any other header — a forged
 * or replayed one a test sends on purpose — goes as it is.
 */
export function signIdentitiesOnInject<T extends FastifyInstance>(app: T, service: string, secret = TEST_IDENTITY_SECRET): T {
  const key = identityKey(secret, service)
  const inject = app.inject.bind(app) as (opts: InjectOptions | string) => ReturnType<FastifyInstance['inject']>
  const signing = (opts: InjectOptions | string) => {
    const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts
    const header = o.headers?.[IDENTITY_HEADER]
    if (typeof header !== 'string' || !header.startsWith(UNSIGNED)) return inject(opts)
    const identity = JSON.parse(Buffer.from(header.slice(UNSIGNED.length), 'base64url').toString('utf8')) as Identity
    const url = typeof o.url === 'string' ? o.url : String(o.url ?? '/')
    const signed = signIdentity(identity, key, { aud: service, method: (o.method ?? 'GET').toUpperCase(), url })
    return inject({ ...o, headers: { ...o.headers, [IDENTITY_HEADER]: signed } })
  }
  Object.defineProperty(app, 'inject', { value: signing, configurable: true, writable: true })
  return app
}
