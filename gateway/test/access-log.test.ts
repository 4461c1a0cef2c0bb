import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { Value } from 'typebox/value'
import { connectBus } from '@sunbae/bus'
import { ACCESS_LOG_MESSAGE, AccessLogBatchV1, AccessLogV1, STREAMS, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { authEmulatorMissing, createEmulatorUser, startUpstream, waitFor } from '@sunbae/testing'
import { bearer, buildGateway, routesTo } from './fixtures/helpers.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

/** Collects access-log events from NATS (the gateway's batch messages), by request id. */
async function listen(t: { teardown(fn: () => unknown): void }) {
  const bus = await connectBus({ servers: NATS_URL, name: 'gateway-access-log-test' })
  const events = new Map<string, AccessLogV1>()
  const messages: { id: string | undefined; batch: unknown }[] = []
  const sub = bus.nc.subscribe(TELEMETRY_SUBJECTS.accessLogBatch)
  void (async () => {
    for await (const m of sub) {
      const batch = m.json<AccessLogBatchV1>()
      messages.push({ id: m.headers?.get('Nats-Msg-Id'), batch })
      for (const e of batch.events ?? []) events.set(e.requestId, e)
    }
  })()
  await bus.nc.flush()
  t.teardown(() => bus.drain())
  return { bus, events, messages, wait: (requestId: string) => waitFor(() => events.get(requestId), 5_000) }
}

t.test('one access-log event per request arrives on NATS, scrubbed', async (t) => {
  const { bus, wait, messages } = await listen(t)
  const up = await startUpstream((req, res) => {
    req.resume()
    if (req.url?.startsWith('/api/meetings/bookings')) {
      res.statusCode = 409
      res.setHeader('content-type', 'application/json')
      return res.end('{"error":{"code":"SLOT_TAKEN","message":"taken","requestId":"x"}}')
    }
    res.end('ok')
  })
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url) })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })

  const info = await bus.jsm.streams.info(STREAMS.telemetry.name)
  t.ok(info.config.subjects.includes('telemetry.>'), 'the TELEMETRY stream exists and keeps telemetry.access')

  const requestId = `al-${randomUUID()}`
  const body = { email: 'kim@example.test', password: 'hunter2', profile: { cardNumber: '4111 1111 1111 1111', nickname: 'kim' } }
  const res = await app.inject({
    method: 'POST',
    url: '/api/payments/webhooks/toss?event=paid&token=abc',
    headers: { 'x-request-id': requestId, 'user-agent': 'access-log-test/1.0', 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  })
  t.equal(res.statusCode, 200)

  const event = await wait(requestId)
  t.ok(Value.Check(AccessLogV1, event), 'the event matches AccessLogV1')
  t.same(JSON.parse(event.body!), { email: 'kim@example.test', password: '[REDACTED]', profile: { cardNumber: '[REDACTED]', nickname: 'kim' } }, 'password scrubbed, the rest kept')
  t.notMatch(JSON.stringify(event), /hunter2|4111|abc/, 'no secret anywhere in the event')
  t.match(event, {
    requestId,
    user: null,
    path: '/api/payments/webhooks/toss',
    route: '/api/payments',
    method: 'POST',
    remoteAddr: '127.0.0.1',
    queryParams: { event: 'paid', token: '[REDACTED]' },
    status: 200,
    errors: null,
    userAgent: 'access-log-test/1.0',
    responseBody: null,
  })
  t.ok(Math.abs(Date.parse(event.requestedAt) - Date.now()) < 10_000, 'requestedAt is now')
  t.ok(event.responseMs >= 0 && event.responseMs < 5_000, 'responseMs is measured')

  const denied = `al-${randomUUID()}`
  await app.inject({ url: '/api/me', headers: { 'x-request-id': denied } })
  t.match(await wait(denied), { status: 401, errors: 'UNAUTHENTICATED', route: '/api/me', user: null }, 'the gateway’s own error code')

  const tracedId = `al-${randomUUID()}`
  await app.inject({
    url: '/api/mentors',
    headers: { 'x-request-id': tracedId, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  })
  t.equal((await wait(tracedId)).traceId, '0af7651916cd43dd8448eb211c80319c', 'trace id recorded')

  t.ok(
    messages.every((m) => Value.Check(AccessLogBatchV1, m.batch) && typeof m.id === 'string' && m.id.length > 0),
    'every message is an AccessLogBatchV1 with a Nats-Msg-Id',
  )
  t.equal(new Set(messages.map((m) => m.id)).size, messages.length, 'message ids are unique')

  const metrics = await app.inject({ url: '/metrics' })
  t.match(metrics.body, /gateway_access_log_published_total \d+/)
  t.match(metrics.body, /gateway_request_duration_seconds_bucket\{le="0.005",route="\/api\/payments"\}/)
})

