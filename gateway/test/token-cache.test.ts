import t from 'tap'
import { Authenticator, type VerifiedToken } from '../src/lib/authenticator.ts'

const ending = 'S'.repeat(32)
const good = `header.payload-a.${'a'.repeat(300)}${ending}`
const forged = `header.payload-b.${'b'.repeat(300)}${ending}`

t.test('a cached token is a hit only when the whole token matches, not only its ending', async (t) => {
  const verified: string[] = []
  const verify = async (token: string): Promise<VerifiedToken> => {
    verified.push(token)
    if (token !== good) throw Object.assign(new Error('bad signature'), { code: 'auth/argument-error' })
    return { uid: 'alice', exp: Math.floor(Date.now() / 1000) + 3600, iat: Math.floor(Date.now() / 1000) }
  }
  const auth = new Authenticator({ verify, identitySecret: 'token-cache-test-secret'.padEnd(32, 'x'), cacheMax: 100 })
  t.equal((await auth.authenticate(good)).identity.uid, 'alice')
  t.equal(auth.cached(good)?.identity.uid, 'alice', 'the same token: from the cache')
  t.equal(auth.cached(forged), undefined, 'same ending, another token: not from the cache')
  await t.rejects(auth.authenticate(forged), { code: 'TOKEN_INVALID' }, 'it is verified, and refused')
  t.same(verified, [good, forged])
  t.equal(auth.cached(good)?.identity.uid, 'alice', 'the refused token did not push the good one out')
  t.equal(auth.revokeUser('alice', new Date()), 1, 'revocation still finds the cached caller')
  t.equal(auth.cached(good), undefined)
})
