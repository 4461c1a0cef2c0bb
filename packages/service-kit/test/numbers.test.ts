import t, { type Test } from 'tap'
import { Type } from 'typebox'
import { refuseBadNumbers } from '@sunbae/testing'
import { buildFixture } from './helpers.ts'

// Issue 16: `?limit=1e400` was coerced to Infinity and Ajv then skipped minimum/maximum for it;
// `Type.Integer()` took 1e300. Every part of every request of every kit-built service is covered.

const Ok = Type.Object({ got: Type.String() })

async function build() {
  return buildFixture(async (app) => {
    app.get(
      '/items/:n',
      {
        schema: {
          params: Type.Object({ n: Type.Integer({ minimum: 1 }) }),
          querystring: Type.Object(
            {
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
              ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
              weight: Type.Optional(Type.Number()),
              count: Type.Optional(Type.Integer()),
              maybe: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
              ids: Type.Optional(Type.Array(Type.Integer())),
            },
            { additionalProperties: false },
          ),
          headers: Type.Object({ 'x-page': Type.Optional(Type.Integer({ minimum: 1 })) }),
          response: { 200: Ok },
        },
      },
      async (request) => ({ got: JSON.stringify({ ...(request.params as object), ...(request.query as object), page: request.headers['x-page'] ?? null }) }),
    )
    app.post(
      '/items',
      {
        schema: {
          body: Type.Object(
            {
              amount: Type.Integer({ minimum: 0 }),
              score: Type.Optional(Type.Number()),
              nested: Type.Optional(Type.Object({ at: Type.Integer() })),
              list: Type.Optional(Type.Array(Type.Number())),
            },
            { additionalProperties: false },
          ),
          response: { 200: Ok },
        },
      },
      async (request) => ({ got: JSON.stringify(request.body) }),
    )
  })
}

function refused(t: Test, res: { statusCode: number; json(): any }, field: string, message: RegExp) {
  t.equal(res.statusCode, 400, `${field}: 400`)
  const error = res.json().error
  t.equal(error.code, 'VALIDATION_FAILED')
  t.type(error.requestId, 'string')
  const details = (error.details ?? []).filter((d: { field: string }) => d.field === field)
  t.ok(details.length > 0, `details name ${field}: ${JSON.stringify(error.details)}`)
  t.ok(details.some((d: { message: string }) => message.test(d.message)), `${field}: ${JSON.stringify(details)}`)
}

const FINITE = /must be a finite number/
const SAFE = /must be an integer between -9007199254740991 and 9007199254740991/

t.test('query strings: non-finite numbers and unsafe integers are 400 with the field, bounds or not', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  for (const value of ['1e400', '-1e400', 'Infinity', '-Infinity']) {
    refused(t, await app.inject({ url: `/items/1?limit=${value}` }), 'querystring/limit', FINITE)
    refused(t, await app.inject({ url: `/items/1?ratio=${value}` }), 'querystring/ratio', FINITE)
    refused(t, await app.inject({ url: `/items/1?weight=${value}` }), 'querystring/weight', FINITE)
    refused(t, await app.inject({ url: `/items/1?count=${value}` }), 'querystring/count', FINITE)
  }
  refused(t, await app.inject({ url: '/items/1?count=NaN' }), 'querystring/count', /must be integer/)
  refused(t, await app.inject({ url: '/items/1?weight=NaN' }), 'querystring/weight', /must be number/)
  for (const value of ['1e300', '9007199254740993', '-9007199254740993']) {
    refused(t, await app.inject({ url: `/items/1?count=${value}` }), 'querystring/count', SAFE)
    refused(t, await app.inject({ url: `/items/1?maybe=${value}` }), 'querystring/maybe', SAFE)
  }
  refused(t, await app.inject({ url: '/items/1?ids=3&ids=1e400' }), 'querystring/ids/1', FINITE)
})

t.test('path params and headers are checked the same way', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  refused(t, await app.inject({ url: '/items/1e400' }), 'params/n', FINITE)
  refused(t, await app.inject({ url: '/items/9007199254740993' }), 'params/n', SAFE)
  refused(t, await app.inject({ url: '/items/1', headers: { 'x-page': 'Infinity' } }), 'headers/x-page', FINITE)
  refused(t, await app.inject({ url: '/items/1', headers: { 'x-page': '1e300' } }), 'headers/x-page', SAFE)
})

t.test('JSON bodies: 1e400 parses to Infinity and 1e300 is no integer to count with', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const post = (payload: string) => app.inject({ method: 'POST', url: '/items', headers: { 'content-type': 'application/json' }, payload })
  refused(t, await post('{"amount":1e400}'), 'body/amount', FINITE)
  refused(t, await post('{"amount":1,"score":-1e400}'), 'body/score', FINITE)
  refused(t, await post('{"amount":1e300}'), 'body/amount', SAFE)
  refused(t, await post('{"amount":1,"nested":{"at":9007199254740993}}'), 'body/nested/at', SAFE)
  refused(t, await post('{"amount":1,"list":[1,1e400]}'), 'body/list/1', FINITE)
  // one clear message per field: not also Ajv's "must be number" for the same value
  const res = await post('{"amount":1,"score":1e400}')
  t.same(res.json().error.details, [{ field: 'body/score', message: 'must be a finite number' }])
})

t.test('ordinary numbers still pass, coerced where they were before', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const q = await app.inject({ url: '/items/7?limit=50&ratio=0.5&weight=1e300&count=-9007199254740991&maybe=3&ids=1&ids=2', headers: { 'x-page': '2' } })
  t.equal(q.statusCode, 200, q.body)
  t.same(JSON.parse(q.json().got), { n: 7, limit: 50, ratio: 0.5, weight: 1e300, count: -9007199254740991, maybe: 3, ids: [1, 2], page: 2 })
  const b = await app.inject({ method: 'POST', url: '/items', payload: { amount: 9007199254740991, score: 1.5e300, nested: { at: -3 }, list: [0.25] } })
  t.equal(b.statusCode, 200, b.body)
  // bodies are still not coerced
  const s = await app.inject({ method: 'POST', url: '/items', payload: { amount: '5' } })
  t.equal(s.statusCode, 400)
})

t.test('the OpenAPI walk of @sunbae/testing finds and refuses every numeric input of the fixture', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const { inputs, refusals, failures } = await refuseBadNumbers(app)
  const fields = inputs.map((i) => `${i.method} ${i.path} ${i.field}`).sort()
  t.same(fields, [
    'GET /items/{n} headers/x-page',
    'GET /items/{n} params/n',
    'GET /items/{n} querystring/count',
    'GET /items/{n} querystring/ids',
    'GET /items/{n} querystring/limit',
    'GET /items/{n} querystring/maybe',
    'GET /items/{n} querystring/ratio',
    'GET /items/{n} querystring/weight',
    'POST /items body/amount',
    'POST /items body/list/0',
    'POST /items body/nested/at',
    'POST /items body/score',
  ])
  t.ok(refusals > fields.length, `${refusals} bad values sent`)
  t.same(failures, [], 'every bad number is a 400 naming its field')
})