t.test('the access log records the signed-in user and the service’s error code', { skip: authEmulatorMissing() }, async (t) => {
  const { wait } = await listen(t)
  const up = await startUpstream((_req, res) => {
    res.statusCode = 409
    res.setHeader('content-type', 'application/json')
    res.end('{"error":{"code":"SLOT_TAKEN","message":"taken","requestId":"x"}}')
  })
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url) })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const user = await createEmulatorUser()
  const requestId = `al-${randomUUID()}`
  const res = await app.inject({ method: 'POST', url: '/api/meetings/bookings', headers: { 'x-request-id': requestId, ...bearer(user.idToken) }, payload: { slot: 's1' } })
  t.equal(res.statusCode, 409)
  t.equal(res.json().error.code, 'SLOT_TAKEN', 'the client still gets the service’s body')
  const event = await wait(requestId)
  t.match(event, { user: user.uid, status: 409, errors: 'SLOT_TAKEN', body: '{"slot":"s1"}' })
  t.same(JSON.parse(event.responseBody!), { error: { code: 'SLOT_TAKEN', message: 'taken', requestId: 'x' } }, 'the error body is kept for errors')
})

t.test('records of one flush travel together: one NATS message for many requests', async (t) => {
  const { wait, messages } = await listen(t)
  const up = await startUpstream((_req, res) => res.end('ok'))
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url), ACCESS_LOG_FLUSH_MS: '600000' })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const ids = Array.from({ length: 30 }, () => `al-${randomUUID()}`)
  for (const id of ids) await app.inject({ url: '/api/mentors', headers: { 'x-request-id': id } })
  app.accessLog.flush()
  for (const id of ids) await wait(id)
  const ours = messages.filter((m) => (m.batch as AccessLogBatchV1).events.some((e) => ids.includes(e.requestId)))
  t.equal(ours.length, 1, 'one message')
  t.same((ours[0]!.batch as AccessLogBatchV1).events.map((e) => e.requestId), ids, 'in request order')
})

t.test('a flush is split into messages of at most ACCESS_LOG_MESSAGE.maxChars characters, nothing lost', async (t) => {
  const { wait, messages } = await listen(t)
  const up = await startUpstream((_req, res) => res.end('ok'))
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url), ACCESS_LOG_FLUSH_MS: '600000' })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  // ≈ 1.5 K characters a record (a long Korean query string): 120 records need several messages
  const q = encodeURIComponent('파이썬 면접 '.repeat(60))
  const ids = Array.from({ length: 120 }, () => `split-${randomUUID()}`)
  for (const id of ids) await app.inject({ url: `/api/mentors?q=${q}`, headers: { 'x-request-id': id } })
  app.accessLog.flush()
  for (const id of ids) await wait(id)
  const ours = messages.filter((m) => (m.batch as AccessLogBatchV1).events.some((e) => ids.includes(e.requestId)))
  t.ok(ours.length >= 3, `split into several messages (${ours.length})`)
  for (const m of ours) {
    const chars = JSON.stringify(m.batch).length
    if (chars > ACCESS_LOG_MESSAGE.maxChars + 64) t.fail(`a message of ${chars} characters`)
  }
  t.same(
    ours.flatMap((m) => (m.batch as AccessLogBatchV1).events.map((e) => e.requestId)),
    ids,
    'every record once, in request order',
  )
  t.equal(new Set(ours.map((m) => m.id)).size, ours.length, 'each message has its own Nats-Msg-Id')
})

t.test('a full buffer drops events and counts them, never failing the request', async (t) => {
  const up = await startUpstream((_req, res) => res.end('ok'))
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url), ACCESS_LOG_BUFFER: '2', ACCESS_LOG_FLUSH_MS: '600000' })
  t.teardown(async () => {
    await app.close()
    await up.close()
  })
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await app.inject({ url: '/api/mentors' })).statusCode)
  t.same(statuses, [200, 200, 200, 200, 200])
  const metrics = (await app.inject({ url: '/metrics' })).body
  t.match(metrics, /gateway_access_log_dropped_total\{reason="buffer_full"\} 3/)
  t.match(metrics, /gateway_access_log_buffered 2/)
})

t.test('closing the gateway flushes what is buffered', async (t) => {
  const { wait } = await listen(t)
  const up = await startUpstream((_req, res) => res.end('ok'))
  t.teardown(() => up.close())
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url), ACCESS_LOG_FLUSH_MS: '600000' })
  const requestId = `al-${randomUUID()}`
  await app.inject({ url: '/api/mentors', headers: { 'x-request-id': requestId } })
  await app.close()
  t.equal((await wait(requestId)).status, 200)
})

const natsBinary = findNatsServer()

