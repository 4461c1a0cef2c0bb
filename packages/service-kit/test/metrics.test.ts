import t from 'tap'
import { Type } from 'typebox'
import { AppError } from '../src/index.ts'
import { buildFixture } from './helpers.ts'

/** The value of one sample line of the exposition, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const inner = line.slice(name.length + 1, line.lastIndexOf('}'))
    const have = inner.split(',')
    if (want.length === have.length && want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}

t.test('every route gets RED metrics at /metrics: rate by status, 4xx and 5xx as errors, a duration histogram, labelled by the route pattern', async (t) => {
  const app = await buildFixture(async (fastify) => {
    fastify.get('/things/:id', { schema: { params: Type.Object({ id: Type.Integer() }), response: { 200: Type.Object({ id: Type.Integer() }) } } }, async (req) => {
      const { id } = req.params as { id: number }
      if (id === 404) throw new AppError(404, 'NOT_FOUND', 'no such thing')
      if (id === 500) throw new Error('boom')
      return { id }
    })
  })
  t.teardown(() => app.close())
  const scrape = async () => (await app.inject('/metrics')).body
  const before = await scrape()
  t.equal(sample(before, 'http_server_requests_total', { method: 'GET', route: '/things/:id', status_code: '200' }), 0)

  for (const url of ['/things/1', '/things/2', '/things/3', '/things/404', '/things/500', '/things/abc', '/nowhere/at/all', '/nowhere/else']) await app.inject(url)
  // probes and scrapes are not requests of the service
  await app.inject('/healthz')
  await app.inject('/readyz')

  const text = await scrape()
  const route = { method: 'GET', route: '/things/:id' }
  t.equal(sample(text, 'http_server_requests_total', { ...route, status_code: '200' }), 3, 'three answered 200, under the pattern, not /things/1, /things/2 …')
  t.equal(sample(text, 'http_server_requests_total', { ...route, status_code: '404' }), 1)
  t.equal(sample(text, 'http_server_requests_total', { ...route, status_code: '500' }), 1)
  t.equal(sample(text, 'http_server_requests_total', { ...route, status_code: '400' }), 1, 'a validation failure is counted on its route')
  t.equal(sample(text, 'http_server_errors_total', { ...route, class: '4xx' }), 2, 'the 404 and the 400 are errors')
  t.equal(sample(text, 'http_server_errors_total', { ...route, class: '5xx' }), 1, 'the 500 is an error')
  t.equal(sample(text, 'http_server_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' }), 2, 'URLs no route matches share one series')
  t.notMatch(text, /\/things\/1"|\/nowhere/, 'no raw URL in any label')
  t.equal(sample(text, 'http_server_request_duration_seconds_count', route), 6, 'every answered request is in the histogram')
  t.equal(sample(text, 'http_server_request_duration_seconds_bucket', { ...route, le: '+Inf' }), 6)
  t.ok(sample(text, 'http_server_request_duration_seconds_sum', route) > 0, 'with its time')
  t.notMatch(text, /route="\/(healthz|readyz|metrics)"/, 'probes and scrapes are left out')

  await app.inject('/things/7')
  const after = await scrape()
  t.equal(sample(after, 'http_server_requests_total', { ...route, status_code: '200' }), 4, 'the counter moves with the next request')
  t.equal(sample(after, 'http_server_request_duration_seconds_count', route), 7)
})

t.test('/metrics is in the OpenAPI document with a schema, as the other routes', async (t) => {
  const app = await buildFixture(async () => {})
  t.teardown(() => app.close())
  const doc = (await app.inject('/openapi.json')).json() as { paths: Record<string, { get?: { responses?: Record<string, unknown>; tags?: string[] } }> }
  const get = doc.paths['/metrics']?.get
  t.ok(get, '/metrics is documented')
  t.ok(get?.responses?.['200'], 'with its response')
  t.same(get?.tags, ['health'])
})
