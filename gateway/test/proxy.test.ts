import t from 'tap'
import type { IncomingHttpHeaders } from 'node:http'
import { deadUpstreamUrl, readBody, startUpstream } from '@sunbae/testing'
import { buildGateway, routesTo } from './fixtures/helpers.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'

const natsBinary = findNatsServer()
const SLOW_UPSTREAM_MS = 10_000

t.test('proxying to a real upstream', async (t) => {
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = []
  const up = await startUpstream(async (req, res) => {
    const body = await readBody(req)
    seen.push({ method: req.method, url: req.url, headers: req.headers, body })
    if (req.url?.startsWith('/api/mentors/slow')) {
      // far slower than UPSTREAM_TIMEOUT_MS (300 ms): it answers only if the gateway is still waiting
      // after 10 s (it never is: the gateway gives up and closes the request, which ends the wait)
      await new Promise<void>((r) => {
        const timer = setTimeout(r, SLOW_UPSTREAM_MS)
        res.once('close', () => {
          clearTimeout(timer)
          r()
        })
      })
      if (res.destroyed) return
    }
    if (req.url?.startsWith('/api/mentors/conflict')) {
      res.statusCode = 409
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify({ error: { code: 'SLOT_TAKEN', message: 'taken', requestId: 'x' } }))
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true }))
  })
  const app = await buildGateway({
    GATEWAY_ROUTES: routesTo(up.url),
    UPSTREAM_TIMEOUT_MS: '300',
    TRUST_PROXY: 'loopback',
    CORS_ORIGINS: 'http://localhost:5173, https://sunbae.example',
  })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const last = () => seen[seen.length - 1]!

  t.test('the full path goes upstream unchanged, query included', async (t) => {
    const res = await app.inject({ url: '/api/mentors/m1/reviews?page=2&q=%ED%8C%8C%EC%9D%B4%EC%8D%AC' })
    t.equal(res.statusCode, 200)
    t.equal(last().url, '/api/mentors/m1/reviews?page=2&q=%ED%8C%8C%EC%9D%B4%EC%8D%AC')
  })

  t.test('request bodies reach the service byte for byte', async (t) => {
    const json = '{ "amount": 12345678901234567890, "note": "한글"  }'
    const res = await app.inject({ method: 'POST', url: '/api/payments/webhooks/toss', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: json })
    t.equal(res.statusCode, 200)
    t.equal(last().body, json, 'JSON is not re-serialized (big numbers, spacing survive)')
    t.equal(last().headers['content-type'], 'application/json; charset=utf-8')
    const binary = Buffer.from([0, 1, 2, 255])
    await app.inject({ method: 'POST', url: '/api/payments/webhooks/raw', headers: { 'content-type': 'application/octet-stream' }, payload: binary })
    t.equal(Buffer.from(last().body, 'utf8').length > 0, true, 'other types are streamed through')
  })

  t.test('X-Forwarded-* from a trusted proxy are honoured, x-request-id is echoed', async (t) => {
    const res = await app.inject({
      url: '/api/mentors',
      headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.sunbae.example', 'x-request-id': 'client-req-42' },
    })
    t.equal(res.headers['x-request-id'], 'client-req-42')
    t.equal(last().headers['x-request-id'], 'client-req-42')
    // inject comes from loopback, trusted here; 198.51.100.7 is the first untrusted hop, so it is the
    // client and whatever it claimed before it (6.6.6.6) is dropped
    t.equal(last().headers['x-forwarded-for'], '198.51.100.7, 127.0.0.1')
    t.equal(last().headers['x-forwarded-proto'], 'https')
    t.equal(last().headers['x-forwarded-host'], 'api.sunbae.example')
    const bad = await app.inject({ url: '/api/mentors', headers: { 'x-request-id': 'bad id with spaces' } })
    t.not(bad.headers['x-request-id'], 'bad id with spaces', 'a malformed request id is replaced')
  })

  t.test('security headers and JSON 404', async (t) => {
    const res = await app.inject({ url: '/api/nothing-here' })
    t.equal(res.statusCode, 404)
    t.equal(res.json().error.code, 'NOT_FOUND')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers['x-frame-options'], 'DENY')
    t.match(res.headers['strict-transport-security'], /max-age=/)
    t.equal(res.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'")
    t.equal(res.headers['cross-origin-resource-policy'], 'same-site')
    for (const name of ['x-xss-protection', 'x-dns-prefetch-control', 'origin-agent-cluster', 'cross-origin-opener-policy', 'x-powered-by']) {
      t.notOk(res.headers[name], `no ${name}: a document-only header, not sent with JSON`)
    }
    const proxied = await app.inject({ url: '/api/mentors' })
    t.equal(proxied.headers['x-content-type-options'], 'nosniff', 'on proxied responses too')
    t.notOk(proxied.headers['keep-alive'], 'upstream hop-by-hop headers are not passed on')
  })

  t.test('CORS preflight from an allowed origin', async (t) => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/me',
      headers: { origin: 'https://sunbae.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' },
    })
    t.equal(res.statusCode, 204)
    t.equal(res.headers['access-control-allow-origin'], 'https://sunbae.example')
    t.match(String(res.headers['access-control-allow-methods']), /PUT/)
    t.match(String(res.headers['access-control-allow-headers']), /authorization/)
    t.equal(res.headers['access-control-max-age'], '600')

    const other = await app.inject({
      method: 'OPTIONS',
      url: '/api/me',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    })
    t.notOk(other.headers['access-control-allow-origin'], 'another origin gets no CORS grant')

    const actual = await app.inject({ url: '/api/mentors', headers: { origin: 'http://localhost:5173' } })
    t.equal(actual.headers['access-control-allow-origin'], 'http://localhost:5173')
    t.match(String(actual.headers['access-control-expose-headers']), /x-request-id/)
  })

  t.test('upstream slower than UPSTREAM_TIMEOUT_MS: 504 JSON', async (t) => {
    const started = Date.now()
    const res = await app.inject({ url: '/api/mentors/slow' })
    t.equal(res.statusCode, 504)
    t.equal(res.json().error.code, 'UPSTREAM_TIMEOUT')
    t.notMatch(res.body, /undici|UND_ERR|127\.0\.0\.1/, 'no internals')
    // the point is the gateway's own bound, not a stopwatch: well before the upstream's answer (on a
    // loaded CI machine the 300 ms timer itself fired over a second late)
    t.ok(Date.now() - started < SLOW_UPSTREAM_MS / 2, `answered after ${Date.now() - started} ms, long before the upstream would have`)
  })

  t.test('an upstream error passes through with its status and body', async (t) => {
    const res = await app.inject({ url: '/api/mentors/conflict' })
    t.equal(res.statusCode, 409)
    t.equal(res.json().error.code, 'SLOT_TAKEN')
  })
})

