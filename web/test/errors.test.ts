import t from 'tap'
import { ApiError, describeError, errorMessage, isEmailUnverified, isTokenRevoked, toApiError } from '../src/lib/errors.ts'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'

t.test('the server message and field details are shown as they came', async (t) => {
  const err = toApiError(400, {
    error: { code: 'VALIDATION_FAILED', message: 'body/message must not be empty', details: [{ field: 'body/message', message: 'too short' }], requestId: 'req-1' },
  })
  t.ok(err instanceof ApiError)
  t.equal(err.code, 'VALIDATION_FAILED')
  t.same(describeError(err, ko), { title: 'body/message must not be empty', details: ['message: too short'], requestId: 'req-1' })
  t.equal(errorMessage(err, en), 'body/message must not be empty · message: too short · Request ID: req-1')
})

t.test('a body without the envelope falls back to a text of our own, by status', async (t) => {
  t.equal(describeError(toApiError(502, '<html>bad gateway</html>'), en).title, en.errServer)
  t.equal(describeError(toApiError(404, null), en).title, en.errUnknown)
  t.equal(describeError(toApiError(429, { error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded, retry in 1 minute' } }), ko).title, ko.errRateLimited)
  t.equal(describeError(toApiError(401, { error: { code: 'UNAUTHENTICATED', message: '' } }), ko).title, ko.errSignIn)
})

t.test('never a stack: a thrown Error shows a generic text, not its message or stack', async (t) => {
  const boom = new Error('Cannot read properties of undefined (reading "x")\n    at foo (app.js:1:1)')
  const text = errorMessage(boom, en)
  t.equal(text, en.errUnknown)
  t.notMatch(text, /at foo/)
  t.equal(errorMessage(new TypeError('Failed to fetch'), ko), ko.errNetwork)
  t.equal(errorMessage(undefined, ko), ko.errUnknown)
})

t.test('Firebase Auth codes get a message in the chosen language', async (t) => {
  t.equal(errorMessage({ code: 'auth/invalid-credential', message: 'Firebase: Error (auth/invalid-credential).' }, ko), ko.authInvalidCredential)
  t.equal(errorMessage({ code: 'auth/email-already-in-use' }, en), en.authEmailInUse)
  t.equal(errorMessage({ code: 'auth/something-new' }, en), en.errUnknown)
})

t.test('TOKEN_REVOKED is recognised so the client refreshes instead of failing', async (t) => {
  t.ok(isTokenRevoked(toApiError(401, { error: { code: 'TOKEN_REVOKED', message: 'revoked' } })))
  t.notOk(isTokenRevoked(toApiError(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } })))
  t.notOk(isTokenRevoked(new Error('TOKEN_REVOKED')))
})

t.test('EMAIL_UNVERIFIED is recognised and said in the chosen language; another 403 is not', async (t) => {
  const err = toApiError(403, { error: { code: 'EMAIL_UNVERIFIED', message: 'Verify your email address first', requestId: 'req-9' } })
  t.ok(isEmailUnverified(err))
  t.equal(describeError(err, ko).title, '이메일 주소를 확인해야 1:1 요청을 보내거나 결제할 수 있습니다.')
  t.equal(describeError(err, en).title, 'Verify your email address to send a 1:1 request or to pay.')
  const other = toApiError(403, { error: { code: 'NOT_YOUR_BOOKING', message: 'Not yours' } })
  t.notOk(isEmailUnverified(other))
  t.equal(describeError(other, en).title, 'Not yours')
  t.notOk(isEmailUnverified(new Error('EMAIL_UNVERIFIED')), 'only an answer of the server')
})
