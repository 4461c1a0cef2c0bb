import t from 'tap'
import { Type } from 'typebox'
import { fuzzRoutes } from '@sunbae/testing'
import { AppError } from '../src/index.ts'
import { identityHeaders, signIdentitiesOnInject } from '../src/testing.ts'
import { buildFixture } from './helpers.ts'

// Issue 20: the route fuzz (packages/testing/src/fuzz.ts) that every service's test/fuzz.test.ts runs
// on its own OpenAPI document. Here: the kit answers every case of it in shape, and the fuzz does
// catch each kind of answer it exists to catch (a fuzz that cannot fail proves nothing).

const Ok = Type.Object({ ok: Type.Boolean() })
const identity = (role: 'mentee' | 'mentor' | 'admin') => identityHeaders({ uid: `fuzz-${role}`, role })

async function build(routes: Parameters<typeof buildFixture>[0]) {
  const app = signIdentitiesOnInject(await buildFixture(routes), 'fixture')
  await app.ready()
  return app
}

t.test('a kit-built service answers every fuzz case below 500 and in the error shape', async (t) => {
  const app = await build(async (app) => {
    app.get(
      '/things/:id',
      {
        schema: {
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 50 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }),
          response: { 200: Ok },
        },
      },
      async () => {
        throw new AppError(404, 'NOT_FOUND', 'No such thing')
      },
    )
    app.post(
      '/things',
      {
        schema: {
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 80 }),
              price: Type.Integer({ minimum: 0 }),
              tags: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 5 }),
              at: Type.Object({ day: Type.Union([Type.Literal('mon'), Type.Literal('tue')]), start: Type.String({ pattern: '^\\d\\d:\\d\\d$' }) }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Ok },
        },
      },
      async () => ({ ok: true }),
    )
  })
  t.teardown(() => app.close())
  const result = await fuzzRoutes(app, { identity, include: (_, path) => path.startsWith('/things') })
  t.equal(result.operations, 2)
  t.same(result.failures, [])
  // the plausible body is accepted (four roles), and every refusal the fuzz aims at happened
  t.ok(result.statuses[200]! >= 4, JSON.stringify(result.statuses))
  for (const status of [400, 404, 414, 415]) t.ok(result.statuses[status]! > 0, `some ${status}`)
})

t.test('the fuzz reports a 5xx, a leak, SQL text, an error out of shape and an unknown id found, with method, path and case', async (t) => {
  const app = await build(async (app) => {
    const q = { querystring: Type.Object({ x: Type.Optional(Type.String()) }), response: { 200: Ok } }
    app.get('/crash', { schema: q }, async () => {
      throw new Error('boom')
    })
    app.get('/stack', { schema: { querystring: q.querystring } }, async () => ({ ok: true, trace: new Error('here').stack }))
    app.get('/sql', { schema: { querystring: q.querystring } }, async (_, reply) =>
      reply.code(409).send({ error: { code: 'X', message: 'relation "users" does not exist', requestId: 'r' } }),
    )
    app.get('/shape', { schema: { querystring: q.querystring } }, async (_, reply) => reply.code(400).send({ message: 'no' }))
    app.get('/host', { schema: { querystring: q.querystring } }, async () => ({ ok: true, at: 'postgres://sunbae@db:5432/sunbae' }))
    app.get('/ghost/:id', { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: Ok } } }, async () => ({ ok: true }))
  })
  t.teardown(() => app.close())
  const { failures } = await fuzzRoutes(app, { identity, include: (_, path) => !path.startsWith('/openapi') && !/z$|metrics/.test(path) })
  const why = (path: string) => [...new Set(failures.filter((f) => f.path === path).map((f) => f.why))]
  t.same(why('/crash'), ['status 500'])
  t.same(why('/stack'), ['the body holds a stack frame'])
  t.same(why('/sql'), ["the error holds the database's words"])
  t.same(why('/shape'), ['not the platform error shape'])
  t.same(why('/host'), ['the body holds a connection URL'])
  t.same(why('/ghost/{id}'), ['status 200, not 404 for an id nobody has'])
  const one = failures.find((f) => f.path === '/crash')!
  t.match(one, { method: 'GET', case: 'plausible', status: 500 })
  t.match(one.body, /INTERNAL/)
})

t.test('text that is not UTF-8 is a 400 in the body and in the query; UTF-8 passes as sent', async (t) => {
  const app = await build(async (app) => {
    app.post(
      '/echo',
      { schema: { body: Type.Object({ name: Type.String() }), querystring: Type.Object({ q: Type.Optional(Type.String()) }) } },
      async (request) => ({ name: (request.body as { name: string }).name, q: (request.query as { q?: string }).q ?? null }),
    )
  })
  t.teardown(() => app.close())
  const post = (url: string, payload: string | Buffer) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload })
  const badBody = await post('/echo', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))
  t.equal(badBody.statusCode, 400)
  t.match(badBody.json().error, { code: 'BAD_REQUEST', message: 'The body is not valid UTF-8' })
  for (const query of ['q=%C3%28', 'q=%ED%A0%80', 'q=%E4%B8', '%C3%28=1']) {
    const res = await post(`/echo?${query}`, '{"name":"a"}')
    t.equal(res.statusCode, 400, query)
    t.match(res.json().error, { code: 'BAD_REQUEST', message: /query string is not valid UTF-8/ }, query)
  }
  const good = await post('/echo?q=%EA%B9%80%20100%25', JSON.stringify({ name: '김선배 🎓' }))
  t.same(good.json(), { name: '김선배 🎓', q: '김 100%' }, 'UTF-8 reaches the handler as sent')
  t.match((await post('/echo', '{"name":')).json().error, { code: 'BAD_REQUEST' }, "broken JSON is still Fastify's 400")
  t.match((await post('/echo', '{"__proto__":{"x":1},"name":"a"}')).json().error, { code: 'BAD_REQUEST' }, 'prototype poisoning is still refused')
})