t.test('with NATS restarted (same port, same store), every record reaches the TELEMETRY stream exactly once and is counted only when confirmed', { skip: natsBinary ? false : 'no nats-server binary here' }, async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'gateway-access-log-nats-'))
  const dir = path.join(parent, 'store')
  let nats: PrivateNats = await startPrivateNats(natsBinary!, dir, { keepStore: true })
  const port = nats.port
  t.teardown(() => {
    nats.kill()
    rmSync(parent, { recursive: true, force: true })
  })
  const up = await startUpstream((_req, res) => res.end('ok'))
  t.teardown(() => up.close())

  const metric = async (app: FastifyInstance, re: RegExp) => Number(re.exec((await app.inject({ url: '/metrics' })).body)?.[1] ?? 0)
  const published = (app: FastifyInstance) => metric(app, /^gateway_access_log_published_total (\d+)/m)
  const buffered = (app: FastifyInstance) => metric(app, /^gateway_access_log_buffered (\d+)/m)
  const dropped = (app: FastifyInstance, reason: string) => metric(app, new RegExp(`^gateway_access_log_dropped_total\\{reason="${reason}"\\} (\\d+)`, 'm'))
  const requests = async (t: Test, app: FastifyInstance, n: number, tag: string) => {
    const ids = Array.from({ length: n }, () => `${tag}-${randomUUID()}`)
    for (const id of ids) t.equal((await app.inject({ url: '/api/mentors', headers: { 'x-request-id': id } })).statusCode, 200)
    return ids
  }
  /** stops NATS once the gateway's connection has seen it go */
  const stopNats = async (app: FastifyInstance) => {
    const gone = (async () => {
      for await (const s of app.bus.nc.status()) if (s.type === 'disconnect') return
    })()
    await nats.stop()
    await gone
  }
  /** request ids of every record in the TELEMETRY stream, read from the (restarted) server */
  const stored = async () => {
    const reader = await connectBus({ servers: nats.url, name: 'gateway-access-log-reader' })
    try {
      const info = await reader.jsm.streams.info(STREAMS.telemetry.name)
      const ids: string[] = []
      for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
        const m = await reader.jsm.streams.getMessage(STREAMS.telemetry.name, { seq })
        if (m?.subject === TELEMETRY_SUBJECTS.accessLogBatch) ids.push(...m.json<AccessLogBatchV1>().events.map((e) => e.requestId))
      }
      return ids
    } finally {
      await reader.close()
    }
  }

  t.test('requests while NATS is down are kept, not counted published, and arrive once after the restart', async (t) => {
    const app = await buildGateway({ NATS_URL: nats.url, GATEWAY_ROUTES: routesTo(up.url) })
    t.teardown(() => app.close())
    const before = await requests(t, app, 5, 'up')
    await waitFor(async () => (await published(app)) === 5, 5_000)

    await stopNats(app)
    const during = await requests(t, app, 12, 'down')
    await new Promise((r) => setTimeout(r, 300)) // several flushes of 20 ms: the batches are sent, nothing confirms them
    t.equal(await published(app), 5, 'records sent while NATS is down are not counted published')
    t.equal(await buffered(app), 12, 'they wait in the buffer, for their ack')
    t.equal(await dropped(app, 'buffer_full'), 0, 'nothing dropped')

    nats = await startPrivateNats(natsBinary!, dir, { keepStore: true, port })
    await waitFor(async () => (await published(app)) === 17, 15_000)
    t.equal(await buffered(app), 0)
    const ids = await stored()
    for (const id of [...before, ...during]) if (ids.filter((x) => x === id).length !== 1) t.fail(`${id} stored ${ids.filter((x) => x === id).length} times`)
    t.equal(ids.length, 17, 'every record in the TELEMETRY stream exactly once')
    t.notMatch((await app.inject({ url: '/metrics' })).body, /gateway_access_log_dropped_total\{reason="[a-z_]+"\} [1-9]/, 'no drop of any kind')
  })

  t.test('with NATS down, records are dropped only when the buffer (queued + unconfirmed) is full', async (t) => {
    const app = await buildGateway({ NATS_URL: nats.url, GATEWAY_ROUTES: routesTo(up.url), ACCESS_LOG_BUFFER: '4' })
    t.teardown(() => app.close())
    await stopNats(app)
    await requests(t, app, 3, 'full')
    await new Promise((r) => setTimeout(r, 100)) // flushed: the three now wait for an ack
    await requests(t, app, 3, 'full')
    t.equal(await buffered(app), 4, 'the capacity bounds queued and unconfirmed records together')
    t.equal(await dropped(app, 'buffer_full'), 2)
    t.equal(await published(app), 0)
    nats = await startPrivateNats(natsBinary!, dir, { keepStore: true, port })
    await waitFor(async () => (await published(app)) === 4, 15_000)
    t.equal(await dropped(app, 'buffer_full'), 2, 'the kept ones arrive, the dropped ones stay counted')
  })
})
