import t from 'tap'
import { identityKey, verifyIdentity } from '@sunbae/service-kit/identity'
import { Authenticator, identityFrom } from '../src/lib/authenticator.ts'

const SECRET = 'identity-header-test-secret'.padEnd(32, 'x')
const keys = [identityKey(SECRET, 'payment')]
const authenticator = new Authenticator({ verify: async () => ({ uid: 'u', exp: 0 }), identitySecret: SECRET, cacheMax: 10 })
const caller = () => ({ identity: identityFrom({ uid: 'alice', exp: 0, email: 'a@example.com', email_verified: true }), expiresAt: Date.now() + 3_600_000, tokens: new Map() })

t.test('the header is bound to each request: method and path (not the query), also when repeated', async (t) => {
  const c = caller()
  const now = Date.now()
  const get = authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/p1?page=1', now)
  t.equal(authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/p1?page=2', now), get, 'the same request again: the same header')
  t.equal(verifyIdentity(get, keys, { aud: 'payment', method: 'GET', url: '/api/payments/p1' }).uid, 'alice')
  const post = authenticator.identityHeader(c, 'payment', 'POST', '/api/payments/p1', now)
  const other = authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/p2', now)
  t.not(post, get)
  t.not(other, get)
  t.throws(() => verifyIdentity(post, keys, { aud: 'payment', method: 'GET', url: '/api/payments/p1' }), { code: 'IDENTITY_WRONG_REQUEST' })
  t.throws(() => verifyIdentity(other, keys, { aud: 'payment', method: 'GET', url: '/api/payments/p1' }), { code: 'IDENTITY_WRONG_REQUEST' })
  t.equal(verifyIdentity(post, keys, { aud: 'payment', method: 'POST', url: '/api/payments/p1' }).uid, 'alice')
})

t.test('more paths than are remembered: every header still verifies for its own request', async (t) => {
  const c = caller()
  const now = Date.now()
  const first = authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/0', now)
  for (let i = 0; i < 100; i++) {
    const url = `/api/payments/${i % 50}`
    const header = authenticator.identityHeader(c, 'payment', 'GET', url, now)
    t.equal(verifyIdentity(header, keys, { aud: 'payment', method: 'GET', url }).uid, 'alice', url)
  }
  t.equal(authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/0', now), first, 'the same token, so the same binding')
})

t.test('after 15 s the token is signed again, and its bindings with it', async (t) => {
  const c = caller()
  const now = Date.now()
  const before = authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/p1', now - 16_000)
  const after = authenticator.identityHeader(c, 'payment', 'GET', '/api/payments/p1', now)
  t.not(after, before, 'a fresh token')
  t.equal(verifyIdentity(after, keys, { aud: 'payment', method: 'GET', url: '/api/payments/p1' }).uid, 'alice')
  t.not(after.split('.')[1], before.split('.')[1], 'with a new issue time')
})
