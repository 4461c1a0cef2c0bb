import t from 'tap'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { startUpstream, readBody } from '@sunbae/testing'
import { createBareProxy } from '../bare-proxy.ts'
import { createStockProxy } from '../stock-proxy.ts'
import { createUpstream, UPSTREAM_BODY } from '../upstream.ts'

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('the bench upstream answers its JSON body', async (t) => {
  const server = createUpstream()
  const url = await listen(server)
  t.teardown(() => void server.close())
  const res = await fetch(`${url}/api/bench/x`)
  t.equal(res.status, 200)
  t.equal(await res.text(), UPSTREAM_BODY)
})

t.test('the bare proxy forwards method, path, headers and body, and passes the status back', async (t) => {
  const seen: { method?: string; url?: string; header?: string; body?: string }[] = []
  const upstream = await startUpstream(async (req, res) => {
    seen.push({ method: req.method, url: req.url, header: req.headers['x-test'] as string, body: await readBody(req) })
    res.writeHead(201, { 'content-type': 'application/json', 'x-up': 'yes' })
    res.end('{"made":true}')
  })
  const proxy = createBareProxy(upstream.url)
  const url = await listen(proxy)
  t.teardown(async () => {
    proxy.closeAllConnections()
    proxy.close()
    await upstream.close()
  })
  const res = await fetch(`${url}/api/things?q=1`, { method: 'POST', headers: { 'x-test': 'hello', 'content-type': 'application/json' }, body: '{"a":1}' })
  t.equal(res.status, 201)
  t.equal(res.headers.get('x-up'), 'yes')
  t.same(await res.json(), { made: true })
  t.same(seen, [{ method: 'POST', url: '/api/things?q=1', header: 'hello', body: '{"a":1}' }])
})

t.test('the bare proxy answers 502 when the upstream is down', async (t) => {
  const upstream = await startUpstream(() => {})
  const dead = upstream.url
  await upstream.close()
  const proxy = createBareProxy(dead)
  const url = await listen(proxy)
  t.teardown(() => {
    proxy.closeAllConnections()
    proxy.close()
  })
  const res = await fetch(`${url}/x`)
  t.equal(res.status, 502)
})

t.test('the stock @fastify/http-proxy reference forwards /api/bench and nothing else', async (t) => {
  const seen: { url?: string; header?: string }[] = []
  const upstream = await startUpstream(async (req, res) => {
    seen.push({ url: req.url, header: req.headers['x-test'] as string })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(UPSTREAM_BODY)
  })
  const proxy = await createStockProxy(upstream.url)
  const url = await proxy.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    await proxy.close()
    await upstream.close()
  })
  const res = await fetch(`${url}/api/bench/item?q=1`, { headers: { 'x-test': 'hello' } })
  t.equal(res.status, 200)
  t.equal(await res.text(), UPSTREAM_BODY)
  t.same(seen, [{ url: '/api/bench/item?q=1', header: 'hello' }])
  t.equal((await fetch(`${url}/api/other`)).status, 404, 'only the bench prefix is proxied')
})
