import t from 'tap'
import Fastify from 'fastify'
import { accessFor, accessOf } from '../src/access.ts'
import { clientAddress, trustProxyOption } from '../src/lib/client-ip.ts'
import { bearerToken } from '../src/lib/authenticator.ts'
import { resolveRoutes } from '../src/route-map.ts'
import { isSpoofableIdentityHeader } from '../src/routes/proxy.ts'
import { checkGatewayConfig, GatewayConfig, gatewayConfigDefaults } from '../src/config.ts'
import { loadConfig } from '@sunbae/service-kit'
import { TEST_IDENTITY_SECRET } from './fixtures/helpers.ts'

t.test('access rules', async (t) => {
  const cases: [string, string, string][] = [
    ['GET', '/api/mentors', 'public'],
    ['GET', '/api/mentors/', 'public'],
    ['HEAD', '/api/mentors/m1', 'public'],
    ['GET', '/api/mentors/m1/reviews', 'public'],
    ['POST', '/api/mentors/m1/reviews', 'user'],
    ['PUT', '/api/mentors/m1', 'user'],
    ['GET', '/api/tracking/keywords/trending', 'public'],
    ['GET', '/api/tracking/keywords', 'user'],
    ['GET', '/api/meetings/mentors/m1/slots', 'public'],
    ['GET', '/api/meetings/mentors/m1', 'user'],
    ['POST', '/api/payments/webhooks/toss', 'public'],
    ['POST', '/api/payments/webhooks', 'user'],
    ['GET', '/api/payments/webhooks/toss', 'user'],
    ['GET', '/api/me', 'user'],
    ['GET', '/api/notifications', 'user'],
    ['POST', '/api/notifications/read', 'user'],
    ['GET', '/api/admin/notifications', 'admin'],
    ['POST', '/api/notifications/unsubscribe', 'public'],
    ['GET', '/api/notifications/unsubscribe', 'public'],
    ['PUT', '/api/notifications/unsubscribe', 'user'],
    ['GET', '/api/notifications/preferences', 'user'],
    ['GET', '/api/matching/recommendations', 'user'],
    ['GET', '/api/admin', 'admin'],
    ['GET', '/api/admin/users', 'admin'],
    ['DELETE', '/api/admin/mentors/m1', 'admin'],
  ]
  for (const [method, path, expected] of cases) t.equal(accessOf(method, path), expected, `${method} ${path}`)

  t.equal(accessFor('/api/admin/users').constant, 'admin', 'admin prefixes are decided without looking at the path')
  t.equal(accessFor('/api/me').constant, 'user')
  t.equal(accessFor('/api/mentors').constant, null, 'public reads need the path')
  const mentors = accessFor('/api/mentors').check
  t.equal(mentors('GET', '/api/mentors/m1/reviews'), 'public')
  t.equal(mentors('POST', '/api/mentors'), 'user')
})

/** The client as the gateway resolves it: Fastify with the trustProxy that TRUST_PROXY becomes. */
async function resolver(trust: string) {
  const app = Fastify({ trustProxy: trustProxyOption(trust) })
  app.get('/', async (request) => ({ ...clientAddress(request), protocol: request.protocol, host: request.host }))
  await app.ready()
  return async (remoteAddress: string, headers: Record<string, string> = {}) =>
    (await app.inject({ url: '/', remoteAddress, headers: { host: 'gateway.internal', ...headers } })).json() as {
      ip: string
      forwardedFor: string
      protocol: string
      host: string
    }
}

