import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { fixedWindowLimiter } from '../src/plugins/app/edge.ts'

t.test('a fixed window per key: more than max is refused with the seconds left, other keys count alone', async (t) => {
  const limit = fixedWindowLimiter({ max: 2, windowMs: 60_000, maxKeys: 100 })
  t.equal(limit('a'), null)
  t.equal(limit('a'), null)
  const retryAfter = limit('a')
  t.ok(retryAfter !== null && retryAfter >= 59 && retryAfter <= 60, `the third is refused, retry in ${retryAfter} s`)
  t.equal(limit('b'), null, 'another key has its own count')
})

t.test('a new window starts after windowMs', async (t) => {
  const limit = fixedWindowLimiter({ max: 1, windowMs: 100, maxKeys: 100 })
  t.equal(limit('a'), null)
  t.not(limit('a'), null)
  await sleep(150)
  t.equal(limit('a'), null, 'counted afresh')
})

t.test('RATE_LIMIT_MAX_KEYS keys are tracked (the store is not left at its default 5,000)', async (t) => {
  const limit = fixedWindowLimiter({ max: 1, windowMs: 60_000, maxKeys: 10_000 })
  t.equal(limit('attacker'), null)
  for (let i = 0; i < 6_000; i++) limit(`other-${i}`)
  t.not(limit('attacker'), null, 'still limited after 6,000 other keys')
  const small = fixedWindowLimiter({ max: 1, windowMs: 60_000, maxKeys: 1_000 })
  small('attacker')
  for (let i = 0; i < 1_000; i++) small(`other-${i}`)
  t.equal(small('attacker'), null, 'beyond maxKeys the least recently seen key is forgotten')
})
