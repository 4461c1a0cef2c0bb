// The public trending list cannot be poisoned or used for DoS (issue 20, item 4): a term needs
// TRACKING_TRENDING_MIN_DISTINCT distinct searchers (uid, else the anonymous client's address), is at
// least 2 characters long and not hidden by an admin; the aggregation runs at most once per
// TRACKING_TRENDING_CACHE_MS per replica, however many callers ask at once.
import t from 'tap'
import { TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { waitFor } from '@sunbae/testing'
import { TrendingCache } from '../src/queries/trending-cache.ts'
import { admin, buildTracking, deleteDurables, mentee, publishCore, searchEvent, testBus, uniq } from './helpers.ts'

const bus = await testBus('tracking-trending-test')
const prefix = `trend_${uniq()}`
// no cache: every call aggregates, so the rules are seen as soon as the rows are stored
const app = await buildTracking({ TRACKING_DURABLE_PREFIX: prefix, TRACKING_TRENDING_CACHE_MS: '0' })
t.teardown(async () => {
  await app.close()
  await deleteDurables(bus, prefix)
  await bus.close()
})

interface Item {
  keyword: string
  count: number
  searchers: number
  trend: string
}
const trending = async (limit = 20): Promise<{ items: Item[]; from: string; to: string }> => {
  const res = await app.inject({ url: `/api/tracking/keywords/trending?limit=${limit}` })
  if (res.statusCode !== 200) throw new Error(`trending: ${res.statusCode} ${res.body}`)
  return res.json()
}
const adminKeywords = async () => {
  const res = await app.inject({ url: '/api/admin/tracking/keywords?pageSize=200', headers: admin() })
  if (res.statusCode !== 200) throw new Error(`keywords: ${res.statusCode} ${res.body}`)
  return res.json().items as { keyword: string; count: number; users: number; searchers: number; hidden: boolean }[]
}
const search = (term: string, over: Record<string, unknown>) => searchEvent({ query: term, terms: [term], ...over })

// every term of this file is new to this database: one marker, different words around it
const m = uniq()
const spam = `spam${m}` // 20 searches by one anonymous client
const popular = `pop${m}` // 3 signed-in users
const mixed = `mix${m}` // 2 users and 1 anonymous address
const pair = `pair${m}` // 2 users only
const legacy = `old${m}` // 5 anonymous searches from a producer that sent no address
const short = '김' // one character (a surname), 3 users

await publishCore(bus, TELEMETRY_SUBJECTS.search, [
  ...Array.from({ length: 20 }, () => search(spam, { user: null, clientIp: '198.51.100.20' })),
  ...['a', 'b', 'c'].map((u) => search(popular.toUpperCase(), { user: `u-${u}-${m}`, terms: [popular.toUpperCase()] })),
  search(mixed, { user: `u-a-${m}` }),
  search(mixed, { user: `u-b-${m}` }),
  search(mixed, { user: null, clientIp: '198.51.100.21' }),
  // a signed-in search's address is not a searcher of its own: still 2 + 1
  search(mixed, { user: `u-a-${m}`, clientIp: '198.51.100.22' }),
  search(pair, { user: `u-a-${m}` }),
  search(pair, { user: `u-b-${m}` }),
  ...Array.from({ length: 5 }, () => search(legacy, { user: null })),
  ...['a', 'b', 'c'].map((u) => search(short, { user: `u-${u}-${m}` })),
])
const stored = await waitFor(async () => {
  const items = await adminKeywords()
  const count = (k: string) => items.find((i) => i.keyword === k)?.count ?? 0
  return count(spam) === 20 && count(popular) === 3 && count(mixed) === 4 && count(pair) === 2 && count(legacy) === 5 && count(short) >= 3 ? items : null
}, 15_000)

t.test('a term is trending only with enough distinct searchers, and never when shorter than 2 characters', async (t) => {
  const admin = (k: string) => stored.find((i) => i.keyword === k)
  t.match(admin(spam), { count: 20, users: 0, searchers: 1, hidden: false }, 'the admin list shows every term, with its distinct searchers')
  t.match(admin(mixed), { count: 4, users: 2, searchers: 3 })
  t.match(admin(legacy), { count: 5, searchers: 0 }, 'an anonymous search without an address counts for nobody')

  const list = await trending()
  const keywords = list.items.map((i) => i.keyword)
  t.notOk(keywords.includes(spam), 'one anonymous client searching 20 times does not make a term trending')
  t.notOk(keywords.includes(pair), 'two searchers are below the floor of 3')
  t.notOk(keywords.includes(legacy), 'anonymous searches without an address do not count')
  t.notOk(keywords.includes(short), 'a 1-character term never trends, whoever searched it')
  t.ok(list.items.every((i) => [...i.keyword].length >= 2), 'nothing shorter than 2 characters at all')
  t.match(list.items.find((i) => i.keyword === popular), { count: 3, searchers: 3, trend: 'new' }, '3 signed-in users: trending (normalized to lower case)')
  t.match(list.items.find((i) => i.keyword === mixed), { count: 4, searchers: 3 }, '2 users and 1 anonymous address: trending')
  t.ok(list.items.every((i, n) => n === 0 || list.items[n - 1]!.searchers >= i.searchers), 'ranked by distinct searchers')
})

t.test('an admin hides a term (normalized as searches are): gone from trending at once, marked in keywords, listed, audited; unhide brings it back', async (t) => {
  const adminUid = `admin-${uniq()}`
  const adminHeaders = identityHeaders({ uid: adminUid, role: 'admin' })
  // full-width capitals: NFKC + lower case make it the stored term
  const typed = popular.toUpperCase().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
  const hide = await app.inject({ method: 'POST', url: '/api/admin/tracking/hidden-terms', headers: adminHeaders, payload: { term: ` ${typed} `, reason: 'spam campaign' } })
  t.equal(hide.statusCode, 201, hide.body)
  t.match(hide.json(), { term: popular, reason: 'spam campaign' })
  t.equal(hide.json().hiddenBy, adminUid, 'who hid it')

  t.notOk((await trending()).items.some((i) => i.keyword === popular), 'hidden from the public list')
  t.ok((await trending()).items.some((i) => i.keyword === mixed), 'the others stay')
  t.match((await adminKeywords()).find((i) => i.keyword === popular), { hidden: true }, 'the admin keyword list says it is hidden')
  t.match((await adminKeywords()).find((i) => i.keyword === mixed), { hidden: false })

  const listed = await app.inject({ url: '/api/admin/tracking/hidden-terms', headers: admin() })
  t.equal(listed.statusCode, 200)
  t.match(listed.json().items.find((i: { term: string }) => i.term === popular), { reason: 'spam campaign', hiddenBy: String, hiddenAt: String })

  const again = await app.inject({ method: 'POST', url: '/api/admin/tracking/hidden-terms', headers: admin(), payload: { term: popular, reason: 'still spam' } })
  t.equal(again.statusCode, 200, 'hiding it again updates the reason')
  t.equal(again.json().reason, 'still spam')

  const shown = await app.inject({ method: 'DELETE', url: `/api/admin/tracking/hidden-terms?term=${encodeURIComponent(popular.toUpperCase())}`, headers: admin() })
  t.equal(shown.statusCode, 204, shown.body)
  t.ok((await trending()).items.some((i) => i.keyword === popular), 'back in the public list')
  const missing = await app.inject({ method: 'DELETE', url: `/api/admin/tracking/hidden-terms?term=${popular}`, headers: admin() })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'TERM_NOT_HIDDEN')
  t.ok(missing.json().error.requestId)

  const trail = await app.inject({ url: `/api/admin/tracking/audit?entityType=search_term&entityId=${popular}`, headers: admin() })
  t.equal(trail.statusCode, 200)
  t.same(
    trail.json().items.map((e: { type: string }) => e.type),
    ['tracking.term.unhidden', 'tracking.term.hidden', 'tracking.term.hidden'],
    'the audit trail has each hide and the unhide, newest first',
  )
  t.match(trail.json().items[2], { source: 'tracking', actor: { type: 'user', id: adminUid, role: 'admin' }, entity: { type: 'search_term', id: popular }, payload: { term: popular, reason: 'spam campaign' } })
})

