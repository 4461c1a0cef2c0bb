import t from 'tap'
import { Type } from 'typebox'
import { IDENTITY_HEADER, requireRole, signIdentity, verifyIdentity } from '../src/index.ts'
import { TEST_IDENTITY_SECRET, identityHeaders } from '../src/testing.ts'
import { buildFixture } from './helpers.ts'

const alice = { uid: 'alice', email: 'alice@example.com', emailVerified: true, name: 'Alice', picture: null, role: 'mentee' as const }

t.test('sign and verify round-trip; tampering, other secrets and age are refused', async (t) => {
  const header = signIdentity(alice, TEST_IDENTITY_SECRET)
  t.same(verifyIdentity(header, [TEST_IDENTITY_SECRET]), alice)
  t.same(verifyIdentity(header, ['previous-secret-'.padEnd(32, 'x'), TEST_IDENTITY_SECRET]), alice, 'rotation: any listed secret')

  const [v, body, sig] = header.split('.')
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'admin' })).toString('base64url')
  t.throws(() => verifyIdentity(`${v}.${forged}.${sig}`, [TEST_IDENTITY_SECRET]), { code: 'IDENTITY_BAD_SIGNATURE' })
  t.throws(() => verifyIdentity(header, ['another-secret-'.padEnd(32, 'y')]), { code: 'IDENTITY_BAD_SIGNATURE' })
  t.throws(() => verifyIdentity('garbage', [TEST_IDENTITY_SECRET]), { code: 'IDENTITY_MALFORMED' })
  const old = signIdentity(alice, TEST_IDENTITY_SECRET, Date.now() - 120_000)
  t.throws(() => verifyIdentity(old, [TEST_IDENTITY_SECRET]), { code: 'IDENTITY_EXPIRED' })
})

t.test('request.identity comes only from a header that verifies', async (t) => {
  const app = await buildFixture(async (fastify) => {
    fastify.get('/who', { schema: { response: { 200: Type.Object({ uid: Type.Union([Type.String(), Type.Null()]) }) } } }, async (req) => ({
      uid: req.identity?.uid ?? null,
    }))
    fastify.get('/admin', async (req) => ({ uid: requireRole(req, 'admin').uid }))
  })
  t.teardown(() => app.close())

  t.same((await app.inject({ url: '/who', headers: identityHeaders(alice) })).json(), { uid: 'alice' })
  t.same((await app.inject({ url: '/who' })).json(), { uid: null }, 'anonymous')

  const unsigned = Buffer.from(JSON.stringify({ ...alice, iat: Date.now() })).toString('base64url')
  const res = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `v1.${unsigned}.` } })
  t.equal(res.statusCode, 401)
  t.equal(res.json().error.code, 'IDENTITY_INVALID')

  t.equal((await app.inject({ url: '/admin', headers: identityHeaders(alice) })).statusCode, 403)
  t.equal((await app.inject({ url: '/admin' })).statusCode, 401)
  t.equal((await app.inject({ url: '/admin', headers: identityHeaders({ uid: 'root', role: 'admin' }) })).statusCode, 200)
})

t.test('a verified header is remembered by value, but its age is checked on every request', async (t) => {
  const { default: Fastify } = await import('fastify')
  const { default: identityPlugin } = await import('../src/plugins/identity.ts')
  const app = Fastify()
  await app.register(identityPlugin, { secrets: [TEST_IDENTITY_SECRET], maxAgeMs: 300 })
  app.get('/who', async (req) => ({ uid: req.identity?.uid ?? null, frozen: Object.isFrozen(req.identity) }))
  t.teardown(() => app.close())

  const header = signIdentity(alice, TEST_IDENTITY_SECRET)
  const first = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: header } })
  t.same(first.json(), { uid: 'alice', frozen: true }, 'verified; the shared identity cannot be changed in place')
  t.same((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: header } })).json(), { uid: 'alice', frozen: true }, 'the same header again')

  // a forged payload with the cached header's signature is not a cache hit
  const [v, body, sig] = header.split('.')
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'admin' })).toString('base64url')
  t.equal((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `${v}.${forged}.${sig}` } })).statusCode, 401, 'forgery refused')
  t.equal((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: `${header}x` } })).statusCode, 401, 'tampered signature refused')

  await new Promise((resolve) => setTimeout(resolve, 400))
  const late = await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: header } })
  t.equal(late.statusCode, 401, 'the cached header expired like any other')
  t.same((await app.inject({ url: '/who', headers: { [IDENTITY_HEADER]: signIdentity(alice, TEST_IDENTITY_SECRET) } })).json(), { uid: 'alice', frozen: true }, 'a fresh header works')
})
