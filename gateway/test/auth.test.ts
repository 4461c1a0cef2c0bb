import t from 'tap'
import type { IncomingHttpHeaders } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import { authEmulatorMissing, createEmulatorUser, emulatorToken, forgeToken, setEmulatorClaims, startUpstream, waitFor } from '@sunbae/testing'
import { CatalogEvents } from '@sunbae/contracts'
import { IDENTITY_HEADER, identityKey, verifyIdentity } from '@sunbae/service-kit'
import { DEFAULT_ROUTES } from '../src/route-map.ts'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { bearer, buildGateway, routesTo, TEST_IDENTITY_SECRET } from './fixtures/helpers.ts'

/**
 * Authentication at the gateway with real Firebase Auth emulator tokens and a real upstream:
 * what the service receives is what counts.
 */
/** mentor-catalog's catalog.user.role_changed for `uid` (mentee → mentor, by an admin, now). */
const roleChanged = (uid: string): string =>
  JSON.stringify({
    id: randomUUID(),
    type: CatalogEvents.userRoleChanged.type,
    version: CatalogEvents.userRoleChanged.version,
    occurredAt: new Date().toISOString(),
    source: 'mentor-catalog',
    actor: { type: 'user', id: 'admin-uid', role: 'admin' },
    subject: { type: 'user', id: uid },
    data: { uid, from: 'mentee', to: 'mentor' },
  })