t.test('response bodies come through byte for byte, whatever their size, with or without a Content-Length', async (t) => {
  // deterministic bytes, Korean included, so a re-encoding or a lost chunk shows
  const bodyOf = (size: number) => Buffer.from('선배 mentoring '.repeat(Math.ceil(size / 10) + 1)).subarray(0, size)
  const up = await startUpstream((req, res) => {
    const url = new URL(req.url!, 'http://x')
    const body = bodyOf(Number(url.searchParams.get('size')))
    res.setHeader('content-type', 'application/octet-stream')
    if (url.pathname.endsWith('/chunked')) {
      // no Content-Length: written in pieces, the gateway cannot know the size up front
      for (let i = 0; i < body.length; i += 4096) res.write(body.subarray(i, i + 4096))
      return res.end()
    }
    res.setHeader('content-length', body.length)
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url) })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  for (const [path, size] of [
    ['/api/mentors/sized', 0],
    ['/api/mentors/sized', 12_000],
    ['/api/mentors/sized', 64 * 1024],
    ['/api/mentors/sized', 64 * 1024 + 1],
    ['/api/mentors/sized', 1_000_000],
    ['/api/mentors/chunked', 100_000],
  ] as const) {
    const res = await app.inject({ url: `${path}?size=${size}` })
    t.equal(res.statusCode, 200, `${path} ${size}: 200`)
    t.ok(res.rawPayload.equals(bodyOf(size)), `${path} ${size}: the same ${size} bytes`)
    if (path.endsWith('/sized')) t.equal(res.headers['content-length'], String(size), `${path} ${size}: its Content-Length`)
  }
  const head = await app.inject({ method: 'HEAD', url: '/api/mentors/sized?size=12000' })
  t.equal(head.statusCode, 200)
  t.equal(head.headers['content-length'], '12000', 'HEAD keeps the Content-Length of the body it does not carry')
  t.equal(head.rawPayload.length, 0, 'and has no body')
})

