// The search route writes its 200 body from cached per-mentor fragments (src/search/search.json.ts)
// instead of letting Fastify serialize an object. Here both are produced for the same results and
// must be byte-identical: the fragments are an optimization, never a second format.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { MentorSearchResponse } from '@sunbae/contracts'
import { InMemoryMentorSearchIndex } from '../src/search/memory-index.ts'
import { searchResponseBytes } from '../src/search/search.json.ts'
import { toSearchItem, type SearchDoc, type SearchQuery } from '../src/search/search.types.ts'
import { generateMentors, mentorUuid, searchDocs } from './search-fixture.ts'

const docs: SearchDoc[] = searchDocs(generateMentors(2000))
// text that needs escaping, characters beyond the BMP, lone surrogates, an empty list, no company
const odd: SearchDoc = {
  ...docs[0]!,
  id: mentorUuid(999_999),
  displayName: 'Zed "the \\ escaper" \u0001\u001f 😀 Ｚｅｄ',
  headline: 'quotes " and \\ backslashes, tabs\tand\nnewlines \u2028 zed',
  bio: `${'긴 소개 '.repeat(40)}zed \ud800 lone ${'\udc00'} surrogates ${'끝 '.repeat(30)}`,
  skills: [],
  company: null,
  languages: ['ko'],
  rating: 4.25,
  photoUrl: `/api/mentors/${mentorUuid(999_999)}/photo/0123456789abcdef/160`,
}
const index = new InMemoryMentorSearchIndex()
for (const d of [...docs, odd]) index.upsert(d)

const app = Fastify()
let body: unknown = null
app.get('/', { schema: { response: { 200: MentorSearchResponse } } }, async () => body)
t.teardown(() => app.close())

async function compare(t: Test, query: SearchQuery) {
  const r = index.search(query)
  const page = { hits: r.hits, total: r.total, page: query.page, pageSize: query.pageSize, suggestion: r.suggestion }
  body = { items: r.hits.map(toSearchItem), total: r.total, page: query.page, pageSize: query.pageSize, ...(r.suggestion ? { suggestion: r.suggestion } : {}) }
  const viaFastify = await app.inject('/')
  const mine = searchResponseBytes(page)
  t.equal(mine.toString('utf8'), viaFastify.body, `${JSON.stringify(query)}: same bytes as the schema's serializer`)
  t.same(JSON.parse(mine.toString('utf8')), body, 'and the same value')
}

t.test('byte-identical to Fastify serializing the response schema', async (t) => {
  const queries: SearchQuery[] = [
    { q: '면접', page: 1, pageSize: 20 },
    { q: 'python django', page: 2, pageSize: 50 },
    { q: 'ux 리서치', page: 1, pageSize: 20, sort: 'price_asc' },
    { page: 3, pageSize: 20 },
    { q: 'zed', page: 1, pageSize: 5 },
    { q: '"', page: 1, pageSize: 5 },
    { q: '\\', page: 1, pageSize: 5 },
    { q: '😀', page: 1, pageSize: 5 },
    { q: 'pythn', page: 1, pageSize: 20 },
    { q: 'xyzzy', page: 1, pageSize: 20 },
    { q: '면접', page: 999, pageSize: 50 },
  ]
  for (const q of queries) await compare(t, q)
})

t.test('a changed mentor is written with its new profile (fragments are per document object)', async (t) => {
  const before = searchResponseBytes({ hits: index.search({ q: 'zed', page: 1, pageSize: 5 }).hits, total: 1, page: 1, pageSize: 5 }).toString()
  t.match(before, /"rating":4\.25/)
  index.upsert({ ...odd, rating: 3.5, company: 'Zed & Co' })
  await compare(t, { q: 'zed', page: 1, pageSize: 5 })
  const after = searchResponseBytes({ hits: index.search({ q: 'zed', page: 1, pageSize: 5 }).hits, total: 1, page: 1, pageSize: 5 }).toString()
  t.match(after, /"company":"Zed & Co"/)
  t.match(after, /"rating":3\.5/)
})

t.test('large pages grow the scratch buffer', async (t) => {
  const r = index.search({ q: '긴', page: 1, pageSize: 50 })
  const many = { hits: Array.from({ length: 400 }, () => r.hits[0]!), total: 400, page: 1, pageSize: 400 }
  const text = searchResponseBytes(many).toString('utf8')
  t.equal(JSON.parse(text).items.length, 400)
})
