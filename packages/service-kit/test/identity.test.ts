import t from 'tap'
import { createHmac } from 'node:crypto'
import { Type } from 'typebox'
import { ConfigError, EMAIL_UNVERIFIED, IDENTITY_HEADER, loadConfig, requireRole, requireVerified, serviceIdentityKeys, signIdentity, verifyIdentity } from '../src/index.ts'
import { identityKey } from '../src/identity.ts'
import { TEST_IDENTITY_SECRET, identityHeaders, signIdentitiesOnInject, signedIdentityHeaders } from '../src/testing.ts'
import { buildFixture, testConfigSchema } from './helpers.ts'

const alice = { uid: 'alice', email: 'alice@example.com', emailVerified: true, name: 'Alice', picture: null, role: 'mentee' as const }
const paymentKey = identityKey(TEST_IDENTITY_SECRET, 'payment')
const get = { aud: 'payment', method: 'GET', url: '/api/payments/p1' }

t.test('sign and verify round-trip; tampering, other keys and age are refused', async (t) => {
  const header = signIdentity(alice, paymentKey, get)
  t.same(verifyIdentity(header, [paymentKey], get), alice)
  t.same(verifyIdentity(header, [identityKey('previous-secret-'.padEnd(32, 'x'), 'payment'), paymentKey], get), alice, 'rotation: any listed key')
  t.same(verifyIdentity(header, [paymentKey], { ...get, url: '/api/payments/p1?page=2' }), alice, 'the query is not part of the binding')

  const [v, body, sig, binding] = header.split('.')
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'admin' })).toString('base64url')
  t.throws(() => verifyIdentity(`${v}.${forged}.${sig}.${binding}`, [paymentKey], get), { code: 'IDENTITY_BAD_SIGNATURE' })
  t.throws(() => verifyIdentity(header, [identityKey('another-secret-'.padEnd(32, 'y'), 'payment')], get), { code: 'IDENTITY_BAD_SIGNATURE' })
  t.throws(() => verifyIdentity('garbage', [paymentKey], get), { code: 'IDENTITY_MALFORMED' })
  t.throws(() => verifyIdentity(`${v}.${body}.${sig}`, [paymentKey], get), { code: 'IDENTITY_MALFORMED' }, 'a token without its binding')
  const old = signIdentity(alice, paymentKey, get, Date.now() - 120_000)
  t.throws(() => verifyIdentity(old, [paymentKey], get), { code: 'IDENTITY_EXPIRED' })
})

t.test('the signature and the binding are HMAC-SHA256 as createHmac computes it (keys of any length, UTF-8 data)', async (t) => {
  const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('base64url')
  for (const key of [paymentKey, 'short', 'k'.repeat(64), 'ключ-'.repeat(30)]) {
    for (const request of [get, { aud: 'payment', method: 'PUT', url: '/api/payments/%ED%95%9C/상품?x=1' }]) {
      const [v, body, sig, binding] = signIdentity(alice, key, request).split('.')
      t.equal(sig, hmac(key, `${v}.${body}`), `signature, key of ${key.length} characters`)
      t.equal(binding, hmac(key, `${sig}\n${request.method}\n${request.url.split('?')[0]}`), `binding of ${request.method} ${request.url}`)
    }
  }
})

t.test('a header is good for one service, one method and one path', async (t) => {
  const header = signIdentity(alice, paymentKey, get)
  // replayed against another service: that service's key does not verify it, and it names payment
  t.throws(() => verifyIdentity(header, [identityKey(TEST_IDENTITY_SECRET, 'meeting')], { ...get, aud: 'meeting' }), { code: 'IDENTITY_BAD_SIGNATURE' })
  t.throws(() => verifyIdentity(header, [paymentKey], { ...get, aud: 'meeting' }), { code: 'IDENTITY_WRONG_AUDIENCE' }, 'even with the key, the audience is checked')
  t.throws(() => verifyIdentity(header, [paymentKey], { ...get, method: 'POST' }), { code: 'IDENTITY_WRONG_REQUEST' })
  t.throws(() => verifyIdentity(header, [paymentKey], { ...get, url: '/api/payments/p2' }), { code: 'IDENTITY_WRONG_REQUEST' })
  t.throws(() => verifyIdentity(header, [paymentKey], { ...get, url: '/api/payments/p1/refund' }), { code: 'IDENTITY_WRONG_REQUEST' })
  // a binding moved onto another token of the same user does not verify either
  const other = signIdentity(alice, paymentKey, { ...get, url: '/api/payments/p2' })
  const moved = `${other.split('.').slice(0, 3).join('.')}.${header.split('.')[3]}`
  t.throws(() => verifyIdentity(moved, [paymentKey], get), { code: 'IDENTITY_WRONG_REQUEST' })
})

