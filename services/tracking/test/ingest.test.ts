import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { createEvent } from '@sunbae/bus'
import { STREAMS, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { accessEvent, admin, buildTracking, deleteDurables, publishCore, publishEvent, searchEvent, testBus, uniq } from './helpers.ts'

const bus = await testBus('tracking-ingest-test')
const prefix = `ingest_${uniq()}`
const app = await buildTracking({ TRACKING_DURABLE_PREFIX: prefix, TRACKING_BODY_MAX: '300' })
t.teardown(async () => {
  await app.close()
  await deleteDurables(bus, prefix)
  await bus.close()
})

const get = async (url: string) => {
  const res = await app.inject({ url, headers: admin() })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

t.test('access-log events: stored with the drf-tracking fields, filterable, secrets scrubbed again on ingest', async (t) => {
  const marker = uniq()
  const user = `uid-${marker}`
  const ok = accessEvent({
    requestedAt: new Date(Date.now() - 1_000).toISOString(),
    path: `/api/me/${marker}`,
    route: '/api/me',
    method: 'PUT',
    user,
    // a producer that did NOT scrub (older gateway, another emitter): tracking must
    body: JSON.stringify({ email: 'kim@example.test', password: 'hunter2', nested: { apiKey: 'k-123', card: '4111 1111 1111 1111' }, note: 'pay with 4111111111111111' }),
    queryParams: { token: 'abc', q: 'mentors' },
    responseBody: '{"secret":"should-not-be-kept-for-a-200"}',
  })
  const failed = accessEvent({
    path: `/api/me/${marker}`,
    route: '/api/me',
    status: 502,
    errors: 'UPSTREAM_FAILED',
    user,
    responseBody: JSON.stringify({ error: { code: 'UPSTREAM_FAILED', message: 'x', token: 'leak' } }),
    body: `{"long":"${'x'.repeat(2_000)}"}`,
  })
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [ok, failed])

  const page = await waitFor(async () => {
    const p = await get(`/api/admin/tracking/requests?user=${user}`)
    return p.items.length === 2 ? p : null
  }, 15_000)
  const [second, first] = page.items
  t.equal(first.requestId, ok.requestId, 'newest first')
  t.match(first, {
    user,
    method: 'PUT',
    path: `/api/me/${marker}`,
    route: '/api/me',
    status: 200,
    remoteAddr: '203.0.113.7',
    host: 'api.sunbae.test',
    userAgent: 'tracking-test/1.0',
    traceId: ok.traceId,
    responseMs: 12.5,
    requestedAt: ok.requestedAt,
    queryParams: { token: '[REDACTED]', q: 'mentors' },
    responseBody: null,
    errors: null,
  })
  t.same(JSON.parse(first.body), { email: 'kim@example.test', password: '[REDACTED]', nested: { apiKey: '[REDACTED]', card: '[REDACTED]' }, note: 'pay with [CARD]' })
  t.notMatch(JSON.stringify(page), /hunter2|k-123|4111|"abc"|should-not-be-kept|leak/, 'no secret anywhere')
  t.equal(second.status, 502)
  t.same(JSON.parse(second.responseBody), { error: { code: 'UPSTREAM_FAILED', message: 'x', token: '[REDACTED]' } }, 'error response body kept, scrubbed')
  t.ok(second.body.length <= 300 && second.body.endsWith('…[truncated]'), 'bodies capped at TRACKING_BODY_MAX')

  const one = await get(`/api/admin/tracking/requests/${first.id}`)
  t.equal(one.requestId, ok.requestId)
  t.equal(one.traceId, ok.traceId, 'one request by id, with its trace id')

  t.equal((await get(`/api/admin/tracking/requests?user=${user}&statusClass=5xx`)).items.length, 1, 'status class filter')
  t.equal((await get(`/api/admin/tracking/requests?user=${user}&status=200&method=put`)).items.length, 1, 'status + method filter')
  t.equal((await get(`/api/admin/tracking/requests?path=/api/me/${marker}`)).items.length, 2, 'exact path')
  t.equal((await get(`/api/admin/tracking/requests?path=${encodeURIComponent(`/api/me/${marker.slice(0, 6)}*`)}&user=${user}`)).items.length, 2, 'path prefix')
  t.equal((await get(`/api/admin/tracking/requests?requestId=${failed.requestId}`)).items.length, 1, 'by request id')
  t.equal((await get(`/api/admin/tracking/requests?user=${user}&ip=198.51.100.1`)).items.length, 0, 'ip filter')
  const from = new Date(Date.parse(ok.requestedAt) + 3_600_000).toISOString()
  t.equal((await get(`/api/admin/tracking/requests?user=${user}&from=${from}&to=${new Date(Date.parse(from) + 60_000).toISOString()}`)).items.length, 0, 'time range')
})

t.test('the same message twice is stored once', async (t) => {
  const user = `dup-${uniq()}`
  const e = accessEvent({ user })
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [e, e, e])
  // and a different request that reuses the client-chosen request id is still its own row
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [{ ...e, requestedAt: new Date(Date.parse(e.requestedAt) + 1).toISOString() }])
  await waitFor(async () => (await get(`/api/admin/tracking/requests?user=${user}`)).items.length >= 2, 15_000)
  // let any straggler land
  await new Promise((r) => setTimeout(r, 500))
  const items = (await get(`/api/admin/tracking/requests?user=${user}`)).items
  t.equal(items.length, 2, 'three identical messages: one row; the different request: another')
})

