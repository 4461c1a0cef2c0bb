import t from 'tap'
import { randomUUID } from 'node:crypto'
import { MATCHING_LIMITS } from '@sunbae/contracts'
import { badNumbersTest } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildMatching } from './helpers.ts'

// Issue 16: every numeric input of this service's OpenAPI document refuses non-finite and huge numbers (see badNumbersTest).

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = [
  'GET /api/matching/recommendations/ querystring/limit',
  'GET /api/matching/requests/ querystring/page',
  'GET /api/matching/matches/ querystring/pageSize',
  'PUT /api/matching/preferences/ body/budget/max',
  'PUT /api/matching/mentor-settings/ body/capacity',
]

badNumbersTest(t, buildMatching, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })

// The schema is not the only bound: `limit` sizes the candidate pool and the O(n²) diversity pass.
t.test('a caller that skips the schema still gets a bounded answer', async (t) => {
  const app = await buildMatching()
  t.teardown(() => app.close())
  // more mentors sharing the skill than the most recommendations one answer may hold (this replica's index only)
  for (let i = 0; i < MATCHING_LIMITS.recommendations + 20; i++) {
    app.mentorReadModel.index.applyProfile(
      {
        id: randomUUID(),
        uid: `numbers-mentor-${randomUUID()}`,
        displayName: 'M',
        headline: `Quantum basket weaver ${i}`,
        bio: '',
        skills: ['quantum basket weaving'],
        company: null,
        yearsExperience: 5,
        hourlyRate: 50_000,
        languages: ['ko'],
        timezone: 'Asia/Seoul',
        status: 'active',
        approvedAt: new Date().toISOString(),
      },
      { at: Date.now(), id: randomUUID() },
    )
  }
  const mentee = `numbers-mentee-${randomUUID()}`
  const put = await app.inject({
    method: 'PUT',
    url: '/api/matching/preferences',
    headers: identityHeaders({ uid: mentee, role: 'mentee' }),
    payload: { skills: ['quantum basket weaving'], languages: ['ko'] },
  })
  t.equal(put.statusCode, 200, put.body)
  for (const limit of [Infinity, 1e6, Number.NaN]) {
    const answer = await app.recommendations.forMentee(mentee, limit)
    t.ok(answer.items.length > 0, `limit ${limit}: some recommendations`)
    t.ok(answer.items.length <= MATCHING_LIMITS.recommendations, `limit ${limit}: ${answer.items.length} ≤ ${MATCHING_LIMITS.recommendations}`)
  }
})