t.test('hidden terms: 400 / 401 / 403 in the error shape', async (t) => {
  const post = (payload: unknown, headers = admin()) => app.inject({ method: 'POST', url: '/api/admin/tracking/hidden-terms', headers, payload: payload as object })
  const refusals: [string, Awaited<ReturnType<typeof post>>, string][] = [
    ['two words', await post({ term: 'two words', reason: 'x' }), 'body/term'],
    ['comma', await post({ term: 'a,b', reason: 'x' }), 'body/term'],
    ['blank term', await post({ term: '   ', reason: 'x' }), 'body/term'],
    ['no reason', await post({ term: 'abc' }), 'body'],
    ['blank reason', await post({ term: 'abc', reason: '  ' }), 'body/reason'],
    ['long term', await post({ term: 'x'.repeat(101), reason: 'x' }), 'body/term'],
    ['extra field', await post({ term: 'abc', reason: 'x', by: 'me' }), 'body'],
    ['wrong type', await post({ term: 5, reason: 'x' }), 'body/term'],
    ['no term to unhide', await app.inject({ method: 'DELETE', url: '/api/admin/tracking/hidden-terms', headers: admin() }), 'querystring'],
    ['two words to unhide', await app.inject({ method: 'DELETE', url: '/api/admin/tracking/hidden-terms?term=a%20b', headers: admin() }), 'querystring/term'],
    ['bad page', await app.inject({ url: '/api/admin/tracking/hidden-terms?page=0', headers: admin() }), 'querystring/page'],
  ]
  for (const [what, res, field] of refusals) {
    t.equal(res.statusCode, 400, `${what}: ${res.body}`)
    const error = res.json().error
    t.equal(error.code, 'VALIDATION_FAILED', what)
    t.ok(error.requestId, `${what}: request id`)
    t.ok(error.details.some((d: { field: string }) => d.field.startsWith(field)), `${what}: names ${field} (${JSON.stringify(error.details)})`)
  }
  for (const [method, url] of [['GET', '/api/admin/tracking/hidden-terms'], ['POST', '/api/admin/tracking/hidden-terms'], ['DELETE', '/api/admin/tracking/hidden-terms?term=abc']] as const) {
    const payload = method === 'POST' ? { term: 'abc', reason: 'x' } : undefined
    const anon = await app.inject({ method, url, ...(payload ? { payload } : {}) })
    t.equal(anon.statusCode, 401, `${method} anonymous`)
    t.equal(anon.json().error.code, 'UNAUTHENTICATED')
    const asMentee = await app.inject({ method, url, headers: mentee(), ...(payload ? { payload } : {}) })
    t.equal(asMentee.statusCode, 403, `${method} mentee`)
    t.equal(asMentee.json().error.code, 'FORBIDDEN')
  }
  t.notOk((await app.inject({ url: '/api/admin/tracking/hidden-terms?pageSize=200', headers: admin() })).json().items.some((i: { term: string }) => i.term === 'abc'), 'nothing refused was stored')
})

