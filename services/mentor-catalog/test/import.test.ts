import t from 'tap'
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { buildCatalog, testEnv } from './helpers.ts'
import { importedMentorId } from '../src/mentors/import.ts'
import { generateMentors } from './search-fixture.ts'

const cli = fileURLToPath(new URL('../src/cli/import-mentors.ts', import.meta.url))
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env: testEnv(), encoding: 'utf8', timeout: 120_000 })

const dir = mkdtempSync(path.join(tmpdir(), 'import-mentors-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

/**
 * gen_mentors.py output with ids moved to a range of this run's own: the test database is shared
 * with other tests that may import the same generated file.
 */
function generated(n: number): { file: string; records: Record<string, any>[] } {
  const offset = randomInt(1_000_000_000, 2_000_000_000)
  const records = generateMentors(n).map((r) => ({ ...r, id: r.id + offset }) as Record<string, any>)
  const file = path.join(dir, `mentors-${offset}.jsonl`)
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n')
  return { file, records }
}

t.test('imports generated mentors as approved active mentors with outbox events; re-import duplicates nothing', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const { file, records } = generated(250)
  const ids = records.map((r) => importedMentorId(r.id))

  const first = run(file, '--batch', '100')
  t.equal(first.status, 0, first.stderr)
  t.match(first.stdout, /imported 250 records \(250 new, 0 updated, 0 unchanged\) in [\d.]+ s: \d+ records\/s/)

  const rows = await app.db.selectFrom('mentors').selectAll().where('id', 'in', ids).execute()
  t.equal(rows.length, 250)
  const byId = new Map(rows.map((r) => [r.id, r]))
  const r0 = records[0]!
  t.match(byId.get(ids[0]!), {
    uid: null,
    display_name: r0.display_name,
    headline: r0.headline,
    bio: r0.bio,
    skills: r0.tags.split(','),
    company: r0.company,
    years_experience: r0.years_experience,
    hourly_rate: r0.hourly_rate,
    languages: r0.languages.split(','),
    status: 'active',
    review_count: r0.review_count,
  })
  for (const r of records) {
    const row = byId.get(importedMentorId(r.id))!
    if (Number(row.rating) !== r.rating || Number(row.rating_total) !== Math.round(r.rating * r.review_count * 100) / 100) {
      t.fail(`aggregates of record ${r.id}`)
    }
  }
  t.equal(new Date(byId.get(ids[0]!)!.approved_at).getTime(), new Date(r0.created_at).getTime(), 'approved when the record was created')

  // the public page shows an imported mentor
  const page = await app.inject(`/api/mentors/${ids[0]}`)
  t.equal(page.statusCode, 200)
  t.match(page.json(), { displayName: r0.display_name, rating: r0.rating, reviewCount: r0.review_count })

  const outbox = async () =>
    app.db
      .selectFrom('outbox')
      .select(['subject', 'payload'])
      .where(sql<string>`payload->'subject'->>'id'`, 'in', ids)
      .execute()
  const events = await outbox()
  t.equal(events.length, 250, 'one event per mentor')
  t.ok(events.every((e) => e.subject === 'catalog.mentor.approved'))
  t.match((events[0]!.payload as any).data, { uid: null, status: 'active', timezone: 'Asia/Seoul', links: [] })

  const again = run(file, '--batch', '100')
  t.equal(again.status, 0, again.stderr)
  t.match(again.stdout, /imported 250 records \(0 new, 0 updated, 250 unchanged\)/)
  t.equal((await app.db.selectFrom('mentors').select('id').where('id', 'in', ids).execute()).length, 250, 'no duplicates')
  t.equal((await outbox()).length, 250, 'an unchanged re-import announces nothing')

  // a changed record updates its profile only and is announced as updated
  const changed = records.map((r, i) => (i === 0 ? { ...r, headline: 'Changed headline', rating: 1 } : r))
  writeFileSync(file, changed.map((r) => JSON.stringify(r)).join('\n'))
  const third = run(file)
  t.match(third.stdout, /\(0 new, 1 updated, 249 unchanged\)/)
  const after = await app.db.selectFrom('mentors').selectAll().where('id', '=', ids[0]!).executeTakeFirstOrThrow()
  t.equal(after.headline, 'Changed headline')
  t.equal(Number(after.rating), r0.rating, 'ratings are not overwritten by a re-import')
  t.same((await outbox()).map((e) => e.subject).filter((s) => s === 'catalog.mentor.updated'), ['catalog.mentor.updated'])
})

t.test('a bad line stops the import naming the line; batches are atomic', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const { file, records } = generated(5)
  const lines = records.map((r) => JSON.stringify(r))
  lines[3] = JSON.stringify({ ...records[3], years_experience: -2 })
  writeFileSync(file, lines.join('\n'))

  const res = run(file, '--batch', '2')
  t.equal(res.status, 1)
  t.match(res.stderr, /line 4: years_experience must be greater or equal to 0|line 4: years_experience/)
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace')
  const present = await app.db
    .selectFrom('mentors')
    .select('id')
    .where('id', 'in', records.map((r) => importedMentorId(r.id)))
    .execute()
  t.same(
    present.map((p) => p.id).sort(),
    records.slice(0, 2).map((r) => importedMentorId(r.id)).sort(),
    'the first batch (lines 1-2) is in, the batch with the bad line (3-4) is not',
  )

  for (const [bad, expected] of [
    ['{not json', /line 1: not JSON/],
    [JSON.stringify({ ...records[0], languages: 'ko,xx' }), /line 1: languages: "xx" is not an ISO 639-1 code/],
    [JSON.stringify({ ...records[0], hourly_rate: 'free' }), /line 1: hourly_rate/],
  ] as const) {
    writeFileSync(file, `${bad}\n`)
    const r = run(file)
    t.equal(r.status, 1)
    t.match(r.stderr, expected)
  }
  t.equal(run().status, 2, 'usage')
  t.match(run(path.join(dir, 'missing.jsonl')).stderr, /Cannot read/)
})
