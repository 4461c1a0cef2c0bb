import t from 'tap'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { createEvent } from '@sunbae/bus'
import type { FastifyInstance } from 'fastify'
import { natsConnect } from './helpers.ts'
import {
  buildSearchCatalog,
  byRatingThenId,
  drfMatches,
  drfTerms,
  generateMentors,
  insertMentors,
  mentorUuid,
  relevance,
  searchDatabase,
  type GenMentor,
} from './search-fixture.ts'

// A fixed data set: 2,000 generated mentors in a database of their own; every expectation below is
// computed here from the JSONL with the plain DRF rule, never hard-coded.
const mentors = generateMentors(2000)
const byUuid = new Map(mentors.map((m) => [mentorUuid(m.id), m]))
const database = await searchDatabase()
await insertMentors(database.admin, mentors)
const app: FastifyInstance = await buildSearchCatalog(database.serviceUrl)
const nc = await natsConnect()
t.teardown(async () => {
  await app.close()
  await nc.close()
  await database.drop()
})

async function get(query: Record<string, string | number | string[]>, headers: Record<string, string> = {}) {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one))
  return app.inject({ method: 'GET', url: `/api/mentors?${params}`, headers })
}

/** Every page of a search through the API: ids in order, and the totals each page reported. */
async function allPages(query: Record<string, string | number | string[]>): Promise<{ ids: string[]; totals: Set<number> }> {
  const ids: string[] = []
  const totals = new Set<number>()
  for (let page = 1; ; page++) {
    const res = await get({ ...query, page, pageSize: 50 })
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`)
    const body = res.json()
    totals.add(body.total)
    ids.push(...body.items.map((i: { id: string }) => i.id))
    if (body.items.length < 50) return { ids, totals }
  }
}

const QUERIES = [
  // Korean, incl. two-syllable terms
  '면접', '이직', '취업', '면접 이직', '취업,면접', '데이터 분석', '네카라쿠배', '서비스 기획', '멘토', '김',
  // English, case, substrings inside words
  'python', 'Python', 'PYTHON', 'ux', 'nux', 'linux', 'ux research', 'spring boot', 'senior backend engineer', 'Kim',
  'react native', 'next.js', 'c++', 'a/b', 'ci/cd', 'node.js express', 'e', 'ex-naver', '@', '|',
  // mixed
  'ux 리서치', 'python 면접', 'aws 클라우드',
  // literal characters: LIKE wildcards, quotes, backslash
  '%', '50%', '_', 'c_', 'a_b', "let's", "'", '"python"', '\\', '100%_\\',
  // nothing, separators only, a miss
  '', '  ,, ', 'xyzzy',
]

t.test('search returns exactly what the DRF SearchFilter returns, in relevance order, over all pages', async (t) => {
  for (const q of QUERIES) {
    const terms = drfTerms(q)
    const expected = mentors.filter((m) => drfMatches(m, terms))
    if (terms.length > 0) {
      expected.sort((a, b) => relevance(b, terms) - relevance(a, terms) || byRatingThenId(a, b))
    } else {
      expected.sort(byRatingThenId)
    }
    const { ids, totals } = await allPages({ q })
    t.same([...totals], [expected.length], `${JSON.stringify(q)}: total ${expected.length}`)
    t.same(ids, expected.map((m) => mentorUuid(m.id)), `${JSON.stringify(q)}: same ids, same order`)

    // the index itself, in one go
    const whole = app.mentorSearch.index.search({ q, page: 1, pageSize: 100_000 })
    t.same(new Set(whole.hits.map((h) => h.doc.id)), new Set(expected.map((m) => mentorUuid(m.id))), `${JSON.stringify(q)}: index result set`)
  }
})

t.test('sorts by rating and price; filters by skills, languages, rate and years', async (t) => {
  const q = 'python'
  const terms = drfTerms(q)
  const base = mentors.filter((m) => drfMatches(m, terms))
  const ids = (ms: GenMentor[]) => ms.map((m) => mentorUuid(m.id))

  t.same((await allPages({ q, sort: 'rating' })).ids, ids([...base].sort(byRatingThenId)), 'rating')
  t.same((await allPages({ q, sort: 'price_asc' })).ids, ids([...base].sort((a, b) => a.hourly_rate - b.hourly_rate || byRatingThenId(a, b))), 'price_asc')
  t.same((await allPages({ q, sort: 'price_desc' })).ids, ids([...base].sort((a, b) => b.hourly_rate - a.hourly_rate || byRatingThenId(a, b))), 'price_desc')
  t.same((await allPages({})).ids, ids([...mentors].sort(byRatingThenId)), 'no q: every mentor by rating')

  const tags = (m: GenMentor) => m.tags.toLowerCase().split(',')
  const langs = (m: GenMentor) => m.languages.split(',')
  const cases: Array<[Record<string, string | number | string[]>, (m: GenMentor) => boolean]> = [
    [{ skills: 'Python,Django' }, (m) => tags(m).includes('python') && tags(m).includes('django')],
    [{ skills: ['python', 'docker'] }, (m) => tags(m).includes('python') && tags(m).includes('docker')],
    [{ skills: 'spring boot' }, (m) => tags(m).includes('spring boot')],
    [{ skills: 'spring' }, (m) => tags(m).includes('spring')],
    [{ languages: 'ja,zh' }, (m) => langs(m).includes('ja') || langs(m).includes('zh')],
    [{ minRate: 50000, maxRate: 100000 }, (m) => m.hourly_rate >= 50000 && m.hourly_rate <= 100000],
    [{ minYears: 10 }, (m) => m.years_experience >= 10],
    [{ q: '면접', languages: 'en', maxRate: 80000, minYears: 3 }, (m) => drfMatches(m, ['면접']) && langs(m).includes('en') && m.hourly_rate <= 80000 && m.years_experience >= 3],
    [{ q: 'ux', skills: 'figma', sort: 'price_asc' }, (m) => drfMatches(m, ['ux']) && tags(m).includes('figma')],
    [{ skills: 'no such skill' }, () => false],
  ]
  for (const [query, keep] of cases) {
    const expected = mentors.filter(keep)
    const got = await allPages(query)
    t.same([...got.totals], [expected.length], `${JSON.stringify(query)}: total`)
    t.same(new Set(got.ids), new Set(ids(expected)), `${JSON.stringify(query)}: ids`)
  }
})

t.test('pagination and input bounds', async (t) => {
  const total = mentors.filter((m) => drfMatches(m, ['면접'])).length
  const first = (await get({ q: '면접' })).json()
  t.equal(first.page, 1)
  t.equal(first.pageSize, 20, 'default page size')
  t.equal(first.items.length, 20)
  t.equal(first.total, total)

  const beyond = await get({ q: '면접', page: 999, pageSize: 50 })
  t.equal(beyond.statusCode, 200)
  t.same(beyond.json(), { items: [], total, page: 999, pageSize: 50 }, 'a page past the end: empty, with the true total')

  for (const [query, field] of [
    [{ pageSize: 1000 }, 'querystring/pageSize'],
    [{ pageSize: 0 }, 'querystring/pageSize'],
    [{ page: 0 }, 'querystring/page'],
    [{ q: 'x'.repeat(10_000) }, 'querystring/q'],
    [{ sort: 'newest' }, 'querystring/sort'],
    [{ minRate: -1 }, 'querystring/minRate'],
    [{ minRate: 9, maxRate: 1 }, 'querystring/minRate'],
    [{ q: 'a b c d e f g h i j k' }, 'querystring/q'],
  ] as const) {
    const res = await get(query as Record<string, string | number>)
    t.equal(res.statusCode, 400, `${JSON.stringify(query).slice(0, 60)} → 400`)
    t.equal(res.json().error.details?.[0]?.field, field)
  }
  t.equal((await get({ q: 'a b c d e f g h i j' })).statusCode, 200, 'ten terms are fine')
})

t.test('highlights are offsets into plain text; a typo gets a suggestion', async (t) => {
  const body = (await get({ q: 'UX 리서치', pageSize: 50 })).json()
  t.ok(body.items.length > 0)
  for (const item of body.items) {
    t.ok(item.highlights.length > 0, 'every hit says where it matched')
    for (const h of item.highlights) {
      t.ok(['displayName', 'headline', 'bio', 'skills'].includes(h.field))
      for (const r of h.ranges) {
        const marked = h.snippet.slice(r.start, r.end).toLowerCase()
        t.ok(marked.includes('ux') || marked.includes('리서치'), `${h.field}: "${marked}" is a matched term`)
      }
    }
  }
  const miss = (await get({ q: 'pythn' })).json()
  t.equal(miss.total, 0)
  t.equal(miss.suggestion, 'python', 'did you mean python')
  const ko = (await get({ q: '면젒' })).json()
  t.equal(ko.total, 0)
  t.equal(ko.suggestion, '면접', 'Hangul compared by jamo')
  t.notOk('suggestion' in (await get({ q: 'python' })).json(), 'no suggestion when something matched')
})

t.test('suspended mentors vanish, reinstated ones return, edits are searchable (events → re-read)', async (t) => {
  const js = (await import('@nats-io/jetstream')).jetstream(nc)
  const target = mentors.find((m) => drfMatches(m, ['python']))!
  const id = mentorUuid(target.id)
  const announce = async (type: string) => {
    const e = createEvent({ type, version: 1, source: 'search-test', actor: { type: 'system', id: null }, data: { id }, subject: { type: 'mentor', id } })
    await js.publish(type, new TextEncoder().encode(JSON.stringify(e)), { msgID: e.id })
  }
  const found = async (q: string) => (await allPages({ q })).ids.includes(id)
  const eventually = async (cond: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      if (await cond()) return t.pass(what)
      await new Promise((r) => setTimeout(r, 50))
    }
    t.fail(`timed out: ${what}`)
  }

  t.ok(await found('python'))
  await database.admin.query(`update mentor_catalog.mentors set status = 'suspended' where id = $1`, [id])
  await announce('catalog.mentor.suspended')
  await eventually(async () => !(await found('python')), 'suspended mentor is gone from search')
  t.notOk((await allPages({})).ids.includes(id), 'and from the plain list')

  await database.admin.query(`update mentor_catalog.mentors set status = 'active', bio = bio || ' Zqxjv mentoring.' where id = $1`, [id])
  await announce('catalog.mentor.reinstated')
  await eventually(() => found('zqxjv'), 'reinstated with the edited bio')
  t.ok(await found('python'))

  const rated = createEvent({ type: 'catalog.mentor.rated', version: 1, source: 'search-test', actor: { type: 'system', id: null }, data: { mentorId: id, rating: 5, reviewCount: 1 } })
  await database.admin.query(`update mentor_catalog.mentors set rating = 5.00, review_count = review_count + 1 where id = $1`, [id])
  await js.publish(rated.type, new TextEncoder().encode(JSON.stringify(rated)), { msgID: rated.id })
  await eventually(async () => (await get({ q: 'zqxjv' })).json().items[0]?.rating === 5, 'rating follows catalog.mentor.rated (data.mentorId)')
  t.equal(byUuid.get(id)?.id, target.id)
})

t.test('every search publishes telemetry.search, anonymous or signed in', async (t) => {
  const sub = nc.subscribe('telemetry.search')
  const seen: any[] = []
  void (async () => {
    for await (const m of sub) seen.push(m.json())
  })()
  t.teardown(() => sub.unsubscribe())
  await nc.flush()
  const uid = `u-search-${process.pid}`
  // the gateway forwards X-Forwarded-For as the trusted chain, client first
  const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.0.0.5' }
  await get({ q: '면접 Python', skills: 'python', page: 2, pageSize: 5 }, { ...identityHeaders({ uid }), ...forwarded, 'x-request-id': `req-${process.pid}-1` })
  await get({ q: 'ux' }, { ...forwarded, 'x-request-id': `req-${process.pid}-2` })
  await get({ q: 'ux' }, { 'x-request-id': `req-${process.pid}-3` })
  await get({ q: 'ux' }, { 'x-forwarded-for': 'not-an-address', 'x-request-id': `req-${process.pid}-4` })
  const deadline = Date.now() + 10_000
  const mine = () => seen.filter((e) => String(e.requestId).startsWith(`req-${process.pid}-`))
  while (mine().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  const event = (n: number) => mine().find((e) => e.requestId.endsWith(`-${n}`))
  const [signed, anon] = [event(1), event(2)]
  t.match(signed, {
    query: '면접 Python',
    terms: ['면접', 'python'],
    filters: { skills: ['python'], languages: [], minRate: null, maxRate: null, minYears: null },
    sort: 'relevance',
    page: 2,
    pageSize: 5,
    resultCount: mentors.filter((m) => drfMatches(m, ['면접', 'Python']) && m.tags.toLowerCase().split(',').includes('python')).length,
    user: uid,
  })
  t.type(signed.latencyMs, 'number')
  t.ok(Date.parse(signed.occurredAt))
  t.match(anon, { query: 'ux', user: null, resultCount: mentors.filter((m) => drfMatches(m, ['ux'])).length })
  t.equal(anon.clientIp, '203.0.113.9', "an anonymous search carries its client's address (the first X-Forwarded-For entry)")
  t.notOk('clientIp' in signed, 'a signed-in search carries no address (its uid counts)')
  t.equal(event(3)?.clientIp, '127.0.0.1', 'without X-Forwarded-For (a direct call): the socket peer')
  t.notOk('clientIp' in (event(4) ?? {}), 'no address when the first entry is not one')
  t.ok(event(4), 'and the search is still reported')
})

t.test('/readyz includes the search index', async (t) => {
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().checks['search-index'], 'ok')
  t.equal(app.mentorSearch.stats().size, 2000)
})
