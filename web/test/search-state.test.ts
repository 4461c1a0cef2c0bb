import t from 'tap'
import { SEARCH_LIMITS } from '@sunbae/contracts'
import { DEFAULT_SEARCH, lastPage, pagerItems, parseSearch, toApiQuery, toSearchParams, updateSearch } from '../src/lib/search-state.ts'
import { splitHighlight } from '../src/lib/highlight.ts'

const parse = (q: string) => parseSearch(new URLSearchParams(q))

t.test('an empty query is the default state and writes no query back', async (t) => {
  t.same(parse(''), DEFAULT_SEARCH)
  t.equal(toSearchParams(DEFAULT_SEARCH).toString(), '')
})

t.test('a full state survives the round trip through the URL', async (t) => {
  const s = { ...DEFAULT_SEARCH, q: '백엔드 개발', skills: ['Go', 'Kafka'], languages: ['ko', 'en'], minRate: 10000, maxRate: 50000, sort: 'rating' as const, page: 3, pageSize: 10 }
  const url = toSearchParams(s).toString()
  t.same(parse(url), s)
  t.match(url, /q=%EB%B0%B1/)
})

t.test('hand-edited URLs are bounded, never thrown at', async (t) => {
  const s = parse(`q=${'a'.repeat(500)}&page=0&pageSize=999&minRate=-5&maxRate=abc&sort=cheapest&languages=ko,english,EN`)
  t.equal(s.q.length, SEARCH_LIMITS.q)
  t.equal(s.page, 1)
  t.equal(s.pageSize, SEARCH_LIMITS.pageSizeDefault)
  t.equal(s.minRate, null)
  t.equal(s.maxRate, null)
  t.equal(s.sort, null)
  t.same(s.languages, ['ko'])
  t.equal(parse('page=99999999').page, 1)
  t.equal(parse(`page=${SEARCH_LIMITS.pageMax}`).page, SEARCH_LIMITS.pageMax)
})

t.test('skills: repeated or comma-separated, trimmed, de-duplicated, at most the API limit', async (t) => {
  t.same(parse('skills=Go,%20React&skills=Go&skills=').skills, ['Go', 'React'])
  const many = Array.from({ length: 15 }, (_, i) => `s${i}`).join(',')
  t.equal(parse(`skills=${many}`).skills.length, SEARCH_LIMITS.filterValues)
})

t.test('a reversed rate range is swapped rather than sent as an impossible filter', async (t) => {
  const s = parse('minRate=50000&maxRate=10000')
  t.equal(s.minRate, 10000)
  t.equal(s.maxRate, 50000)
})

t.test('changing the query or a filter goes back to page 1; paging keeps the rest', async (t) => {
  const s = { ...DEFAULT_SEARCH, q: 'react', page: 4 }
  t.equal(updateSearch(s, { q: 'vue' }).page, 1)
  t.equal(updateSearch(s, { skills: ['TS'] }).page, 1)
  const paged = updateSearch(s, { page: 5 })
  t.equal(paged.page, 5)
  t.equal(paged.q, 'react')
})

t.test('the API query carries only what is set', async (t) => {
  t.same(toApiQuery(DEFAULT_SEARCH), { page: 1, pageSize: SEARCH_LIMITS.pageSizeDefault })
  t.same(toApiQuery({ ...DEFAULT_SEARCH, q: '  데이터 ', minRate: 0 }), { q: '데이터', minRate: 0, page: 1, pageSize: 20 })
})

t.test('highlights split a snippet into marked and plain parts by offsets', async (t) => {
  t.same(splitHighlight('백엔드 개발자', [{ start: 0, end: 3 }]), [{ text: '백엔드', mark: true }, { text: ' 개발자', mark: false }])
  t.same(splitHighlight('abcdef', [{ start: 4, end: 5 }, { start: 1, end: 2 }]), [
    { text: 'a', mark: false }, { text: 'b', mark: true }, { text: 'cd', mark: false }, { text: 'e', mark: true }, { text: 'f', mark: false },
  ])
  t.same(splitHighlight('abc', [{ start: 2, end: 99 }, { start: 1, end: 3 }]), [{ text: 'a', mark: false }, { text: 'bc', mark: true }])
  t.same(splitHighlight('<b>x</b>', []), [{ text: '<b>x</b>', mark: false }])
})

t.test('the pager: every page when seven fit, else first, last, the current one and its neighbours', async (t) => {
  t.equal(lastPage(0, 20), 1, 'no results: one (empty) page')
  t.equal(lastPage(41, 20), 3)
  t.equal(lastPage(40, 20), 2)
  t.equal(lastPage(10_000_000, 10), SEARCH_LIMITS.pageMax, 'never past the page the API accepts')
  t.same(pagerItems(1, 1), [1])
  t.same(pagerItems(3, 7), [1, 2, 3, 4, 5, 6, 7])
  t.same(pagerItems(1, 8), [1, 2, 3, 4, 5, 'gap', 8])
  t.same(pagerItems(4, 8), [1, 2, 3, 4, 5, 'gap', 8])
  t.same(pagerItems(5, 8), [1, 'gap', 4, 5, 6, 7, 8])
  t.same(pagerItems(50, 100), [1, 'gap', 49, 50, 51, 'gap', 100])
  t.same(pagerItems(97, 100), [1, 'gap', 96, 97, 98, 99, 100])
  t.same(pagerItems(100, 100), [1, 'gap', 96, 97, 98, 99, 100])
  for (let last = 1; last <= 30; last++) {
    for (let page = 1; page <= last; page++) {
      const items = pagerItems(page, last)
      const pages = items.filter((i) => i !== 'gap')
      if (!(pages.includes(page) && pages.includes(1) && pages.includes(last) && items.length === Math.min(last, 7) && pages.every((p, i) => i === 0 || p > pages[i - 1]!))) {
        t.fail(`page ${page} of ${last}: ${items.join(' ')}`)
      }
    }
  }
})