t.test("per-service keys: each derives from the gateway's secret, none from another", async (t) => {
  const keys = ['mentor-catalog', 'matching', 'meeting', 'payment', 'chat-bridge', 'tracking', 'notification'].map((s) => identityKey(TEST_IDENTITY_SECRET, s))
  t.equal(new Set(keys).size, keys.length, 'seven different keys')
  t.equal(identityKey(TEST_IDENTITY_SECRET, 'payment'), paymentKey, 'deterministic')
  t.notOk(keys.includes(TEST_IDENTITY_SECRET), 'no service key is the secret itself')

  const base = { PORT: '0', IDENTITY_SECRET: TEST_IDENTITY_SECRET }
  const dev = loadConfig(testConfigSchema, base)
  t.same(serviceIdentityKeys(dev, 'payment'), [paymentKey], 'outside production: derived from IDENTITY_SECRET')
  const rotating = loadConfig(testConfigSchema, { ...base, IDENTITY_SECRET_PREVIOUS: 'previous-secret-'.padEnd(32, 'x') })
  t.same(serviceIdentityKeys(rotating, 'payment'), [paymentKey, identityKey('previous-secret-'.padEnd(32, 'x'), 'payment')])
  const own = loadConfig(testConfigSchema, { PORT: '0', NODE_ENV: 'production', IDENTITY_KEY: paymentKey, IDENTITY_KEY_PREVIOUS: 'p'.repeat(43) })
  t.same(serviceIdentityKeys(own, 'payment'), [paymentKey, 'p'.repeat(43)], 'IDENTITY_KEY, and its previous during a rotation')
  const leaked = loadConfig(testConfigSchema, { ...base, NODE_ENV: 'production' })
  t.throws(() => serviceIdentityKeys(leaked, 'payment'), ConfigError, "production refuses a service holding the gateway's secret")
  t.throws(() => serviceIdentityKeys(loadConfig(testConfigSchema, { PORT: '0' }), 'payment'), ConfigError, 'no key at all')
})

t.test('request.identity comes only from a header that verifies', async (t) => {
  const app = signIdentitiesOnInject(
    await buildFixture(async (fastify) => {
      fastify.get('/who', { schema: { response: { 200: Type.Object({ uid: Type.Union([Type.String(), Type.Null()]) }) } } }, async (req) => ({
        uid: req.identity?.uid ?? null,
      }))
      fastify.get('/admin', async (req) => ({ uid: requireRole(req, 'admin').uid }))
    }),
    'fixture',
  )
  t.teardown(() => app.close())

  t.same((await app.inject({ url: '/who', headers: identityHeaders(alice) })).json(), { uid: 'alice' })
  t.same((await app.inject({ url: '/who' })).json(), { uid: null }, 'anonymous')

  const unsigned = Buffer.from(JSON.stringify({ ...alice, iat: Date.now(), aud: 'fixture' })).toString('base64url')
  const res = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `v2.${unsigned}..` } })
  t.equal(res.statusCode, 401)
  t.equal(res.json().error.code, 'IDENTITY_INVALID')
  const v1 = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `v1.${unsigned}.c2ln` } })
  t.equal(v1.statusCode, 401, 'the unbound v1 form is no longer accepted')

  // signed for this service but for another route, or for another service
  const forAdmin = signedIdentityHeaders({ uid: 'root', role: 'admin' }, { aud: 'fixture', method: 'GET', url: '/admin' })
  t.equal((await app.inject({ url: '/admin', headers: forAdmin })).statusCode, 200)
  t.equal((await app.inject({ url: '/who', headers: forAdmin })).statusCode, 401, 'replayed on another path')
  t.equal((await app.inject({ method: 'DELETE', url: '/admin', headers: forAdmin })).statusCode, 401, 'replayed with another method')
  const forPayment = signedIdentityHeaders({ uid: 'root', role: 'admin' }, { aud: 'payment', method: 'GET', url: '/admin' })
  t.equal((await app.inject({ url: '/admin', headers: forPayment })).statusCode, 401, "another service's header")

  t.equal((await app.inject({ url: '/admin', headers: identityHeaders(alice) })).statusCode, 403)
  t.equal((await app.inject({ url: '/admin' })).statusCode, 401)
  t.equal((await app.inject({ url: '/admin', headers: identityHeaders({ uid: 'root', role: 'admin' }) })).statusCode, 200)
})