t.test('the gateway\'s batch messages: every record stored once, a redelivered batch adds nothing', async (t) => {
  const user = `batch-${uniq()}`
  const base = Date.now() - 2_000
  const events = Array.from({ length: 25 }, (_, i) => accessEvent({ user, requestedAt: new Date(base + i).toISOString() }))
  const batch = { events }
  // the same bytes twice without a message id (as a redelivery would be), then with one
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLogBatch, [batch, batch])
  await waitFor(async () => (await get(`/api/admin/tracking/requests?user=${user}&limit=100`)).items.length >= 25, 15_000)
  await new Promise((r) => setTimeout(r, 500))
  const items = (await get(`/api/admin/tracking/requests?user=${user}&limit=100`)).items as { requestId: string }[]
  t.equal(items.length, 25, 'one row per record, none twice')
  t.same(new Set(items.map((i) => i.requestId)), new Set(events.map((e) => e.requestId)))

  const bad = { events: [accessEvent({ user }), { nope: true }] }
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLogBatch, [bad])
  const subject = `dlq.${prefix}_access_batch.${TELEMETRY_SUBJECTS.accessLogBatch}`
  const dead = await waitFor(async () => {
    const info = await bus.jsm.streams.info(STREAMS.deadLetter.name, { subjects_filter: subject })
    return (info.state.subjects?.[subject] ?? 0) >= 1 ? info : null
  }, 15_000)
  t.ok(dead, 'a batch with an invalid record goes to the dead letters')
  t.equal((await get(`/api/admin/tracking/requests?user=${user}&limit=100`)).items.length, 25, 'and stores nothing')
})

