// The index computes highlights only for the fields its term bitsets say hold a term (plain text),
// and only for those terms. Here every hit's highlights are compared with the plain way: every field
// searched for every term with matchRanges — same fields, same order, same snippets and ranges.
import t from 'tap'
import type { SearchHighlight } from '@sunbae/contracts'
import { InMemoryMentorSearchIndex } from '../src/search/memory-index.ts'
import { isPlain, matchRanges, queryTerms, snippet } from '../src/search/text.ts'
import type { SearchDoc } from '../src/search/search.types.ts'
import { generateMentors, mentorUuid, searchDocs } from './search-fixture.ts'

const docs = searchDocs(generateMentors(2000))
// text that is not plain (NFKC changes it, lone surrogates, case changes that grow), and plain text
// with Greek final sigma and separators of every kind
const extra: SearchDoc[] = [
  { ...docs[0]!, id: mentorUuid(900_001), displayName: 'Ｐｙｔｈｏｎ ﬁne İstanbul', headline: 'e\u0301cole python', bio: `caf\u00e9 \ud800 python ${'x'.repeat(300)} ＰＹＴＨＯＮ`, skills: ['Ｐython', 'ﬁle'] },
  { ...docs[1]!, id: mentorUuid(900_002), displayName: 'ΟΔΟΣ Σοφία', headline: 'python\u3000면접,ux\u00a0리서치', bio: 'ΟΔΟΣ ΑΒ python;면접 ux—리서치', skills: ['Σ', 'python,django'] },
]
const index = new InMemoryMentorSearchIndex()
for (const d of [...docs, ...extra]) index.upsert(d)

/** What #hit did before: every field, every term. */
function plainHighlights(doc: SearchDoc, terms: string[]): SearchHighlight[] {
  const plain = [doc.displayName, doc.headline, doc.bio, ...doc.skills].every(isPlain)
  const out: SearchHighlight[] = []
  const name = matchRanges(doc.displayName, terms, plain)
  if (name.length) out.push({ field: 'displayName', snippet: doc.displayName, ranges: name })
  const head = matchRanges(doc.headline, terms, plain)
  if (head.length) out.push({ field: 'headline', snippet: doc.headline, ranges: head })
  const bio = matchRanges(doc.bio, terms, plain)
  if (bio.length) out.push({ field: 'bio', ...snippet(doc.bio, bio, 160) })
  for (const skill of doc.skills) {
    const r = matchRanges(skill, terms, plain)
    if (r.length) out.push({ field: 'skills', snippet: skill, ranges: r })
  }
  return out
}

t.test('highlights equal the every-field, every-term computation', async (t) => {
  const queries = ['면접', '이직', 'python', 'ux 리서치', '면접 python', 'python django', 'e', 'a', 'on', 'fi', 'file', 'python istanbul',
    'σ', 'οδος', 'ς', 'é', 'café', 'ecole', 'école', '\ufffd', 'data 분석', 'senior backend engineer', 'c++', 'ci/cd', 'x']
  let compared = 0
  for (const q of queries) {
    const terms = queryTerms(q)
    for (const sort of ['relevance', 'rating'] as const) {
      for (const page of [1, 2]) {
        const r = index.search({ q, sort, page, pageSize: 50 })
        for (const hit of r.hits) {
          const expected = plainHighlights(hit.doc, terms)
          if (JSON.stringify(hit.highlights) !== JSON.stringify(expected)) t.same(hit.highlights, expected, `${q} → ${hit.doc.id}`)
          compared++
        }
      }
    }
  }
  for (const d of extra) {
    const r = index.search({ q: 'python', page: 1, pageSize: 50_000 })
    const hit = r.hits.find((h) => h.doc.id === d.id)
    t.ok(hit, `${d.id} matches python`)
    t.same(hit?.highlights, plainHighlights(d, ['python']))
  }
  t.ok(compared > 1000, `${compared} hits compared`)
})