t.test('OpenAPI documents the hidden-term routes and the new fields', async (t) => {
  const doc = (await app.inject({ url: '/openapi.json' })).json()
  t.ok(doc.paths['/api/admin/tracking/hidden-terms']?.get, 'list')
  t.ok(doc.paths['/api/admin/tracking/hidden-terms']?.post, 'hide')
  t.ok(doc.paths['/api/admin/tracking/hidden-terms']?.delete, 'unhide')
})

t.test('one aggregation per cache period per replica, shared by concurrent callers; hiding a term clears it', async (t) => {
  const cachedPrefix = `trendc_${uniq()}`
  const cached = await buildTracking({ TRACKING_DURABLE_PREFIX: cachedPrefix, TRACKING_TRENDING_CACHE_MS: '3600000' })
  t.teardown(async () => {
    await cached.close()
    await deleteDurables(bus, cachedPrefix)
  })
  const cache = cached.tracking.trendingCache
  const get = async (limit: number) => {
    const res = await cached.inject({ url: `/api/tracking/keywords/trending?limit=${limit}` })
    t.equal(res.statusCode, 200)
    return res.json() as { items: Item[]; to: string }
  }
  t.equal(cache.computations, 0, 'nothing computed before the first call')
  const first = await Promise.all(Array.from({ length: 25 }, (_, i) => get((i % 20) + 1)))
  t.equal(cache.computations, 1, '25 concurrent callers: one aggregation')
  t.equal(new Set(first.map((r) => r.to)).size, 1, 'all answered from it (the same `to`)')
  const full = first.find((r, i) => (i % 20) + 1 === 20)!
  t.ok(full.items.some((i) => i.keyword === mixed), 'it holds the trending terms')
  for (const limit of [1, 5, 20]) {
    const r = await get(limit)
    t.equal(r.to, full.to, `limit ${limit}: the same aggregation`)
    t.same(r.items, full.items.slice(0, limit), `limit ${limit}: a slice of it`)
  }
  t.equal(cache.computations, 1, 'still one after more calls within the period')

  const hide = await cached.inject({ method: 'POST', url: '/api/admin/tracking/hidden-terms', headers: admin(), payload: { term: mixed, reason: 'cache test' } })
  t.equal(hide.statusCode, 201)
  const after = await get(20)
  t.equal(cache.computations, 2, 'hiding cleared the cache: the next call aggregated again')
  t.notOk(after.items.some((i) => i.keyword === mixed), 'without the hidden term, within the period')
  t.equal((await cached.inject({ method: 'DELETE', url: `/api/admin/tracking/hidden-terms?term=${mixed}`, headers: admin() })).statusCode, 204)
})

