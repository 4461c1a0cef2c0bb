import t from 'tap'
import type { Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { rawRequest, startUpstream, type RawResponse } from '@sunbae/testing'
import { buildGateway, routesTo } from './fixtures/helpers.ts'

// Black box: the gateway listening on a real port, sent bytes no HTTP client would send. Every refusal
// is in the platform's error shape, with a request id and the API's security headers.
t.test('the gateway answers malformed requests in the platform shape with its security headers', async (t) => {
  let reached = 0
  const up = await startUpstream((_req, res) => {
    reached++
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const { port } = app.server.address() as AddressInfo
  const request = (line: string | Buffer, headers = '') =>
    rawRequest(port, Buffer.concat([Buffer.from(line), Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`)]))

  const check = (t: Test, res: RawResponse, status: number, code: string) => {
    t.equal(res.status, status)
    const body = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string } }
    t.equal(body.error.code, code)
    t.ok(body.error.requestId)
    t.equal(res.headers['x-request-id'], body.error.requestId)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.match(res.headers['content-security-policy'], /default-src 'none'/)
    t.equal(res.headers['x-frame-options'], 'DENY')
    t.notMatch(res.body, /FST_|statusCode|Client Error/, "none of Fastify's or Node's own wording")
    return body.error
  }

  t.test('%ZZ in the path', async (t) => {
    check(t, await request('GET /api/mentors/%ZZ'), 400, 'BAD_URL')
  })
  t.test('a lone surrogate in the path', async (t) => {
    check(t, await request('GET /api/mentors/%ED%A0%80'), 400, 'BAD_URL')
  })
  t.test("raw Korean in the query (the README's old curl example) says to percent-encode", async (t) => {
    const error = check(t, await request(Buffer.concat([Buffer.from('GET /api/mentors?q='), Buffer.from('면접')])), 400, 'BAD_URL')
    t.match(error.message, /percent-encoded/)
    t.match(error.message, /--data-urlencode/)
  })
  t.test('a NUL in a header', async (t) => {
    check(t, await request('GET /api/mentors', 'X-A: a\0b\r\n'), 400, 'BAD_REQUEST')
  })
  t.test('Content-Length with Transfer-Encoding (request smuggling)', async (t) => {
    check(t, await rawRequest(port, 'POST /api/mentors HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 400, 'BAD_REQUEST')
  })
  t.test('oversized headers', async (t) => {
    check(t, await request('GET /api/mentors', `Cookie: ${'a'.repeat(20_000)}\r\n`), 431, 'HEADERS_TOO_LARGE')
  })
  t.test('nothing of it reached a service, and a good request still passes', async (t) => {
    t.equal(reached, 0)
    const res = await request('GET /api/mentors?q=%EB%A9%B4%EC%A0%91')
    t.equal(res.status, 200)
    t.equal(reached, 1)
  })
})
