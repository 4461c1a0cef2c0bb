import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { MentorRecord } from '../src/recommendations/mentor-index.ts'
import { buildMatching } from './helpers.ts'

// The read model's upsert (MentorsRepository.apply): a stored profile or rating changes only for a
// newer (version_at, version_id), every column of the newer one is taken, and rows are written in chunks.

/** a version id (event ids are uuids): hex digits, so v('a') < v('b') < … < v('f') */
const v = (c: string) => `00000000-0000-4000-8000-00000000000${c}`

const app = await buildMatching()
t.teardown(() => app.close())
const repo = app.mentorReadModel.repository

const mentor = (over: Partial<MentorRecord> = {}): MentorRecord => ({
  id: randomUUID(),
  uid: `repo-mentor-${randomUUID()}`,
  displayName: 'Old name',
  headline: 'Old headline',
  bio: 'old',
  skills: ['a'],
  company: null,
  yearsExperience: 1,
  hourlyRate: 10_000,
  languages: ['ko'],
  timezone: 'Asia/Seoul',
  status: 'active',
  approvedAt: new Date('2026-01-01T00:00:00Z').toISOString(),
  ...over,
})

async function stored(id: string) {
  for await (const page of repo.all()) {
    const found = page.find((m) => m.rec.id === id)
    if (found) return found
  }
  return undefined
}

t.test('a newer profile replaces every column; an older or equal one changes nothing', async (t) => {
  const first = mentor()
  await repo.apply([{ rec: first, version: { at: 2_000_000, id: v('b') } }], [])
  const newer = mentor({
    ...first,
    uid: `repo-mentor-${randomUUID()}`,
    displayName: 'New name',
    headline: 'New headline',
    bio: 'new',
    skills: ['b', 'c'],
    company: 'Sunbae',
    yearsExperience: 9,
    hourlyRate: 90_000,
    languages: ['en'],
    timezone: 'Europe/Paris',
    status: 'suspended',
    approvedAt: new Date('2026-02-02T00:00:00Z').toISOString(),
  })
  await repo.apply([{ rec: newer, version: { at: 2_000_000, id: v('c') } }], [])
  t.same((await stored(first.id))?.rec, newer, 'same time, greater id: newer, every field taken')
  t.same((await stored(first.id))?.version, { at: 2_000_000, id: v('c') })

  await repo.apply([{ rec: { ...first, displayName: 'Stale' }, version: { at: 1_000_000, id: v('f') } }], [])
  await repo.apply([{ rec: { ...first, displayName: 'Same version' }, version: { at: 2_000_000, id: v('c') } }], [])
  t.same((await stored(first.id))?.rec, newer, 'older and equal versions leave it')
})

t.test('a rating changes only for a newer version; many rows go in chunks', async (t) => {
  const m = mentor()
  await repo.apply([{ rec: m, version: { at: 1_000, id: v('a') } }], [{ mentorId: m.id, rating: { rating: 4.5, reviewCount: 10 }, version: { at: 5_000, id: v('a') } }])
  t.same((await stored(m.id))?.rating, { rating: { rating: 4.5, reviewCount: 10 }, version: { at: 5_000, id: v('a') } })
  await repo.apply([], [{ mentorId: m.id, rating: { rating: 1, reviewCount: 99 }, version: { at: 4_000, id: v('f') } }])
  t.same((await stored(m.id))?.rating?.rating, { rating: 4.5, reviewCount: 10 }, 'an older rating is ignored')
  await repo.apply([], [{ mentorId: m.id, rating: { rating: 3.25, reviewCount: 11 }, version: { at: 6_000, id: v('a') } }])
  t.same((await stored(m.id))?.rating, { rating: { rating: 3.25, reviewCount: 11 }, version: { at: 6_000, id: v('a') } }, 'a newer one is taken')

  const many = Array.from({ length: 2_100 }, () => mentor())
  await repo.apply(
    many.map((rec) => ({ rec, version: { at: 1_000, id: v('a') } })),
    many.map((rec) => ({ mentorId: rec.id, rating: { rating: 4, reviewCount: 1 }, version: { at: 1_000, id: v('a') } })),
  )
  const last = await stored(many[many.length - 1]!.id)
  t.same(last?.rec, many[many.length - 1], 'the third chunk was written')
  t.same(last?.rating?.rating, { rating: 4, reviewCount: 1 })
})
