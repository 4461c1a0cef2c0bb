import type { FastifyInstance, InjectOptions } from 'fastify'
import type { Static, TObject } from 'typebox'
import type { Identity } from '@sunbae/contracts'
import { loadConfig, type BaseConfig } from './config.ts'
import { IDENTITY_HEADER, identityKey, signIdentity } from './identity.ts'
import { buildService, type ServiceDefinition } from './service.ts'

/** A fixed secret for tests only (32+ chars, as the config demands): the gateway's, every service's key derives from it. */
export const TEST_IDENTITY_SECRET = 'test-identity-secret-0123456789abcdef'

/** What identityHeaders puts in the header until `signIdentitiesOnInject` signs it for the request. */
const UNSIGNED = 'unsigned-test-identity.'

/**
 * A test identity: by default a verified mentee — a user who acts (sends a request, pays) has
 * verified their address, as the routes that gate on it demand; a test of the unverified case says
 * `emailVerified: false`.
 */
function fullIdentity(identity: Partial<Identity> & { uid: string }): Identity {
  return { email: null, emailVerified: true, name: null, picture: null, role: 'mentee', ...identity }
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

/**
 * A service as its tests run it. `testEnv(over)`: the environment — the test's own, then the
 * service's database, the test identity secret, an ephemeral port and silent logs (TEST_LOG_LEVEL
 * shows them), then the service's test settings (`env()`, asked afresh for each environment; a
 * setting it gives as undefined is left out), then the test's overrides. `build(over)`: the real
 * service from that environment (Postgres, NATS, its consumers and jobs), ready and not listening —
 * requests go through `inject`, with identities signed for it as the gateway would.
 */
export function serviceUnderTest<S extends TObject>(
  definition: ServiceDefinition<S>,
  base: { databaseUrl: string; env?: () => Record<string, string | undefined> },
): { testEnv(over?: Record<string, string>): Record<string, string>; build(over?: Record<string, string>): Promise<FastifyInstance> } {
  const testEnv = (over: Record<string, string> = {}): Record<string, string> => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATABASE_URL: base.databaseUrl,
      IDENTITY_SECRET: TEST_IDENTITY_SECRET,
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...base.env?.(),
      ...over,
    }
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
  }
  const build = async (over: Record<string, string> = {}): Promise<FastifyInstance> => {
    const config = loadConfig(definition.configSchema, testEnv(over), definition.configDefaults) as Static<S> & BaseConfig
    const app = signIdentitiesOnInject(await buildService<S>(definition, config), definition.name)
    await app.ready()
    return app
  }
  return { testEnv, build }
}