t.test('requireVerified: a verified address, or an admin acting on behalf; else 403 EMAIL_UNVERIFIED in the error shape', async (t) => {
  const app = signIdentitiesOnInject(
    await buildFixture(async (fastify) => {
      fastify.post('/act', async (req) => ({ uid: requireVerified(req).uid }))
    }),
    'fixture',
  )
  t.teardown(() => app.close())
  const act = (identity?: Parameters<typeof identityHeaders>[0]) =>
    app.inject({ method: 'POST', url: '/act', ...(identity ? { headers: identityHeaders(identity) } : {}) })

  const ok = await act(alice)
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { uid: 'alice' })
  const unverified = await act({ ...alice, emailVerified: false })
  t.equal(unverified.statusCode, 403)
  t.equal(unverified.json().error.code, EMAIL_UNVERIFIED)
  t.equal(EMAIL_UNVERIFIED, 'EMAIL_UNVERIFIED', 'the code is stable: the web keys its message on it')
  t.match(unverified.json().error.message, /verif/i, 'the message says what to do')
  t.equal((await act({ uid: 'mentor-1', role: 'mentor', emailVerified: false })).statusCode, 403, 'mentors are gated as well')
  t.equal((await act({ uid: 'root', role: 'admin', emailVerified: false })).statusCode, 200, 'an admin acts on behalf, whatever their own address')
  t.equal((await act()).statusCode, 401, 'anonymous: sign in first')
  t.equal((await act({ uid: 'bob' })).statusCode, 200, "the test helper's default identity is verified")
})

t.test('a verified token is remembered by value, but its binding and age are checked on every request', async (t) => {
  const { default: Fastify } = await import('fastify')
  const { default: identityPlugin } = await import('../src/plugins/identity.ts')
  const app = Fastify()
  await app.register(identityPlugin, { service: 'payment', keys: [paymentKey], maxAgeMs: 300 })
  app.get('/who', async (req) => ({ uid: req.identity?.uid ?? null, frozen: Object.isFrozen(req.identity) }))
  app.get('/other', async (req) => ({ uid: req.identity?.uid ?? null }))
  t.teardown(() => app.close())

  const header = signIdentity(alice, paymentKey, { aud: 'payment', method: 'GET', url: '/who' })
  const first = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: header } })
  t.same(first.json(), { uid: 'alice', frozen: true }, 'verified; the shared identity cannot be changed in place')
  t.same((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: header } })).json(), { uid: 'alice', frozen: true }, 'the same header again')
  t.equal((await app.inject({ url: '/other', headers: { [IDENTITY_HEADER]: header } })).statusCode, 401, 'a cached token is still bound to its path')

  // a forged payload with the cached token's signature is not a cache hit
  const [v, body, sig, binding] = header.split('.')
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'admin' })).toString('base64url')
  t.equal((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `${v}.${forged}.${sig}.${binding}` } })).statusCode, 401, 'forgery refused')
  t.equal((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `${header}x` } })).statusCode, 401, 'tampered binding refused')

  await new Promise((resolve) => setTimeout(resolve, 400))
  const late = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: header } })
  t.equal(late.statusCode, 401, 'the cached token expired like any other')
  const fresh = signIdentity(alice, paymentKey, { aud: 'payment', method: 'GET', url: '/who' })
  t.same((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: fresh } })).json(), { uid: 'alice', frozen: true }, 'a fresh header works')
})
