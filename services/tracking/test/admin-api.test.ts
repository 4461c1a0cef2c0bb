import t from 'tap'
import { randomUUID } from 'node:crypto'
import { admin, buildTracking, deleteDurables, mentee, testBus, uniq } from './helpers.ts'
import { identityKey } from '@sunbae/service-kit/identity'
import { identityHeaders, signedIdentityHeaders, TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { timeId } from '../src/ingest/ids.ts'
import { loadConfig, ConfigError } from '@sunbae/service-kit'
import { definition } from '../src/service.ts'
import { testEnv } from './helpers.ts'

const bus = await testBus('tracking-admin-api-test')
const prefix = `api_${uniq()}`
const app = await buildTracking({ TRACKING_DURABLE_PREFIX: prefix })
t.teardown(async () => {
  await app.close()
  await deleteDurables(bus, prefix)
  await bus.close()
})

const ADMIN_ROUTES = [
  '/api/admin/tracking/requests',
  `/api/admin/tracking/requests/${randomUUID()}`,
  '/api/admin/tracking/stats',
  '/api/admin/tracking/keywords',
  '/api/admin/tracking/keywords/zero-results',
  '/api/admin/tracking/audit',
  '/api/admin/tracking/errors',
  '/api/admin/tracking/errors/abc',
  '/api/admin/tracking/slow-queries',
]

t.test('admin only: a mentee gets 403, a mentor 403, nobody 401, a forged identity 401', async (t) => {
  for (const url of ADMIN_ROUTES) {
    const asMentee = await app.inject({ url, headers: mentee() })
    t.equal(asMentee.statusCode, 403, `mentee ${url}`)
    t.equal(asMentee.json().error.code, 'FORBIDDEN')
    t.equal((await app.inject({ url, headers: identityHeaders({ uid: 'm', role: 'mentor' }) })).statusCode, 403, `mentor ${url}`)
    t.equal((await app.inject({ url })).statusCode, 401, `anonymous ${url}`)
    const forged = signedIdentityHeaders({ uid: 'x', role: 'admin' }, { aud: 'tracking', method: 'GET', url }, 'another-secret-of-32-characters-xx')
    t.equal((await app.inject({ url, headers: forged })).statusCode, 401, `forged ${url}`)
  }
})

t.test('bad input is a 400 with field details, never a 5xx', async (t) => {
  const cases: [string, string][] = [
    ['/api/admin/tracking/requests?from=yesterday', 'querystring/from'],
    ['/api/admin/tracking/requests?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'querystring/from'],
    ['/api/admin/tracking/requests?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'querystring/from'],
    ['/api/admin/tracking/requests?status=700', 'querystring/status'],
    ['/api/admin/tracking/requests?statusClass=6xx', 'querystring/statusClass'],
    ['/api/admin/tracking/requests?limit=0', 'querystring/limit'],
    ['/api/admin/tracking/requests?limit=5000', 'querystring/limit'],
    ['/api/admin/tracking/requests?cursor=bm90LWEtY3Vyc29y', 'querystring/cursor'],
    ['/api/admin/tracking/requests?method=G%20ET', 'querystring/method'],
    ['/api/admin/tracking/requests?unknown=1', 'querystring/unknown'],
    ['/api/admin/tracking/requests/not-a-uuid', 'params/id'],
    ['/api/admin/tracking/stats?bucket=1m&from=2026-01-01T00:00:00Z&to=2026-01-10T00:00:00Z', 'querystring/bucket'],
    ['/api/admin/tracking/stats?bucket=2m', 'querystring/bucket'],
    ['/api/admin/tracking/stats?page=0', 'querystring/page'],
    ['/api/admin/tracking/stats?pageSize=1000', 'querystring/pageSize'],
    ['/api/admin/tracking/keywords?sort=random', 'querystring/sort'],
    ['/api/admin/tracking/audit?entityId=abc', 'querystring/entityType'],
    ['/api/admin/tracking/audit?entityType=Mentor%3B%20drop', 'querystring/entityType'],
    ['/api/admin/tracking/errors/..%2F..', 'params/fingerprint'],
    ['/api/admin/tracking/slow-queries?sort=slowest', 'querystring/sort'],
  ]
  for (const [url, field] of cases) {
    const res = await app.inject({ url, headers: admin() })
    t.equal(res.statusCode, 400, url)
    t.equal(res.json().error.code, 'VALIDATION_FAILED', url)
    t.ok(res.json().error.details.some((d: { field: string }) => d.field.startsWith(field)), `${url} names ${field}: ${JSON.stringify(res.json().error.details)}`)
  }
  const trending = await app.inject({ url: '/api/tracking/keywords/trending?limit=500' })
  t.equal(trending.statusCode, 400, 'public route validates too')
})

t.test('unknown ids: 404 JSON', async (t) => {
  const missing = await app.inject({ url: `/api/admin/tracking/requests/${timeId(Date.now(), 'nothing')}`, headers: admin() })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'REQUEST_NOT_FOUND')
  const v4 = await app.inject({ url: `/api/admin/tracking/requests/${randomUUID()}`, headers: admin() })
  t.equal(v4.statusCode, 404, 'an id that carries no time is simply not found')
  const err = await app.inject({ url: '/api/admin/tracking/errors/0123456789abcdef', headers: admin() })
  t.equal(err.statusCode, 404)
  t.equal(err.json().error.code, 'ERROR_NOT_FOUND')
})

t.test('empty windows answer empty pages, with the window they covered', async (t) => {
  const from = '2000-01-01T00:00:00.000Z'
  const to = '2000-01-02T00:00:00.000Z'
  for (const path of ['stats', 'keywords', 'keywords/zero-results', 'errors', 'slow-queries']) {
    const res = await app.inject({ url: `/api/admin/tracking/${path}?from=${from}&to=${to}&page=3`, headers: admin() })
    t.equal(res.statusCode, 200, path)
    t.match(res.json(), { items: [], total: 0, page: 3, from, to }, path)
  }
  for (const path of ['requests', 'audit']) {
    const res = await app.inject({ url: `/api/admin/tracking/${path}?from=${from}&to=${to}`, headers: admin() })
    t.same(res.json(), { items: [], nextCursor: null }, path)
  }
})

t.test('the routes are in the OpenAPI document, admin ones with their schemas', async (t) => {
  const doc = (await app.inject({ url: '/openapi.json' })).json()
  for (const p of ['/api/admin/tracking/requests', '/api/admin/tracking/requests/{id}', '/api/admin/tracking/stats', '/api/admin/tracking/keywords', '/api/admin/tracking/keywords/zero-results', '/api/admin/tracking/audit', '/api/admin/tracking/errors', '/api/admin/tracking/errors/{fingerprint}', '/api/admin/tracking/slow-queries', '/api/tracking/keywords/trending']) {
    t.ok(doc.paths[p]?.get, `${p} documented`)
  }
  t.notOk(doc.paths['/api/tracking/test/fail'], 'test routes are absent unless TRACKING_TEST_ROUTES')
})

t.test('config: test routes are refused in production, retention must be positive', async (t) => {
  t.throws(() => loadConfig(definition.configSchema, testEnv({ TRACKING_RETENTION_DAYS: '0' }), definition.configDefaults), ConfigError)
  t.throws(() => loadConfig(definition.configSchema, testEnv({ TRACKING_DURABLE_PREFIX: 'a.b' }), definition.configDefaults), ConfigError)
  const { buildService } = await import('@sunbae/service-kit')
  const config = loadConfig(definition.configSchema, testEnv({ NODE_ENV: 'production', TRACKING_TEST_ROUTES: 'true', IDENTITY_KEY: identityKey(TEST_IDENTITY_SECRET, 'tracking') }), definition.configDefaults)
  await t.rejects(buildService(definition, config), /TRACKING_TEST_ROUTES=true is refused/)
})
