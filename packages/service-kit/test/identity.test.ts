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
