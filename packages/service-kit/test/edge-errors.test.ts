import t from 'tap'
import type { Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { Type } from 'typebox'
import { rawRequest, type RawResponse } from '@sunbae/testing'
import { classifyClientError, ENCODE_THE_URL } from '../src/edge-errors.ts'
import { buildFixture } from './helpers.ts'

/** The platform's error shape, its request id echoed in x-request-id, and nothing of Fastify's own. */
function inShape(t: Test, res: RawResponse, status: number, code: string) {
  t.equal(res.status, status, `status ${status}`)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string }; statusCode?: unknown }
  t.equal(body.error.code, code)
  t.type(body.error.message, 'string')
  t.ok(body.error.requestId, 'a request id')
  t.equal(res.headers['x-request-id'], body.error.requestId, 'the same id in the header')
  t.notOk('statusCode' in body, "not Fastify's default body")
  return body
}

t.test('errors before routing and from the HTTP parser answer in the platform shape', async (t) => {
  const app = await buildFixture(async (app) => {
    app.get('/things/:id', { schema: { params: Type.Object({ id: Type.String() }), response: { 200: Type.Object({ id: Type.String() }) } } }, async (request) => ({ id: (request.params as { id: string }).id }))
  })
  Object.assign(app.responseHeaders, { 'x-content-type-options': 'nosniff' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  const get = (target: string | Buffer, extra = '') =>
    rawRequest(port, Buffer.concat([Buffer.from('GET '), Buffer.from(target), Buffer.from(` HTTP/1.1\r\nHost: x\r\n${extra}\r\n`)]))

  t.test('a well-formed request still works', async (t) => {
    const res = await get('/things/%ED%95%9C')
    t.equal(res.status, 200)
    t.same(JSON.parse(res.body), { id: '한' })
  })

  t.test('%ZZ in the path: 400 BAD_URL telling how to encode', async (t) => {
    const res = await get('/things/%ZZ')
    const body = inShape(t, res, 400, 'BAD_URL')
    t.equal(body.error.message, ENCODE_THE_URL)
    t.equal(res.headers['x-content-type-options'], 'nosniff', 'the headers every response carries')
  })

  t.test('a lone surrogate in the path: 400 BAD_URL', async (t) => {
    inShape(t, await get('/things/%ED%A0%80'), 400, 'BAD_URL')
  })

  t.test('a path parameter past maxParamLength: 414 URI_TOO_LONG', async (t) => {
    inShape(t, await get(`/things/${'a'.repeat(500)}`), 414, 'URI_TOO_LONG')
  })

  t.test('raw (unencoded) Korean in the query: 400 BAD_URL, saying the URL must be percent-encoded', async (t) => {
    const res = await get(Buffer.concat([Buffer.from('/things/1?q='), Buffer.from('면접')]))
    const body = inShape(t, res, 400, 'BAD_URL')
    t.match(body.error.message, /percent-encoded/)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers.connection, 'close')
  })

  t.test('a NUL in a header: 400 BAD_REQUEST', async (t) => {
    const body = inShape(t, await get('/things/1', 'X-A: a\0b\r\n'), 400, 'BAD_REQUEST')
    t.match(body.error.message, /not valid HTTP/)
  })

  t.test('Content-Length with Transfer-Encoding: 400 BAD_REQUEST', async (t) => {
    const res = await rawRequest(port, 'POST /things/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
    const body = inShape(t, res, 400, 'BAD_REQUEST')
    t.match(body.error.message, /Content-Length and Transfer-Encoding/)
  })

  t.test('headers past the limit: 431 HEADERS_TOO_LARGE', async (t) => {
    inShape(t, await get('/things/1', `X-Big: ${'a'.repeat(20_000)}\r\n`), 431, 'HEADERS_TOO_LARGE')
  })

  t.test('the server still serves after every refusal', async (t) => {
    t.equal((await get('/things/ok')).status, 200)
  })
})

t.test('classifyClientError names each parser refusal', async (t) => {
  t.equal(classifyClientError('HPE_HEADER_OVERFLOW').status, 431)
  t.equal(classifyClientError('ERR_HTTP_REQUEST_TIMEOUT').status, 408)
  t.equal(classifyClientError('HPE_INVALID_URL').code, 'BAD_URL')
  t.equal(classifyClientError('HPE_UNEXPECTED_CONTENT_LENGTH').code, 'BAD_REQUEST')
  t.same(classifyClientError('HPE_INVALID_METHOD', 'Invalid method encountered'), {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'The request is not valid HTTP (Invalid method encountered)',
  })
})
