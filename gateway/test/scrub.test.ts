import t from 'tap'
import { REDACTED, createScrubber, maskCardNumbers, truncate } from '@sunbae/service-kit/scrub'
import { toEvent, type AccessRecord } from '../src/plugins/app/access-log.ts'

// The gateway scrubs with service-kit's default scrubber (tracking scrubs again on ingest with the
// same code); these cases pin down what the access log may contain.
const scrubber = createScrubber()
const isSecretKey = scrubber.isSecretKey
const scrubValue = scrubber.value
const scrubText = scrubber.text
const scrubQuery = scrubber.query
const scrubBody = (raw: string | Buffer | null, contentType: string, max: number, complete = true) => scrubber.body(raw, { contentType, max, complete })

t.test('secret keys: the brief’s words, case-insensitive, as words for the short ones', async (t) => {
  for (const k of ['password', 'newPassword', 'PASSWD', 'client_secret', 'idToken', 'refresh_token', 'apiKey', 'api-key', 'KEY', 'x-signature', 'Authorization', 'cardNumber', 'card', 'credit_card', 'cvc', 'CVV', 'privateKey']) {
    t.ok(isSecretKey(k), `${k} is a secret`)
  }
  for (const k of ['email', 'keyword', 'keywords', 'monkey', 'discard', 'name', 'bio', 'headline', 'cards_seen_count'.replace('cards', 'carts')]) {
    t.notOk(isSecretKey(k), `${k} is not a secret`)
  }
})

t.test('card numbers: 13–19 digits passing Luhn, grouped or not', async (t) => {
  t.equal(maskCardNumbers('pay with 4111 1111 1111 1111 now'), 'pay with [CARD] now')
  t.equal(maskCardNumbers('4111-1111-1111-1111'), '[CARD]')
  t.equal(maskCardNumbers('5500000000000004'), '[CARD]')
  t.equal(maskCardNumbers('order 4111111111111112'), 'order 4111111111111112', 'fails Luhn: left alone')
  t.equal(maskCardNumbers('call 010-1234-5678'), 'call 010-1234-5678', 'phone numbers are too short')
})

t.test('scrubValue: nested objects and arrays, non-secret fields untouched', async (t) => {
  const input = {
    email: 'a@example.test',
    password: 'hunter2',
    profile: { name: 'Kim', secretAnswer: 'blue', tokens: ['a', 'b'] },
    payment: { card: { number: '4111111111111111', cvc: '123' }, note: 'card 4242424242424242' },
    list: [{ apiKey: 'k' }, { keyword: 'python' }],
    n: 4111111111111111,
    ts: 1732700000000,
    empty: { password: '' },
  }
  t.same(scrubValue(input), {
    email: 'a@example.test',
    password: REDACTED,
    profile: { name: 'Kim', secretAnswer: REDACTED, tokens: REDACTED },
    payment: { card: REDACTED, note: 'card [CARD]' },
    list: [{ apiKey: REDACTED }, { keyword: 'python' }],
    n: '[CARD]',
    ts: 1732700000000,
    empty: { password: '' },
  })
  t.equal(input.password, 'hunter2', 'the input is not modified')
})

t.test('scrubBody: JSON, forms, text, truncation', async (t) => {
  t.equal(scrubBody(Buffer.from('{"email":"a@b","password":"pw"}'), 'application/json; charset=utf-8', 4096), `{"email":"a@b","password":"${REDACTED}"}`)
  t.equal(scrubBody('{"Password":"pw"}', 'application/merge-patch+json', 4096), `{"Password":"${REDACTED}"}`)
  t.equal(scrubBody('user=kim&password=pw&card=4111111111111111', 'application/x-www-form-urlencoded', 4096), `{"user":"kim","password":"${REDACTED}","card":"${REDACTED}"}`)
  t.equal(scrubBody('{"password": "pw", "broken', 'application/json', 4096), `{"password": "${REDACTED}", "broken`, 'malformed JSON is scrubbed as text')
  t.equal(scrubBody('{"a":"x","token":"abc', 'application/json', 4096, false), `{"a":"x","token":"${REDACTED}"`, 'a truncated body is scrubbed as text')
  t.equal(scrubBody(null, 'application/json', 4096), null)
  t.equal(scrubBody(Buffer.alloc(0), 'application/json', 4096), null)
  const big = scrubBody(JSON.stringify({ bio: 'x'.repeat(10_000) }), 'application/json', 100)!
  t.equal(big.length, 100)
  t.ok(big.endsWith('…[truncated]'))
  t.equal(truncate('abc', 3), 'abc')
})

t.test('scrubText and scrubQuery', async (t) => {
  t.equal(scrubText('token=abc&x=1'), `token=${REDACTED}&x=1`)
  t.same(scrubQuery('q=python&page=2&access_token=abc&tag=a&tag=b'), { q: 'python', page: '2', access_token: REDACTED, tag: ['a', 'b'] })
  t.same(scrubQuery(''), {})
})

t.test('toEvent: an access record becomes an AccessLogV1 event', async (t) => {
  const record: AccessRecord = {
    requestId: 'r1',
    traceId: null,
    user: 'u1',
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    responseMs: 1.23456,
    url: '/api/me?x=1&token=t',
    route: '/api/me',
    method: 'PUT',
    remoteAddr: '10.0.0.1',
    host: 'api.example',
    body: Buffer.from('{"password":"p","name":"Kim"}'),
    bodyComplete: true,
    contentType: 'application/json',
    status: 200,
    error: null,
    userAgent: 'test',
    responseBody: null,
  }
  t.same(toEvent(record, 4096), {
    requestId: 'r1',
    traceId: null,
    user: 'u1',
    requestedAt: '2026-01-02T03:04:05.000Z',
    responseMs: 1.235,
    path: '/api/me',
    route: '/api/me',
    method: 'PUT',
    remoteAddr: '10.0.0.1',
    host: 'api.example',
    queryParams: { x: '1', token: REDACTED },
    body: `{"password":"${REDACTED}","name":"Kim"}`,
    status: 200,
    errors: null,
    userAgent: 'test',
    responseBody: null,
  })
  const failed = toEvent({ ...record, status: 422, error: 'BAD', responseBody: Buffer.from('{"error":{"code":"BAD","message":"no","echo":{"token":"t0k"}}}') }, 4096)
  t.equal(failed.responseBody, `{"error":{"code":"BAD","message":"no","echo":{"token":"${REDACTED}"}}}`, 'error bodies are kept, scrubbed')
  t.equal(toEvent({ ...record, responseBody: Buffer.from('x'.repeat(100)) }, 10).responseBody!.length <= 11, true, 'and capped')
})
