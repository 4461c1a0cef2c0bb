// Through the real gateway: tracking, mentor-catalog and the gateway run as child processes,
// started as production starts them; callers hold real Auth-emulator ID tokens.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { serviceDatabaseUrl } from '@sunbae/db'
import { TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { authEmulatorMissing, createEmulatorUser, waitFor } from '@sunbae/testing'
import { adminUrl, deleteDurables, testBus, testEnv, uniq } from './helpers.ts'
import { freePort, startProcess, stopProcess, waitReady, type Proc } from '@sunbae/testing/processes'

const skip = authEmulatorMissing()
t.test('journeys through the gateway', { skip }, async (t) => {
  const [gatewayPort, trackingPort, catalogPort] = await Promise.all([freePort(), freePort(), freePort()])
  const trackingUrl = `http://127.0.0.1:${trackingPort}`
  const catalogUrl = `http://127.0.0.1:${catalogPort}`
  const gw = `http://127.0.0.1:${gatewayPort}`
  const prefix = `journey_${uniq()}`
  const common = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'test',
    IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    LOG_LEVEL: 'warn',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
  }
  const procs: Proc[] = []
  const bus = await testBus('tracking-journey-test')
  t.teardown(async () => {
    for (const p of procs.reverse()) await stopProcess(p)
    await deleteDurables(bus, prefix)
    await bus.close()
  })

  procs.push(
    startProcess('tracking', 'services/tracking', {
      ...testEnv({ TRACKING_DURABLE_PREFIX: prefix, TRACKING_TEST_ROUTES: 'true', LOG_LEVEL: 'warn' }),
      PORT: String(trackingPort),
      // low enough that the test route's pg_sleep is slow, high enough that ordinary queries are not
      SLOW_QUERY_MS: '250',
    }),
  )
  procs.push(
    startProcess('mentor-catalog', 'services/mentor-catalog', {
      ...common,
      PORT: String(catalogPort),
      DATABASE_URL: serviceDatabaseUrl(adminUrl, 'mentor_catalog'),
      FIREBASE_PROJECT_ID: 'demo-sunbae',
    }),
  )
  procs.push(
    startProcess('gateway', 'gateway', {
      ...common,
      PORT: String(gatewayPort),
      FIREBASE_PROJECT_ID: 'demo-sunbae',
      GATEWAY_ROUTES: JSON.stringify({ '/api/tracking': trackingUrl, '/api/admin/tracking': trackingUrl, '/api/me': catalogUrl, '/api/mentors': catalogUrl, '/api/admin/users': catalogUrl }),
      // nobody is trusted to set X-Forwarded-For: the socket peer is the client
      TRUST_PROXY: '',
      ACCESS_LOG_ENABLED: 'true',
      ACCESS_LOG_FLUSH_MS: '50',
      RATE_LIMIT_IP_MAX: '0',
      RATE_LIMIT_USER_MAX: '0',
    }),
  )
  const [trackingProc, catalogProc, gatewayProc] = procs as [Proc, Proc, Proc]
  await Promise.all([
    waitReady(`${trackingUrl}/readyz`, trackingProc),
    waitReady(`${catalogUrl}/readyz`, catalogProc),
    waitReady(`${gw}/readyz`, gatewayProc),
  ])

  const adminUser = await createEmulatorUser({ claims: { role: 'admin' } })
  const menteeUser = await createEmulatorUser({ displayName: `멘티 ${uniq()}` })
  const as = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra })
  const adminGet = async (path: string) => {
    const res = await fetch(`${gw}${path}`, { headers: as(adminUser.idToken) })
    const body = (await res.json()) as any
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`)
    return body
  }

  await t.test('a request through the gateway appears in requests with the drf-tracking fields; its password is stored scrubbed; a spoofed X-Forwarded-For is ignored', async (t) => {
    const requestId = `journey-${randomUUID()}`
    const res = await fetch(`${gw}/api/tracking/feedback?source=home&token=tok-123`, {
      method: 'POST',
      headers: as(menteeUser.idToken, {
        'content-type': 'application/json',
        'x-request-id': requestId,
        'x-forwarded-for': '203.0.113.66',
        'user-agent': 'journey-test/1.0',
      }),
      body: JSON.stringify({ email: menteeUser.email, password: 'hunter2-journey', comment: '좋아요' }),
    })
    t.equal(res.status, 404, 'the service answered (no such route), through the gateway')

    const page = await waitFor(async () => {
      const p = await adminGet(`/api/admin/tracking/requests?requestId=${requestId}`)
      return p.items.length ? p : null
    }, 20_000)
    const entry = page.items[0]
    t.match(entry, {
      requestId,
      user: menteeUser.uid,
      method: 'POST',
      path: '/api/tracking/feedback',
      route: '/api/tracking',
      status: 404,
      errors: 'NOT_FOUND',
      userAgent: 'journey-test/1.0',
      queryParams: { source: 'home', token: '[REDACTED]' },
    })
    t.ok(Math.abs(Date.parse(entry.requestedAt) - Date.now()) < 60_000, 'requestedAt')
    t.ok(entry.responseMs >= 0, 'responseMs')
    t.equal(entry.remoteAddr, '127.0.0.1', 'the socket peer, not the spoofed X-Forwarded-For')
    t.not(entry.remoteAddr, '203.0.113.66')
    t.same(JSON.parse(entry.body), { email: menteeUser.email, password: '[REDACTED]', comment: '좋아요' }, 'password stored scrubbed')
    t.notMatch(JSON.stringify(entry), /hunter2|tok-123/)
    t.match(entry.traceId, /^[0-9a-f]{32}$/, 'a trace id')

    const one = await adminGet(`/api/admin/tracking/requests/${entry.id}`)
    t.equal(one.traceId, entry.traceId, 'one request by id, with its trace id')
  })

  await t.test('a mentee gets 403 from the admin API (gateway and service both refuse)', async (t) => {
    const res = await fetch(`${gw}/api/admin/tracking/requests`, { headers: as(menteeUser.idToken) })
    t.equal(res.status, 403)
    t.equal(((await res.json()) as any).error.code, 'FORBIDDEN')
    const anon = await fetch(`${gw}/api/admin/tracking/errors`)
    t.equal(anon.status, 401)
  })

  // Before any other trending call of this journey: the list is aggregated at most once per
  // TRACKING_TRENDING_CACHE_MS (default 60 s, as in production), so the first call after the searches
  // are stored computes it, and a second one answers the same aggregation.
  await t.test('trending cannot be poisoned: 20 searches by one anonymous client do not trend, 3 signed-in users do, 1 character never; the admin hides a term through the gateway', async (t) => {
    const m = uniq()
    const spam = `spam${m}`
    const popular = `pop${m}`
    const short = '김'
    const [second, third] = await Promise.all([createEmulatorUser(), createEmulatorUser()])
    const searchAs = async (q: string, token?: string) => {
      const res = await fetch(`${gw}/api/mentors?q=${encodeURIComponent(q)}`, token ? { headers: as(token) } : {})
      t.equal(res.status, 200, `search ${q}`)
      await res.arrayBuffer()
    }
    for (let i = 0; i < 20; i++) await searchAs(spam)
    for (const user of [menteeUser, second, third]) {
      await searchAs(popular, user.idToken)
      await searchAs(short, user.idToken)
    }
    const stored = await waitFor(async () => {
      const items = (await adminGet('/api/admin/tracking/keywords?pageSize=200')).items as { keyword: string; count: number; searchers: number }[]
      const of = (k: string) => items.find((i) => i.keyword === k)
      return of(spam)?.count === 20 && of(popular)?.searchers === 3 && (of(short)?.searchers ?? 0) >= 3 ? items : null
    }, 20_000)
    t.match(stored.find((i) => i.keyword === spam), { count: 20, searchers: 1 }, 'the admin list shows the spam: one searcher')
    const storedAt = Date.now()

    const trending = async () => {
      const res = await fetch(`${gw}/api/tracking/keywords/trending`)
      t.equal(res.status, 200)
      return (await res.json()) as { items: { keyword: string; count: number; searchers: number }[]; to: string }
    }
    const list = await trending()
    t.ok(Date.parse(list.to) >= storedAt, 'aggregated after the searches were stored')
    const keywords = list.items.map((i) => i.keyword)
    t.notOk(keywords.includes(spam), '20 searches by one anonymous client: not trending')
    t.match(list.items.find((i) => i.keyword === popular), { count: 3, searchers: 3 }, '3 distinct signed-in users: trending')
    t.notOk(keywords.includes(short), 'a 1-character term never trends')
    t.equal((await trending()).to, list.to, 'a second call answers the same (cached) aggregation')

    const hide = (headers: Record<string, string>) =>
      fetch(`${gw}/api/admin/tracking/hidden-terms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ term: popular.toUpperCase(), reason: 'journey: campaign' }),
      })
    const anon = await hide({})
    t.equal(anon.status, 401)
    t.equal(((await anon.json()) as any).error.code, 'UNAUTHENTICATED')
    const byMentee = await hide(as(menteeUser.idToken))
    t.equal(byMentee.status, 403)
    t.equal(((await byMentee.json()) as any).error.code, 'FORBIDDEN')
    const byAdmin = await hide(as(adminUser.idToken))
    t.equal(byAdmin.status, 201)
    t.match(await byAdmin.json(), { term: popular, hiddenBy: adminUser.uid })

    const after = await trending()
    t.notOk(after.items.some((i) => i.keyword === popular), 'hidden: gone from the public list at once')
    t.ok(Date.parse(after.to) > Date.parse(list.to), 'hiding cleared the cache')
    const top = await adminGet('/api/admin/tracking/keywords?pageSize=200')
    t.match(top.items.find((i: { keyword: string }) => i.keyword === popular), { hidden: true }, 'the admin list marks it hidden')
    const trail = await adminGet(`/api/admin/tracking/audit?entityType=search_term&entityId=${popular}`)
    t.match(trail.items[0], { type: 'tracking.term.hidden', actor: { id: adminUser.uid, role: 'admin' } }, 'audited')
  })

  await t.test('a forced 5xx shows up in errors, and its stack never reaches the client', async (t) => {
    const marker = uniq()
    const res = await fetch(`${gw}/api/tracking/test/fail?marker=${marker}`, { headers: as(menteeUser.idToken) })
    t.equal(res.status, 500)
    const text = await res.text()
    const body = JSON.parse(text)
    t.equal(body.error.code, 'INTERNAL')
    t.equal(body.error.message, 'Something went wrong on our side. Try again later.')
    t.notMatch(text, /test fault|hunter2|at |\.ts|stack/, 'no message, no stack, no file names')

    const group = await waitFor(async () => {
      const p = await adminGet('/api/admin/tracking/errors?service=tracking&route=/api/tracking/test/fail')
      return p.items[0]
    }, 20_000)
    t.match(group, { service: 'tracking', route: '/api/tracking/test/fail', method: 'GET', status: 500, code: 'INTERNAL' })
    t.ok(group.count >= 1)
    t.match(group.sampleTraceId, /^[0-9a-f]{32}$/, 'a sample trace id')
    t.ok(group.firstSeen <= group.lastSeen)
    const detail = await adminGet(`/api/admin/tracking/errors/${group.fingerprint}`)
    t.match(detail.stack, /test fault/, 'the stack is kept server side for admins')
    t.match(detail.stack, /password=\[REDACTED\]/, 'scrubbed there too')
    t.notMatch(detail.stack + detail.message, /hunter2/)

    const logged = await waitFor(async () => (await adminGet(`/api/admin/tracking/requests?path=/api/tracking/test/fail&user=${menteeUser.uid}`)).items[0], 20_000)
    t.match(logged, { status: 500, errors: 'INTERNAL' }, 'the access log has it too')
  })

  await t.test('a slow query shows up in slow-queries', async (t) => {
    const res = await fetch(`${gw}/api/tracking/test/slow?ms=400`, { headers: as(menteeUser.idToken) })
    t.equal(res.status, 200)
    const group = await waitFor(async () => {
      const p = await adminGet('/api/admin/tracking/slow-queries?service=tracking')
      return p.items.find((g: { sql: string }) => g.sql.includes('pg_sleep'))
    }, 20_000)
    t.match(group.sql, /select pg_sleep\(\$1\)/, 'normalized SQL, no values')
    t.ok(group.count >= 1)
    t.ok(group.p95Ms >= 400, `p95 ${group.p95Ms} ms`)
  })

  await t.test('searches show up in keywords; zero-result ones in the zero-results list', async (t) => {
    const nothing = `zz${uniq()}없음`
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw}/api/mentors?q=${encodeURIComponent(nothing)}`)
      t.equal(res.status, 200)
      t.equal(((await res.json()) as any).total, 0)
    }
    // the two searches may land in two batches: wait for both, not for the first
    const zero = await waitFor(async () => {
      const p = await adminGet('/api/admin/tracking/keywords/zero-results?pageSize=200')
      const found = p.items.find((i: { query: string; count: number }) => i.query === nothing.toLowerCase())
      return found?.count >= 2 ? found : null
    }, 20_000)
    t.equal(zero.count, 2)
    const top = await adminGet('/api/admin/tracking/keywords?pageSize=200')
    t.ok(top.items.find((i: { keyword: string }) => i.keyword === nothing.toLowerCase()), 'the term is in the keywords too')
    const trending = await fetch(`${gw}/api/tracking/keywords/trending`)
    t.equal(trending.status, 200, 'public trending keywords through the gateway, no token')
  })

  await t.test('a domain event shows up in audit', async (t) => {
    // the account mirror: mentor-catalog publishes catalog.user.registered through its outbox
    const res = await fetch(`${gw}/api/me`, {
      method: 'PUT',
      headers: as(menteeUser.idToken, { 'content-type': 'application/json' }),
      body: JSON.stringify({ displayName: 'Journey Mentee' }),
    })
    t.equal(res.status, 201, 'the account mirror was created')
    const entry = await waitFor(async () => (await adminGet(`/api/admin/tracking/audit?entityType=user&entityId=${menteeUser.uid}`)).items[0], 20_000)
    t.match(entry, {
      type: 'catalog.user.registered',
      source: 'mentor-catalog',
      entity: { type: 'user', id: menteeUser.uid },
      actor: { id: menteeUser.uid },
      payload: { uid: menteeUser.uid },
    })
    const byActor = await adminGet(`/api/admin/tracking/audit?actor=${menteeUser.uid}`)
    t.ok(byActor.items.some((i: { eventId: string }) => i.eventId === entry.eventId), 'and in the actor’s trail')
  })

  await t.test('an admin disables an account: the gateway refuses its token, the audit trail says who and why; enable is audited too', async (t) => {
    const user = await createEmulatorUser({ displayName: `비활성 ${uniq()}` })
    const me = () => fetch(`${gw}/api/me`, { headers: as(user.idToken) })
    const put = await fetch(`${gw}/api/me`, { method: 'PUT', headers: as(user.idToken, { 'content-type': 'application/json' }), body: '{}' })
    t.equal(put.status, 201)
    t.equal((await me()).status, 200, 'the token passes before')
    const admin = (action: string, reason: string, token = adminUser.idToken) =>
      fetch(`${gw}/api/admin/users/${user.uid}/${action}`, { method: 'POST', headers: as(token, { 'content-type': 'application/json' }), body: JSON.stringify({ reason }) })
    t.equal((await admin('disable', 'nope', menteeUser.idToken)).status, 403, 'a mentee may not')
    t.equal((await admin('disable', '결제 사기 의심')).status, 200)
    const refused = await waitFor(async () => {
      const r = await me()
      return r.status === 401 ? ((await r.json()) as { error: { code: string } }) : null
    }, 5_000)
    t.equal(refused.error.code, 'ACCOUNT_DISABLED', 'the existing token is refused')
    const disabled = await waitFor(async () => (await adminGet(`/api/admin/tracking/audit?entityType=user&entityId=${user.uid}`)).items.find((i: { type: string }) => i.type === 'catalog.user.disabled'), 20_000)
    t.match(disabled, { source: 'mentor-catalog', actor: { type: 'user', id: adminUser.uid, role: 'admin' }, entity: { type: 'user', id: user.uid }, payload: { uid: user.uid, reason: '결제 사기 의심' } })
    t.equal((await admin('enable', '본인 확인 완료')).status, 200)
    const enabled = await waitFor(async () => (await adminGet(`/api/admin/tracking/audit?entityType=user&entityId=${user.uid}`)).items.find((i: { type: string }) => i.type === 'catalog.user.enabled'), 20_000)
    t.match(enabled, { actor: { id: adminUser.uid }, payload: { reason: '본인 확인 완료' } })
  })
})
