import t from 'tap'
import { Type } from 'typebox'
import { AppError } from '../src/index.ts'
import { buildFixture } from './helpers.ts'
import type { ErrorReportV1 } from '@sunbae/contracts'

const Body = Type.Object(
  { email: Type.String({ format: 'email' }), age: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
)

async function build() {
  return buildFixture(async (app) => {
    app.post('/things', { schema: { body: Body, response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }))
    app.get('/teapot', async () => {
      throw new AppError(409, 'ALREADY_BOOKED', 'That slot is taken')
    })
    app.get('/boom', async () => {
      throw new Error('database password is hunter2')
    })
  })
}

t.test('schema failures answer 400 with field-level details', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/things', payload: { email: 'nope', extra: 1 } })
  t.equal(res.statusCode, 400)
  const body = res.json()
  t.equal(body.error.code, 'VALIDATION_FAILED')
  t.equal(body.error.requestId, res.headers['x-request-id'])
  const fields = body.error.details.map((d: { field: string }) => d.field).sort()
  t.ok(fields.includes('body/email'), `details name body/email: ${JSON.stringify(fields)}`)
  t.ok(fields.includes('body/age'), 'missing property is named')
  t.ok(fields.includes('body/extra'), 'extra property is named')
})

t.test('malformed JSON is a 400, not a 500', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"email":' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, 'BAD_REQUEST')
  const wrongType = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/csv' }, payload: 'a,b' })
  t.equal(wrongType.statusCode, 415)
  t.equal(wrongType.json().error.code, 'UNSUPPORTED_MEDIA_TYPE')
})

t.test('coded client errors keep their status, code and message', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/teapot', headers: { 'x-request-id': 'req-123' } })
  t.equal(res.statusCode, 409)
  t.same(res.json(), { error: { code: 'ALREADY_BOOKED', message: 'That slot is taken', requestId: 'req-123' } })
})

t.test('a 5xx reveals nothing and is reported with its stack', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const reports: ErrorReportV1[] = []
  app.errorSink.send = (r) => void reports.push(r)
  const res = await app.inject({ method: 'GET', url: '/boom' })
  t.equal(res.statusCode, 500)
  const body = res.json()
  t.equal(body.error.code, 'INTERNAL')
  t.notMatch(res.body, /hunter2/, 'the message stays on the server')
  t.notMatch(res.body, /at .*\.ts/, 'no stack in the response')
  t.equal(reports.length, 1)
  t.equal(reports[0]?.route, '/boom')
  t.equal(reports[0]?.requestId, body.error.requestId)
  t.match(reports[0]?.stack, /errors\.test\.ts/)
  t.match(reports[0]?.fingerprint, /^[0-9a-f]{16}$/)
})

t.test('unknown routes answer a JSON 404', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' })
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /application\/json/)
  t.equal(res.json().error.code, 'NOT_FOUND')
  t.equal(res.json().error.message, 'Route GET /nowhere not found')
})

t.test('an ill-formed request id is replaced', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'bad id\nwith newline' } })
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/)
})

t.test('every route is in the OpenAPI document', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
  t.equal(doc.openapi, '3.1.0')
  t.ok(doc.paths['/things']?.post?.requestBody, 'request schema documented')
  t.ok(doc.paths['/healthz']?.get, 'health documented')
  t.ok(doc.paths['/readyz']?.get)
})

t.test('bodies are validated as sent (no coercion); query strings are coerced', async (t) => {
  const app = await buildFixture(async (app) => {
    const Nullable = Type.Object({ capacity: Type.Union([Type.Null(), Type.Integer({ minimum: 0 })]), note: Type.Union([Type.Null(), Type.String()]) })
    app.put('/settings', { schema: { body: Nullable, response: { 200: Nullable } } }, async (request) => request.body as never)
    app.get('/list', { schema: { querystring: Type.Object({ page: Type.Integer({ minimum: 1, default: 1 }), tags: Type.Optional(Type.Array(Type.String())) }) } }, async (request) => request.query)
  })
  t.teardown(() => app.close())
  const zero = await app.inject({ method: 'PUT', url: '/settings', payload: { capacity: 0, note: '' } })
  t.equal(zero.statusCode, 200)
  t.same(zero.json(), { capacity: 0, note: '' }, '0 and "" stay what they are inside a union with null')
  const text = await app.inject({ method: 'PUT', url: '/settings', payload: { capacity: '5', note: null } })
  t.equal(text.statusCode, 400, 'a number sent as a string is refused in a body')
  t.equal(text.json().error.code, 'VALIDATION_FAILED')
  const query = await app.inject({ url: '/list?page=2&tags=a' })
  t.same(query.json(), { page: 2, tags: ['a'] }, 'query strings are coerced (numbers, single values to arrays)')
  t.same((await app.inject({ url: '/list' })).json(), { page: 1 }, 'defaults still apply')
})