t.test('gateway authentication', { skip: authEmulatorMissing() }, async (t) => {
  const received = new Map<string, IncomingHttpHeaders>()
  /** the method and URL each received request came with (keyed by its headers object) */
  const requestOf = new WeakMap<IncomingHttpHeaders, { method: string; url: string }>()
  const up = await startUpstream((req, res) => {
    received.set(String(req.headers['x-request-id']), req.headers)
    requestOf.set(req.headers, { method: req.method!, url: req.url! })
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  let verifierCalls = 0
  const app = await buildGateway(
    { GATEWAY_ROUTES: routesTo(up.url) },
    {
      wrapVerifier: (verify) => (token) => {
        verifierCalls++
        return verify(token)
      },
    },
  )
  t.teardown(async () => {
    await app.close()
    await up.close()
  })

  const [mentee, admin] = await Promise.all([
    createEmulatorUser({ displayName: 'Mentee Kim' }),
    createEmulatorUser({ claims: { role: 'admin' } }),
  ])

  let n = 0
  async function call(method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string> = {}) {
    const requestId = `auth-test-${process.pid}-${++n}`
    const res = await app.inject({ method, url, headers: { 'x-request-id': requestId, ...headers } })
    return { res, upstream: received.get(requestId), json: () => res.json() as { error: { code: string; message: string; requestId: string } } }
  }
  /** What the service that owns the path (DEFAULT_ROUTES) reads from the header: verified with its own key, for its request. */
  const identityAt = (headers: IncomingHttpHeaders | undefined) => {
    const h = headers?.[IDENTITY_HEADER]
    if (typeof h !== 'string') return null
    const request = requestOf.get(headers!)!
    const prefix = Object.keys(DEFAULT_ROUTES).filter((p) => request.url.startsWith(p)).sort((a, b) => b.length - a.length)[0]!
    const aud = DEFAULT_ROUTES[prefix]!
    return verifyIdentity(h, [identityKey(TEST_IDENTITY_SECRET, aud)], { aud, ...request })
  }

  t.test('a valid token: the service receives a signed identity with uid, email and role', async (t) => {
    const { res, upstream } = await call('GET', '/api/me', bearer(mentee.idToken))
    t.equal(res.statusCode, 200)
    t.ok(upstream, 'the upstream got the request')
    t.same(identityAt(upstream), { uid: mentee.uid, email: mentee.email, emailVerified: false, name: 'Mentee Kim', picture: null, role: 'mentee' })
    const header = String(upstream![IDENTITY_HEADER])
    for (const [aud, url] of [['payment', '/api/me'], ['mentor-catalog', '/api/mentors/x']] as const) {
      t.throws(
        () => verifyIdentity(header, [identityKey(TEST_IDENTITY_SECRET, aud)], { aud, method: 'GET', url }),
        `signed for mentor-catalog's GET /api/me only: refused as ${aud} ${url}`,
      )
    }
    t.notOk(upstream?.authorization, 'the ID token itself is not forwarded')
    t.equal(upstream?.['x-request-id'], res.headers['x-request-id'], 'the request id travels upstream and back')
  })

  t.test('no token on a private route: 401 JSON, the service never sees it', async (t) => {
    const { res, upstream, json } = await call('GET', '/api/me')
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], /application\/json/)
    t.equal(json().error.code, 'UNAUTHENTICATED')
    t.equal(json().error.requestId, res.headers['x-request-id'])
    t.notOk(upstream)
  })

  t.test('forged, expired, wrong-project and malformed tokens: 401', async (t) => {
    const cases: [string, Record<string, string>, string][] = [
      ['RS256 signed with an attacker’s key', bearer(forgeToken({ role: 'admin' }, { alg: 'RS256', uid: admin.uid })), 'TOKEN_INVALID'],
      ['expired', bearer(forgeToken({}, { alg: 'none', uid: mentee.uid, expired: true })), 'TOKEN_EXPIRED'],
      ['for another project', bearer(forgeToken({}, { alg: 'none', uid: mentee.uid, projectId: 'someone-elses-project' })), 'TOKEN_INVALID'],
      ['a real token with one character changed', bearer(mentee.idToken.slice(0, 40) + (mentee.idToken[40] === 'A' ? 'B' : 'A') + mentee.idToken.slice(41)), 'TOKEN_INVALID'],
      ['not a JWT', bearer('not-a-jwt'), 'TOKEN_INVALID'],
      ['not a bearer token', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'TOKEN_INVALID'],
    ]
    for (const [what, headers, code] of cases) {
      const { res, upstream, json } = await call('GET', '/api/me', headers)
      t.equal(res.statusCode, 401, `${what}: 401`)
      t.equal(json().error.code, code, `${what}: ${code}`)
      t.notOk(upstream, `${what}: not proxied`)
    }
    const publicRoute = await call('GET', '/api/mentors', bearer(forgeToken({}, { alg: 'RS256' })))
    t.equal(publicRoute.res.statusCode, 401, 'a bad token is refused on public routes too, rather than silently dropped')
  })

  t.test('client-sent identity headers never reach the service', async (t) => {
    // correctly signed, e.g. replayed from a leaked internal request: still stripped
    const spoofed = { ...identityHeaders({ uid: 'victim', role: 'admin' }), 'x-sunbae-role': 'admin', 'x-user-id': 'victim', 'x-forwarded-user': 'victim' }
    const anonymous = await call('GET', '/api/mentors', spoofed)
    t.equal(anonymous.res.statusCode, 200)
    t.equal(identityAt(anonymous.upstream), null, 'no token: no identity at all')
    for (const h of ['x-sunbae-role', 'x-user-id', 'x-forwarded-user']) t.notOk(anonymous.upstream?.[h], `${h} stripped`)

    const signedIn = await call('GET', '/api/me', { ...spoofed, ...bearer(mentee.idToken) })
    t.equal(identityAt(signedIn.upstream)?.uid, mentee.uid, 'with a token: only the gateway’s identity')

    const admin403 = await call('GET', '/api/admin/users', { ...spoofed, ...bearer(mentee.idToken) })
    t.equal(admin403.res.statusCode, 403, 'a spoofed role does not open the admin area')
  })

  t.test('admin area: a mentee gets 403, an admin passes', async (t) => {
    const denied = await call('GET', '/api/admin/users', bearer(mentee.idToken))
    t.equal(denied.res.statusCode, 403)
    t.equal(denied.json().error.code, 'FORBIDDEN')
    t.notOk(denied.upstream)

    const encoded = await call('GET', '/api/%61dmin/users', bearer(mentee.idToken))
    t.not(encoded.res.statusCode, 200, 'percent-encoding does not sneak past the admin rule')
    t.notOk(encoded.upstream)

    const anonymous = await call('GET', '/api/admin/tracking/access-logs')
    t.equal(anonymous.res.statusCode, 401, 'no token in the admin area: 401, not 403')

    const allowed = await call('GET', '/api/admin/users?role=mentor', bearer(admin.idToken))
    t.equal(allowed.res.statusCode, 200)
    t.equal(identityAt(allowed.upstream)?.role, 'admin')
    t.equal(identityAt(allowed.upstream)?.uid, admin.uid)
  })

  t.test('public routes work without a token and carry the identity when there is one', async (t) => {
    for (const url of ['/api/mentors?q=python', '/api/mentors/m1', '/api/mentors/m1/reviews', '/api/tracking/keywords/trending', '/api/meetings/mentors/m1/slots']) {
      const { res, upstream } = await call('GET', url)
      t.equal(res.statusCode, 200, `GET ${url}`)
      t.equal(identityAt(upstream), null)
    }
    const webhook = await call('POST', '/api/payments/webhooks/toss')
    t.equal(webhook.res.statusCode, 200, 'payment webhooks are public')
    const write = await call('POST', '/api/mentors/m1/reviews')
    t.equal(write.res.statusCode, 401, 'writing a review is not')

    const signedIn = await call('GET', '/api/mentors', bearer(mentee.idToken))
    t.equal(identityAt(signedIn.upstream)?.uid, mentee.uid)
  })

  t.test('a verified token is cached: a repeat request does not verify again', async (t) => {
    const fresh = await createEmulatorUser()
    const before = verifierCalls
    const first = await call('GET', '/api/me', bearer(fresh.idToken))
    t.equal(first.res.statusCode, 200)
    t.equal(verifierCalls, before + 1, 'first request: one verification')
    const again = await Promise.all([1, 2, 3].map(() => call('GET', '/api/me', bearer(fresh.idToken))))
    t.same(again.map((r) => r.res.statusCode), [200, 200, 200])
    t.equal(verifierCalls, before + 1, 'later requests: none')
    t.equal(identityAt(again[2]!.upstream)?.uid, fresh.uid)

    const other = await createEmulatorUser()
    await Promise.all([1, 2, 3].map(() => call('GET', '/api/me', bearer(other.idToken))))
    t.equal(verifierCalls, before + 2, 'concurrent first requests share one verification')
  })

  t.test('a role change (catalog.user.role_changed) drops cached tokens and refuses older ones', async (t) => {
    const user = await createEmulatorUser()
    const old = await call('GET', '/api/me', bearer(user.idToken))
    t.equal(identityAt(old.upstream)?.role, 'mentee', 'cached with the old role')
    // the change comes after the token was issued (iat has one-second resolution)
    await sleep(1_100)
    await setEmulatorClaims(user.uid, { role: 'mentor' })
    const event = CatalogEvents.userRoleChanged
    app.bus.nc.publish(event.type, roleChanged(user.uid))
    const refused = await waitFor(async () => {
      const r = await call('GET', '/api/me', bearer(user.idToken))
      return r.res.statusCode === 401 ? r : null
    })
    t.equal(refused.json().error.code, 'TOKEN_REVOKED', 'the cached token with the old role is refused')
    t.notOk(refused.upstream, 'and never reaches the service')

    const fresh = await emulatorToken(user)
    const now = await call('GET', '/api/me', bearer(fresh.idToken))
    t.equal(now.res.statusCode, 200, 'a token issued after the change passes')
    t.equal(identityAt(now.upstream)?.role, 'mentor', 'with the new role')

    const unrelated = await createEmulatorUser()
    app.bus.nc.publish(event.type, '{"not":"an event"}')
    t.equal((await call('GET', '/api/me', bearer(unrelated.idToken))).res.statusCode, 200, 'malformed events are ignored')
  })

  t.test('a role change made while a replica was not connected is replayed from JetStream when it connects', async (t) => {
    const user = await createEmulatorUser()
    await sleep(1_100)
    await setEmulatorClaims(user.uid, { role: 'mentor' })
    const event = CatalogEvents.userRoleChanged
    // published (and stored in CATALOG) before this replica exists
    await app.bus.js.publish(event.type, roleChanged(user.uid))
    const late = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url) })
    t.teardown(() => late.close())
    const refused = await waitFor(async () => {
      const r = await late.inject({ method: 'GET', url: '/api/me', headers: bearer(user.idToken) })
      return r.statusCode === 401 ? r : null
    })
    t.equal(refused.json().error.code, 'TOKEN_REVOKED', "the token with the old role is refused by the replica that was not there")
    const fresh = await emulatorToken(user)
    t.equal((await late.inject({ method: 'GET', url: '/api/me', headers: bearer(fresh.idToken) })).statusCode, 200)
  })
})

t.test('per-user rate limit', { skip: authEmulatorMissing() }, async (t) => {
  const up = await startUpstream((_req, res) => res.end('ok'))
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url), RATE_LIMIT_USER_MAX: '2', RATE_LIMIT_IP_MAX: '100' })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const [a, b] = await Promise.all([createEmulatorUser(), createEmulatorUser()])
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ url: '/api/me', headers: bearer(a.idToken) })).statusCode)
  t.same(statuses, [200, 200, 429], 'the third request of user a in the window is refused')
  const limited = await app.inject({ url: '/api/me', headers: bearer(a.idToken) })
  t.equal(limited.json().error.code, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) >= 1, 'Retry-After is set')
  t.equal((await app.inject({ url: '/api/me', headers: bearer(b.idToken) })).statusCode, 200, 'user b from the same IP is not affected')
})
