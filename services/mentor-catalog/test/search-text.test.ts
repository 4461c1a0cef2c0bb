import t from 'tap'
import { indexGrams, lookupGrams, matchRanges, normalize, queryTerms, snippet, splitTerms, tokenize, trigramSimilarity } from '../src/search/text.ts'
import { InMemoryMentorSearchIndex } from '../src/search/memory-index.ts'
import type { SearchDoc } from '../src/search/search.types.ts'

t.test('terms: DRF split on whitespace (Python\'s set) and commas; literal everything else', async (t) => {
  t.same(splitTerms('  면접,이직  python\tux\u3000리서치,,'), ['면접', '이직', 'python', 'ux', '리서치'])
  t.same(splitTerms('100%_\\ "a b" \'c'), ['100%_\\', '"a', 'b"', "'c"])
  t.same(splitTerms('a\u0000b'), ['ab'], 'NUL removed as DRF does')
  t.same(splitTerms('a\u001cb\u0085c\ufeffd'), ['a', 'b', 'c\ufeffd'], 'U+001C and U+0085 split (Python), U+FEFF does not')
  t.same(queryTerms('Python PYTHON ＰＹＴＨＯＮ'), ['python'], 'case and full-width folded, duplicates dropped')
  t.equal(normalize('İx'), 'i̇x')
})

t.test('tokens and grams', async (t) => {
  t.same(tokenize('Ex-Naver 백엔드 개발자, Spring Boot'), ['ex-naver', '백엔드', '개발자', 'spring', 'boot'])
  t.same(lookupGrams('면접'), ['면접'], 'two syllables are their own gram')
  t.same(lookupGrams('linux'), ['lin', 'inu', 'nux'])
  t.same(lookupGrams('aaaa'), ['aaa'])
  t.same(indexGrams('abc').sort(), ['a', 'ab', 'abc', 'b', 'bc', 'c'])
})

t.test('highlight ranges and snippets', async (t) => {
  t.same(matchRanges('Linux UX, ux research', ['ux']), [{ start: 3, end: 5 }, { start: 6, end: 8 }, { start: 10, end: 12 }])
  t.same(matchRanges('면접 준비, 모의 면접', ['면접', '모의']), [{ start: 0, end: 2 }, { start: 7, end: 9 }, { start: 10, end: 12 }])
  t.same(matchRanges('pythonic', ['python', 'thon']), [{ start: 0, end: 6 }], 'overlaps merged')
  t.same(matchRanges('a ﬁle, File', ['file']), [{ start: 2, end: 5 }, { start: 7, end: 11 }], 'offsets of the original text when NFKC changes length (ﬁ → fi)')
  const long = `${'a'.repeat(300)} target ${'b'.repeat(300)}`
  const s = snippet(long, [{ start: 301, end: 307 }], 100, 20)
  t.ok(s.snippet.startsWith('…') && s.snippet.endsWith('…'))
  t.equal(s.snippet.slice(s.ranges[0]!.start, s.ranges[0]!.end), 'target')
  t.same(snippet('short', [{ start: 0, end: 2 }]), { snippet: 'short', ranges: [{ start: 0, end: 2 }] })
})

t.test('trigram similarity (pg_trgm measure)', async (t) => {
  t.equal(trigramSimilarity('python', 'python'), 1)
  t.ok(trigramSimilarity('pythn', 'python') > 0.3)
  t.ok(trigramSimilarity('python', 'kotlin') < 0.1)
})

const doc = (id: number, over: Partial<SearchDoc> = {}): SearchDoc => ({
  id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  displayName: `Mentor ${id}`,
  headline: 'Backend engineer',
  bio: 'I help with interviews.',
  skills: ['python'],
  company: null,
  yearsExperience: 5,
  hourlyRate: 50_000,
  languages: ['ko'],
  timezone: 'Asia/Seoul',
  rating: 4,
  reviewCount: 1,
  photoUrl: null,
  ...over,
})

t.test('index: upsert replaces, remove hides, cached terms catch up, compaction keeps results', async (t) => {
  const index = new InMemoryMentorSearchIndex()
  for (let i = 1; i <= 100; i++) index.upsert(doc(i, { rating: i / 25 }))
  const ids = (q: string, sort?: 'rating') => index.search({ q, sort, page: 1, pageSize: 1000 }).hits.map((h) => h.doc.id)
  t.equal(index.search({ q: 'python', page: 1, pageSize: 10 }).total, 100)
  t.equal(ids('python')[0], doc(100).id, 'rating breaks the relevance tie')
  index.upsert(doc(7, { skills: ['go'], bio: 'kubernetes and go' }))
  t.equal(index.search({ q: 'python', page: 1, pageSize: 10 }).total, 99, 'an edit drops the old text (cached term caught up)')
  t.same(ids('kubernetes'), [doc(7).id])
  index.remove(doc(8).id)
  index.remove('00000000-0000-4000-8000-999999999999')
  t.equal(index.size, 99)
  t.notOk(ids('python').includes(doc(8).id))
  t.same(ids('engineer'), ids('', 'rating'), 'headline match for all: relevance order = rating order')
  // many edits: tombstones pile up until the index compacts itself
  for (let round = 0; round < 120; round++) for (let i = 1; i <= 100; i++) if (i !== 8) index.upsert(doc(i, { rating: ((i * 7 + round) % 50) / 10 }))
  t.ok(index.slots < 12_000, `compacted (${index.slots} slots)`)
  t.equal(index.search({ q: 'python', page: 1, pageSize: 10 }).total, 99)
  const rated = index.search({ page: 1, pageSize: 1000, sort: 'rating' }).hits.map((h) => h.doc.rating)
  t.same(rated, [...rated].sort((a, b) => b - a), 'rating order after incremental inserts and compaction')
})