t.test('upstream down: 503 JSON', async (t) => {
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(await deadUpstreamUrl()) })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/api/mentors' })
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /application\/json/)
  t.equal(res.json().error.code, 'UPSTREAM_UNAVAILABLE')
  t.ok(res.json().error.requestId)
  t.notMatch(res.body, /ECONNREFUSED|127\.0\.0\.1/, 'no internals')
})

t.test('per-IP rate limit: 429 JSON with Retry-After, before any auth work', async (t) => {
  const up = await startUpstream((_req, res) => res.end('ok'))
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url), RATE_LIMIT_IP_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const responses = []
  for (let i = 0; i < 4; i++) responses.push(await app.inject({ url: '/api/mentors' }))
  t.same(responses.map((r) => r.statusCode), [200, 200, 200, 429])
  t.notOk(responses[0]!.headers['x-ratelimit-remaining'], 'no rate-limit headers on every response (bytes on the hot path)')
  const res = await app.inject({ url: '/api/me', headers: { authorization: 'Bearer whatever' } })
  t.equal(res.statusCode, 429, 'limited before the token is even looked at')
  t.same(Object.keys(res.json().error).sort(), ['code', 'message', 'requestId'])
  t.equal(res.json().error.code, 'RATE_LIMITED')
  const retryAfter = Number(res.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'probes are not limited')
  const other = await app.inject({ url: '/api/mentors', remoteAddress: '198.51.100.20' })
  t.equal(other.statusCode, 200, 'another client address is not affected')
  const metrics = await app.inject({ url: '/metrics' })
  t.match(metrics.body, /gateway_rate_limited_total\{scope="ip"\} 2/)
})

t.test('readiness: NATS reachable and routes loaded', async (t) => {
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo('http://127.0.0.1:1') })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/readyz' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ready', checks: { nats: 'ok', routes: 'ok' } })
})

t.test('readiness without NATS: the gateway stays ready (degraded) and keeps proxying', { skip: natsBinary ? false : 'no nats-server binary here' }, async (t) => {
  const nats = await startPrivateNats(natsBinary!, mkdtempSync(path.join(tmpdir(), 'gateway-readiness-nats-')))
  t.teardown(() => nats.kill())
  const upstream = await startUpstream((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end('{"items":[]}')
  })
  t.teardown(() => upstream.close())
  const app = await buildGateway({ NATS_URL: nats.url, GATEWAY_ROUTES: routesTo(upstream.url) })
  t.teardown(() => app.close())
  await nats.stop()
  const res = await app.inject({ url: '/readyz' })
  t.equal(res.statusCode, 200, 'the ALB and the readiness probe keep the gateway in rotation')
  t.equal(res.json().status, 'degraded')
  t.same(res.json().checks, { nats: 'degraded', routes: 'ok' })
  t.notOk(res.body.includes(String(new URL(nats.url).port)), "the body names neither NATS's address nor its error")
  t.equal((await app.inject({ url: '/api/mentors' })).statusCode, 200, 'requests still pass')
  t.match((await app.inject({ url: '/metrics' })).body, /sunbae_dependency_up\{dependency="nats",critical="false"\} 0/)
})