t.test('cursor pagination walks every row once', async (t) => {
  const user = `page-${uniq()}`
  const base = Date.now() - 10_000
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, Array.from({ length: 7 }, (_, i) => accessEvent({ user, requestedAt: new Date(base + i * 100).toISOString() })))
  await waitFor(async () => (await get(`/api/admin/tracking/requests?user=${user}`)).items.length === 7, 15_000)
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const p: { items: { requestId: string }[]; nextCursor: string | null } = await get(`/api/admin/tracking/requests?user=${user}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
    seen.push(...p.items.map((i) => i.requestId))
    cursor = p.nextCursor
    pages++
  } while (cursor && pages < 10)
  t.equal(pages, 3)
  t.equal(new Set(seen).size, 7, 'all seven, none twice')
})

t.test('stats: count, error rate and latency percentiles per route and bucket', async (t) => {
  const route = `/api/stats-${uniq()}`
  const at = new Date(Date.now() - 60_000).toISOString()
  const events = Array.from({ length: 100 }, (_, i) => accessEvent({ route, path: route, requestedAt: at, responseMs: i + 1, status: i < 10 ? 500 : i < 30 ? 404 : 200 }))
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, events)
  const stats = await waitFor(async () => {
    const s = await get(`/api/admin/tracking/stats?route=${encodeURIComponent(route)}&bucket=1h`)
    return s.items[0]?.count === 100 ? s : null
  }, 15_000)
  t.equal(stats.items.length, 1)
  t.match(stats.items[0], { route, count: 100, serverErrors: 10, clientErrors: 20, errorRate: 0.1 })
  t.equal(stats.items[0].p50Ms, 50.5)
  t.equal(stats.items[0].p95Ms, 95.05)
  t.equal(stats.items[0].p99Ms, 99.01)
  t.equal(stats.total, 1)
})

t.test('searches: top keywords trending against the previous window, and zero-result queries', async (t) => {
  const kw = `kw${uniq()}`
  const rare = `rare${uniq()}`
  const now = Date.now()
  const hour = 3_600_000
  const inWindow = (i: number) => new Date(now - hour + i * 1000).toISOString()
  const before = (i: number) => new Date(now - 2 * hour + 60_000 + i * 1000).toISOString()
  await publishCore(bus, TELEMETRY_SUBJECTS.search, [
    // this hour: kw 6 times (by 2 users), rare once; the hour before: kw twice
    ...Array.from({ length: 6 }, (_, i) => searchEvent({ query: ` ${kw.toUpperCase()}  면접 `, terms: [kw, '면접'], occurredAt: inWindow(i), user: i % 2 ? 'u1' : 'u2' })),
    searchEvent({ query: rare, terms: [rare], occurredAt: inWindow(10), resultCount: 0 }),
    searchEvent({ query: rare, terms: [rare], occurredAt: inWindow(11), resultCount: 0 }),
    ...Array.from({ length: 2 }, (_, i) => searchEvent({ query: kw, terms: [kw], occurredAt: before(i) })),
  ])
  const from = new Date(now - hour).toISOString()
  const to = new Date(now + 60_000).toISOString()
  const q = `from=${from}&to=${to}&pageSize=200`
  const page = await waitFor(async () => {
    const p = await get(`/api/admin/tracking/keywords?${q}`)
    const k = p.items.find((i: { keyword: string }) => i.keyword === kw)
    return k?.count === 6 && k.previousCount === 2 ? p : null
  }, 15_000)
  t.match(page.items.find((i: { keyword: string }) => i.keyword === kw), { count: 6, previousCount: 2, users: 2, searchers: 2, hidden: false, growth: 2, trend: 'up' })
  t.match(page.items.find((i: { keyword: string }) => i.keyword === rare), { count: 2, previousCount: 0, growth: null, trend: 'new' })
  t.ok(page.previousFrom < page.from, 'the previous window is reported')

  const zero = await get(`/api/admin/tracking/keywords/zero-results?${q}`)
  t.match(zero.items.find((i: { query: string }) => i.query === rare), { count: 2 })
  t.notOk(zero.items.find((i: { query: string }) => i.query.includes(kw)), 'searches with results are not in the zero list')

  const trending = await app.inject({ url: '/api/tracking/keywords/trending?limit=20' })
  t.equal(trending.statusCode, 200, 'public trending needs no identity')
  // the floor (test/trending.test.ts has the rules): 2 searchers are too few
  t.notOk(trending.json().items.some((i: { keyword: string }) => i.keyword === kw), 'searched by 2 users: not trending')
})

t.test('domain events: the audit trail of one entity and of one actor', async (t) => {
  const mentorId = randomUUID()
  const adminUid = `admin-${uniq()}`
  const approved = createEvent({
    type: 'catalog.mentor.approved',
    version: 1,
    source: 'mentor-catalog',
    actor: { type: 'user', id: adminUid, role: 'admin' },
    subject: { type: 'mentor', id: mentorId },
    data: { id: mentorId, displayName: 'Kim', hourlyRate: 50_000 },
  })
  const suspended = createEvent({
    type: 'catalog.mentor.suspended',
    version: 1,
    source: 'mentor-catalog',
    actor: { type: 'user', id: adminUid, role: 'admin' },
    subject: { type: 'mentor', id: mentorId },
    data: { id: mentorId, reason: 'spam' },
  })
  // a 1:1 chat request event without a subject: the entity comes from the per-type rule
  const requestId = randomUUID()
  const chatRequest = createEvent({
    type: 'matching.request.sent',
    version: 1,
    source: 'matching',
    actor: { type: 'user', id: `mentee-${uniq()}`, role: 'mentee' },
    data: { requestId, mentorId, message: 'hello' },
  })
  await publishEvent(bus, approved)
  await publishEvent(bus, suspended)
  await publishEvent(bus, chatRequest)
  await publishEvent(bus, suspended) // the relay publishing twice: one row

  const trail = await waitFor(async () => {
    const p = await get(`/api/admin/tracking/audit?entityType=mentor&entityId=${mentorId}`)
    return p.items.length === 2 ? p : null
  }, 15_000)
  t.same(trail.items.map((i: { type: string }) => i.type), ['catalog.mentor.suspended', 'catalog.mentor.approved'], 'newest first')
  t.match(trail.items[1], {
    eventId: approved.id,
    source: 'mentor-catalog',
    actor: { type: 'user', id: adminUid, role: 'admin' },
    entity: { type: 'mentor', id: mentorId },
    payload: { id: mentorId, displayName: 'Kim', hourlyRate: 50_000 },
  })
  t.equal(trail.items[1].traceId, approved.trace ? approved.trace.traceparent.split('-')[1] : null)

  const byActor = await get(`/api/admin/tracking/audit?actor=${adminUid}`)
  t.equal(byActor.items.length, 2, "one actor's trail")
  const chat = await waitFor(async () => (await get(`/api/admin/tracking/audit?entityType=chat_request&entityId=${requestId}`)).items[0], 15_000)
  t.match(chat, { type: 'matching.request.sent', entity: { type: 'chat_request', id: requestId } })
  t.equal((await get(`/api/admin/tracking/audit?entityType=mentor&entityId=${mentorId}&type=catalog.mentor.`)).items.length, 2, 'type prefix filter')
})

t.test('the admin actions of issue 21 are in the audit trail with who did them and why', async (t) => {
  const adminUid = `admin-${uniq()}`
  const actor = { type: 'user' as const, id: adminUid, role: 'admin' as const }
  const paymentId = randomUUID()
  const bookingId = randomUUID()
  const matchId = randomUUID()
  const roomId = `room-${uniq()}`
  // as payment, meeting, matching and chat-bridge publish them (types, subjects and data of the contracts)
  const events = [
    createEvent({ type: 'payment.refund.requested', version: 1, source: 'payment', actor, subject: { type: 'payment', id: paymentId },
      data: { paymentId, bookingId, amount: 50_000, currency: 'KRW', refundId: randomUUID(), refundAmount: 20_000, reason: '세션 일부 진행 못 함', requestedBy: adminUid, requestedAt: new Date().toISOString() } }),
    createEvent({ type: 'meeting.booking.cancelled', version: 1, source: 'meeting', actor, subject: { type: 'booking', id: bookingId },
      data: { bookingId, menteeUid: 'm1', mentorId: randomUUID(), mentorUid: 'm2', startsAt: new Date().toISOString(), endsAt: new Date().toISOString(), cancelledBy: 'mentor', reason: '멘토 병가', refund: null, cancelledAt: new Date().toISOString() } }),
    createEvent({ type: 'matching.match.ended', version: 1, source: 'matching', actor, subject: { type: 'match', id: matchId },
      data: { matchId, requestId: randomUUID(), mentorId: randomUUID(), mentorUid: 'm2', menteeUid: 'm1', endedBy: 'admin', reason: '부적절한 대화 신고', endedAt: new Date().toISOString() } }),
    createEvent({ type: 'chat.message.unhidden', version: 1, source: 'chat-bridge', actor, subject: { type: 'chat.message', id: `${roomId}/msg1` },
      data: { roomId, messageId: 'msg1', authorUid: 'm1', unhiddenBy: adminUid, reason: '오신고', unhiddenAt: new Date().toISOString() } }),
  ]
  for (const e of events) await publishEvent(bus, e)
  const trail = await waitFor(async () => {
    const p = await get(`/api/admin/tracking/audit?actor=${adminUid}`)
    return p.items.length === events.length ? p : null
  }, 15_000)
  const byType = new Map(trail.items.map((i: { type: string }) => [i.type, i]))
  t.match(byType.get('payment.refund.requested'), { actor: { id: adminUid, role: 'admin' }, entity: { type: 'payment', id: paymentId }, payload: { refundAmount: 20_000, reason: '세션 일부 진행 못 함' } })
  t.match(byType.get('meeting.booking.cancelled'), { actor: { id: adminUid }, entity: { type: 'booking', id: bookingId }, payload: { reason: '멘토 병가', cancelledBy: 'mentor' } })
  t.match(byType.get('matching.match.ended'), { actor: { id: adminUid }, entity: { type: 'match', id: matchId }, payload: { endedBy: 'admin', reason: '부적절한 대화 신고' } })
  t.match(byType.get('chat.message.unhidden'), { actor: { id: adminUid }, entity: { type: 'chat_message', id: `${roomId}/msg1` }, payload: { reason: '오신고' } })
})

t.test('error reports grouped by fingerprint; slow queries grouped by SQL with p95', async (t) => {
  const fp = randomBytes(8).toString('hex')
  const service = `svc-${uniq()}`
  const base = Date.now() - 5_000
  const reports = Array.from({ length: 3 }, (_, i) => ({
    service,
    requestId: `req-${i}`,
    traceId: randomBytes(16).toString('hex'),
    route: '/api/things/:id',
    method: 'GET',
    status: 500,
    code: 'INTERNAL',
    message: `boom ${i} token=abc123`,
    stack: `Error: boom\n    at handler (/srv/x.ts:1:1)`,
    fingerprint: fp,
    occurredAt: new Date(base + i * 1000).toISOString(),
  }))
  await publishCore(bus, TELEMETRY_SUBJECTS.error, reports)
  const errors = await waitFor(async () => {
    const p = await get(`/api/admin/tracking/errors?service=${service}`)
    return p.items[0]?.count === 3 ? p : null
  }, 15_000)
  t.match(errors.items[0], {
    fingerprint: fp,
    service,
    count: 3,
    firstSeen: reports[0]!.occurredAt,
    lastSeen: reports[2]!.occurredAt,
    sampleTraceId: reports[2]!.traceId,
    sampleRequestId: 'req-2',
    message: 'boom 2 token=[REDACTED]',
  })
  const detail = await get(`/api/admin/tracking/errors/${fp}`)
  t.match(detail.stack, /at handler/, 'the stack is kept for admins')
  t.equal(detail.recent.length, 3)

  const slowService = `svc-${uniq()}`
  const sqlText = 'select * from "mentors" where "id" = $1'
  await publishCore(bus, TELEMETRY_SUBJECTS.slowQuery, [
    ...Array.from({ length: 20 }, (_, i) => ({ service: slowService, sql: sqlText, durationMs: 200 + i * 10, traceId: null, occurredAt: new Date(base + i).toISOString() })),
    { service: slowService, sql: 'select pg_sleep($1)', durationMs: 1000, traceId: 'a'.repeat(32), occurredAt: new Date(base).toISOString() },
  ])
  const slow = await waitFor(async () => {
    const p = await get(`/api/admin/tracking/slow-queries?service=${slowService}`)
    return p.items.length === 2 && p.items[0].count === 20 ? p : null
  }, 15_000)
  t.match(slow.items[0], { sql: sqlText, count: 20, p95Ms: 380.5, maxMs: 390, avgMs: 295 })
  t.match(slow.items[1], { sql: 'select pg_sleep($1)', count: 1, sampleTraceId: 'a'.repeat(32) })
  const byP95 = await get(`/api/admin/tracking/slow-queries?service=${slowService}&sort=p95`)
  t.equal(byP95.items[0].sql, 'select pg_sleep($1)', 'sortable by p95')
})

t.test('a message that is not the contract goes to the dead letters; the rest of its batch is stored', async (t) => {
  const user = `poison-${uniq()}`
  const bad = { requestId: 'x', nonsense: true, user }
  const good = accessEvent({ user })
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [bad, good])
  await waitFor(async () => (await get(`/api/admin/tracking/requests?user=${user}`)).items.length === 1, 15_000)
  const subject = `dlq.${prefix}_access.${TELEMETRY_SUBJECTS.accessLog}`
  const dead = await waitFor(async () => {
    const info = await bus.jsm.streams.info(STREAMS.deadLetter.name, { subjects_filter: subject })
    return (info.state.subjects?.[subject] ?? 0) >= 1 ? info : null
  }, 15_000)
  t.ok(dead, 'dead-lettered under dlq.<durable>.<subject>')
  const last = await bus.jsm.streams.getMessage(STREAMS.deadLetter.name, { last_by_subj: subject })
  t.match(last?.json<{ raw: string; error: { message: string } }>(), { raw: JSON.stringify(bad), error: { message: /not a AccessLogV1/ } })
})

t.test('catalog.user.deleted: the trail keeps the events without the name or email; access log and searches lose the uid', async (t) => {
  const uid = `uid-deleted-${uniq()}`
  const email = `${uid}@example.test`
  const name = `지울이름 ${uniq()}`
  const registered = createEvent({
    type: 'catalog.user.registered', version: 1, source: 'mentor-catalog',
    actor: { type: 'user', id: uid }, subject: { type: 'user', id: uid },
    data: { uid, email, displayName: name, role: 'mentee' },
  })
  const requested = createEvent({
    type: 'matching.request.created', version: 1, source: 'matching',
    actor: { type: 'user', id: uid }, subject: { type: 'chat_request', id: randomUUID() },
    data: { requestId: randomUUID(), menteeUid: uid, menteeName: name, message: `call me at ${email}` },
  })
  await publishEvent(bus, registered)
  await publishEvent(bus, requested)
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [accessEvent({ user: uid, method: 'PUT', path: '/api/me', route: '/api/me', body: JSON.stringify({ displayName: name }) })])
  await publishCore(bus, TELEMETRY_SUBJECTS.search, [searchEvent({ user: uid })])
  const byActor = async () => JSON.stringify((await get(`/api/admin/tracking/audit?actor=${uid}`)).items)
  await waitFor(async () => ((await byActor()).includes(name) && (await byActor()).includes('matching.request.created') ? true : null), 15_000)
  await waitFor(async () => ((await app.db.selectFrom('access_log').select('id').where('user_id', '=', uid).executeTakeFirst()) ? true : null), 15_000)
  await waitFor(async () => ((await app.db.selectFrom('search_events').select('id').where('user_id', '=', uid).executeTakeFirst()) ? true : null), 15_000)

  const deleted = createEvent({
    type: 'catalog.user.deleted', version: 1, source: 'mentor-catalog',
    actor: { type: 'user', id: uid }, subject: { type: 'user', id: uid },
    data: { uid, deletedAt: new Date().toISOString() },
  })
  await publishEvent(bus, deleted)
  const trail = await waitFor(async () => {
    const text = await byActor()
    return text.includes('catalog.user.deleted') && !text.includes(name) && !text.includes(email) ? text : null
  }, 15_000)
  t.match(trail, 'catalog.user.registered', 'the events stay in the trail (who did what, when)')
  t.notMatch(trail, name, 'without the name')
  t.notMatch(trail, email, 'or the email')
  t.equal((await app.db.selectFrom('access_log').select('id').where('user_id', '=', uid).execute()).length, 0, 'the access log no longer names the uid')
  t.equal((await app.db.selectFrom('search_events').select('id').where('user_id', '=', uid).execute()).length, 0, 'nor do the searches')
})
