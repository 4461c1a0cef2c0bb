import t from 'tap'
import { createScrubber, maskCardNumbers, REDACTED } from '../src/scrub.ts'

t.test('default lists: secret keys at any depth, card numbers anywhere, keyword kept', async (t) => {
  const s = createScrubber()
  t.same(s.value({ password: 'x', apiKey: 'k', keyword: 'python', nested: [{ refresh_token: 't', card_number: '1', note: 'card 4111 1111 1111 1111' }] }), {
    password: REDACTED,
    apiKey: REDACTED,
    keyword: 'python',
    nested: [{ refresh_token: REDACTED, card_number: REDACTED, note: 'card [CARD]' }],
  })
  t.equal(maskCardNumbers('order 1234567890123'), 'order 1234567890123', 'not Luhn-valid: kept')
  t.same(s.query('token=abc&q=mentors&q=ux'), { token: REDACTED, q: ['mentors', 'ux'] })
  t.equal(s.text('{"password":"hunter2","name":"kim"'), '{"password":"[REDACTED]","name":"kim"', 'cut JSON scrubbed as text')
  t.equal(s.text('user=kim&secret=abc'), `user=kim&secret=${REDACTED}`)
})

t.test('body: JSON by type or by shape, form, text; capped', async (t) => {
  const s = createScrubber()
  t.equal(s.body('{"password":"p","a":1}', { max: 100 }), '{"password":"[REDACTED]","a":1}', 'JSON recognised without a content type')
  t.equal(s.body('a=1&passwd=2', { contentType: 'application/x-www-form-urlencoded', max: 100 }), '{"a":"1","passwd":"[REDACTED]"}')
  t.equal(s.body(null, { max: 100 }), null)
  const long = s.body(`{"x":"${'y'.repeat(500)}"}`, { max: 50 })!
  t.equal(long.length, 50)
  t.ok(long.endsWith('…[truncated]'))
})

t.test('configurable lists', async (t) => {
  const s = createScrubber({ substrings: ['ssn'], words: ['otp'] })
  t.same(s.value({ password: 'kept now', user_ssn: '1', otp: '2', otpHint: '3' }), { password: 'kept now', user_ssn: REDACTED, otp: REDACTED, otpHint: REDACTED })
  const deep = createScrubber({ maxDepth: 2 })
  t.same(deep.value({ a: { b: { c: 1 } } }), { a: { b: '[TOO DEEP]' } })
})