t.test('TrendingCache: the period counts from the start of a computation; failures and invalidated flights are not kept', async (t) => {
  let now = 1_000_000
  let fail = false
  let hold = false
  const held: (() => void)[] = []
  const cache = new TrendingCache(async (at) => {
    if (hold) await new Promise<void>((r) => held.push(r))
    if (fail) throw new Error('database away')
    return `computed at ${at}`
  }, 60_000, () => now)

  t.equal(await cache.get(), 'computed at 1000000')
  now += 59_999
  t.equal(await cache.get(), 'computed at 1000000', 'within the period: cached')
  now += 1
  t.equal(await cache.get(), 'computed at 1060000', 'at the end of the period: computed again')
  t.equal(cache.computations, 2)

  now += 60_000
  fail = true
  await t.rejects(cache.get(), /database away/)
  fail = false
  t.equal(await cache.get(), `computed at ${now}`, 'a failure is not kept: the next caller computes')
  t.equal(cache.computations, 4)

  now += 60_000
  const started = now
  hold = true
  const stale = cache.get()
  const joined = cache.get()
  t.equal(cache.computations, 5, 'a caller during a computation joins it')
  cache.invalidate()
  now += 1
  const fresh = cache.get()
  t.equal(cache.computations, 6, 'after invalidate, a caller does not join the flight that started before it')
  held[1]!()
  t.equal(await fresh, `computed at ${started + 1}`)
  held[0]!()
  t.equal(await stale, `computed at ${started}`, 'the older flight still answers its own callers')
  t.equal(await joined, `computed at ${started}`)
  hold = false
  t.equal(await cache.get(), `computed at ${started + 1}`, 'but its value is not kept: the fresh one is served')
  t.equal(cache.computations, 6)
})