t.test('client address honours X-Forwarded-For only from trusted proxies', async (t) => {
  const xff = (v: string) => ({ 'x-forwarded-for': v })
  const none = await resolver('')
  t.same(await none('203.0.113.9', xff('1.2.3.4')), { ip: '203.0.113.9', forwardedFor: '203.0.113.9', protocol: 'http', host: 'gateway.internal' })
  const spoofed = await none('203.0.113.9', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' })
  t.same([spoofed.protocol, spoofed.host], ['http', 'gateway.internal'], 'nobody trusted: X-Forwarded-Proto/Host ignored')

  const cidr = await resolver('10.0.0.0/8, loopback')
  t.equal((await cidr('10.1.2.3', xff('198.51.100.7'))).ip, '198.51.100.7', 'from a trusted proxy')
  const chain = await cidr('10.1.2.3', xff('6.6.6.6, 198.51.100.7, 10.9.9.9'))
  t.equal(chain.ip, '198.51.100.7', 'stops at the first untrusted hop')
  t.equal(chain.forwardedFor, '198.51.100.7, 10.9.9.9, 10.1.2.3', 'the chain sent upstream starts at the client')
  t.equal((await cidr('203.0.113.9', xff('1.2.3.4'))).ip, '203.0.113.9', 'an untrusted peer cannot claim an address')
  t.equal((await cidr('::ffff:127.0.0.1')).ip, '127.0.0.1', 'IPv4-mapped peers are shown as IPv4')
  const proxied = await cidr('10.1.2.3', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.sunbae.example' })
  t.same([proxied.protocol, proxied.host], ['https', 'api.sunbae.example'], 'a trusted proxy tells the scheme and host')

  t.equal((await (await resolver('private'))('192.168.1.4', xff('198.51.100.7'))).ip, '198.51.100.7', '`private` means uniquelocal')
})

t.test('bearer tokens and spoofable headers', async (t) => {
  t.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi')
  t.equal(bearerToken('bearer abc'), 'abc')
  t.equal(bearerToken('Basic abc'), null)
  t.equal(bearerToken('Bearer '), null)
  t.equal(bearerToken('Bearer a b'), null)
  for (const h of ['x-sunbae-identity', 'x-sunbae-anything', 'x-user-id', 'x-userid', 'x-auth-user', 'x-forwarded-user', 'x-remote-user', 'remote-user', 'x-goog-authenticated-user-email']) {
    t.ok(isSpoofableIdentityHeader(h), h)
  }
  for (const h of ['x-request-id', 'content-type', 'x-forwarded-for', 'traceparent']) t.notOk(isSpoofableIdentityHeader(h), h)
})

const configFrom = (env: Record<string, string>) =>
  loadConfig(GatewayConfig, { IDENTITY_SECRET: TEST_IDENTITY_SECRET, ...env }, gatewayConfigDefaults(env))

t.test('config', async (t) => {
  const c = configFrom({})
  t.equal(c.PORT, 8080, 'port 8080 by default')
  t.equal(configFrom({ GATEWAY_PORT: '9000' }).PORT, 9000, 'GATEWAY_PORT works as an alias')
  t.equal(c.FIREBASE_PROJECT_ID, 'demo-sunbae')
  t.equal(resolveRoutes(c).find((r) => r.prefix === '/api/mentors')?.upstream, 'http://127.0.0.1:4001')
  t.equal(resolveRoutes(configFrom({ MATCHING_URL: 'http://matching:4002/' })).find((r) => r.prefix === '/api/matching')?.upstream, 'http://matching:4002')
  for (const prefix of ['/api/notifications', '/api/admin/notifications']) {
    t.equal(resolveRoutes(c).find((r) => r.prefix === prefix)?.upstream, 'http://127.0.0.1:4007', `${prefix} goes to notification`)
    t.equal(resolveRoutes(configFrom({ NOTIFICATION_URL: 'http://notification:4007' })).find((r) => r.prefix === prefix)?.upstream, 'http://notification:4007')
  }

  const custom = resolveRoutes(configFrom({ GATEWAY_ROUTES: '{"/api/mentors":"mentor-catalog","/api/x":"http://10.0.0.1:9000"}' }))
  t.same(custom.map((r) => [r.prefix, r.service, r.upstream]), [
    ['/api/mentors', 'mentor-catalog', 'http://127.0.0.1:4001'],
    ['/api/x', 'upstream', 'http://10.0.0.1:9000'],
  ])
  t.throws(() => resolveRoutes(configFrom({ GATEWAY_ROUTES: 'nope' })), /GATEWAY_ROUTES: is not valid JSON/)
  t.throws(() => resolveRoutes(configFrom({ GATEWAY_ROUTES: '{"/mentors":"mentor-catalog"}' })), /GATEWAY_ROUTES/)
  t.throws(() => resolveRoutes(configFrom({ GATEWAY_ROUTES: '{"/api/x":"unknown-service"}' })), /GATEWAY_ROUTES/)

  t.throws(
    () => checkGatewayConfig(configFrom({ NODE_ENV: 'production', FIREBASE_PROJECT_ID: 'sunbae-prod', FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' })),
    /FIREBASE_AUTH_EMULATOR_HOST: must not be set in production/,
  )
  t.throws(() => checkGatewayConfig(configFrom({ NODE_ENV: 'production' })), /FIREBASE_PROJECT_ID/)
  t.doesNotThrow(() => checkGatewayConfig(configFrom({ NODE_ENV: 'production', FIREBASE_PROJECT_ID: 'sunbae-prod' })))
})

t.test('TRUST_PROXY: malformed values are refused at boot, naming the variable', async (t) => {
  for (const bad of ['10.0.0.0/33', 'not-an-ip', '10.0.0.1/8/9', '::1/129']) {
    t.throws(() => checkGatewayConfig(configFrom({ TRUST_PROXY: bad })), /TRUST_PROXY: .*not an IP address/, bad)
  }
  t.throws(() => checkGatewayConfig(configFrom({ TRUST_PROXY: '1' })), /TRUST_PROXY: a hop count cannot tell a proxy/, 'hop counts are refused')
  for (const good of ['', '0', 'loopback, 10.0.0.0/8', '::1', 'fc00::/7, uniquelocal']) {
    t.doesNotThrow(() => checkGatewayConfig(configFrom({ TRUST_PROXY: good })), good)
  }
})
