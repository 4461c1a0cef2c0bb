import t from 'tap'
import { InMemoryMentorSearchIndex } from '../src/search/memory-index.ts'
import type { SearchDoc } from '../src/search/search.types.ts'

const doc = (n: number, displayName: string): SearchDoc => ({
  id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
  displayName,
  headline: '백엔드 10년차 · 면접 코칭',
  bio: '대규모 트래픽 서비스의 백엔드',
  skills: ['node.js'],
  company: 'Sunbae',
  yearsExperience: 10,
  hourlyRate: 80_000,
  languages: ['ko'],
  timezone: 'Asia/Seoul',
  rating: 0,
  reviewCount: 0,
  photoUrl: null,
})

// A suspended mentor leaves the index, but their words stay in the suggestion vocabulary until
// compaction: searching their name must find nothing (no "did you mean" the same words), not
// recurse into the same search until the stack overflows (a 500 on GET /api/mentors).
t.test('searching the name of a removed mentor finds nothing and suggests nothing', async (t) => {
  const index = new InMemoryMentorSearchIndex()
  for (let i = 0; i < 50; i++) index.upsert(doc(i, i === 7 ? '김선배 Mentor' : `멘토 ${i}`))
  const q = { q: '김선배 Mentor', page: 1, pageSize: 10 }
  t.equal(index.search(q).total, 1)
  index.remove(doc(7, '').id)
  const after = index.search(q)
  t.equal(after.total, 0)
  t.equal(after.suggestion, undefined)
  index.upsert(doc(7, '김선배 Mentor'))
  t.equal(index.search(q).total, 1, 'reinstated: found again')
})
