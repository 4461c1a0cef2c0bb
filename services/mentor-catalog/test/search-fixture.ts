import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildService, loadConfig } from '@sunbae/service-kit'
import { TEST_IDENTITY_SECRET, signIdentitiesOnInject } from '@sunbae/service-kit/testing'
import { dropDatabase, migrateAll, serviceDatabaseUrl, setupDatabase, withDatabase } from '@sunbae/db'
import { definition } from '../src/service.ts'
import type { SearchDoc } from '../src/search/search.types.ts'
import { generatedMentorId, generatedSearchDoc, type GenMentorRecord } from '../src/search/generated.ts'
import { adminUrl as baseAdminUrl } from './helpers.ts'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/** gen_mentors.py output committed with the repo (see scripts/data/README.md). */
export const GEN_MENTORS_FIXTURE = join(REPO_ROOT, 'scripts', 'data', 'gen-mentors-2000.jsonl')

export type GenMentor = GenMentorRecord
export const mentorUuid = generatedMentorId

export function generateMentors(n: number): GenMentor[] {
  const all = readFileSync(GEN_MENTORS_FIXTURE, 'utf8').split('\n').filter(Boolean)
  if (n > all.length) throw new Error(`the fixture holds ${all.length} mentors, ${n} asked for`)
  return all.slice(0, n).map((l) => JSON.parse(l) as GenMentor)
}

/** The generated mentors as the index holds them (what search.repository.ts reads from Postgres). */
export const searchDocs = (mentors: GenMentor[]): SearchDoc[] => mentors.map(generatedSearchDoc)

/**
 * A database of its own (other suites add mentors to the shared test database, which would change
 * every expected result here): created, migrated, dropped at the end.
 *
 * The admin connection is one `pg.Client`, not a pool: `Pool.end()` resolves before its clients'
 * connections have closed, so the FORCE drop right after it could terminate one of them, and the
 * server's "terminating connection" error reached the pool as an idle-client error and crashed the
 * test process (a CI failure). `Client.end()` resolves only once the connection is gone.
 */
export async function searchDatabase(): Promise<{ adminUrl: string; serviceUrl: string; admin: pg.Client; drop(): Promise<void> }> {
  const adminUrl = withDatabase(baseAdminUrl, `sunbae_test_search_${process.pid}`)
  await setupDatabase({ adminUrl, rootDir: REPO_ROOT, services: ['mentor-catalog'] })
  await migrateAll({ adminUrl, rootDir: REPO_ROOT, services: ['mentor-catalog'] })
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  return {
    adminUrl,
    serviceUrl: serviceDatabaseUrl(adminUrl, 'mentor_catalog'),
    admin,
    drop: async () => {
      await admin.end()
      await dropDatabase(adminUrl)
    },
  }
}

export async function insertMentors(admin: pg.Client, mentors: GenMentor[]): Promise<void> {
  for (let i = 0; i < mentors.length; i += 1000) {
    const batch = mentors.slice(i, i + 1000).map((m) => ({ ...m, uuid: mentorUuid(m.id) }))
    await admin.query(
      `insert into mentor_catalog.mentors
         (id, display_name, headline, bio, skills, company, years_experience, hourly_rate, languages, timezone, links, status,
          rating, review_count, rating_total, approved_at, created_at, updated_at)
       select x.uuid, x.display_name, x.headline, x.bio, string_to_array(x.tags, ','), x.company, x.years_experience, x.hourly_rate,
              string_to_array(x.languages, ','), 'Asia/Seoul', '[]'::jsonb, 'active', x.rating, x.review_count,
              x.rating * x.review_count, x.created_at, x.created_at, x.created_at
       from jsonb_to_recordset($1::jsonb) as x(uuid uuid, display_name text, headline text, bio text, tags text, company text,
              years_experience int, hourly_rate int, languages text, rating numeric, review_count int, created_at timestamptz)`,
      [JSON.stringify(batch)],
    )
  }
}

/** The real service on that database (NATS included), not listening; waits for the index. */
export async function buildSearchCatalog(serviceUrl: string): Promise<FastifyInstance> {
  const env = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: serviceUrl,
    IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  }
  // the gateway's part: identityHeaders are signed for this service and each request's method and path
  const app = signIdentitiesOnInject(await buildService(definition, loadConfig(definition.configSchema, env, definition.configDefaults)), definition.name)
  await app.ready()
  await app.mentorSearch.whenReady()
  return app
}

// ------------------------------------------------------------------------------------------------
// The reference: DRF's SearchFilter as the original stack ran it, written the plain way.

/** Python's str.isspace() characters */
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

/** DRF 3.x: `params.replace('\x00', '').replace(',', ' ').split()` */
export const drfTerms = (q: string): string[] => q.replaceAll('\0', '').replaceAll(',', ' ').split(PY_WHITESPACE).filter(Boolean)

/** Django on Postgres: `UPPER(field) LIKE UPPER('%term%')`, OR over the search fields, AND over terms. */
export function drfMatches(m: GenMentor, terms: string[]): boolean {
  const fields = [m.display_name, m.headline, m.bio, m.tags].map((f) => f.toUpperCase())
  return terms.every((t) => fields.some((f) => f.includes(t.toUpperCase())))
}

/** The ranking promised on top: per term 3 (name or skills), 2 (headline), 1 (bio); rating; id. */
export function relevance(m: GenMentor, terms: string[]): number {
  const up = (s: string) => s.toUpperCase()
  let score = 0
  for (const raw of new Set(terms.map((t) => t.toLowerCase()))) {
    const t = up(raw)
    score += up(m.display_name).includes(t) || up(m.tags).includes(t) ? 3 : up(m.headline).includes(t) ? 2 : 1
  }
  return score
}

export const byRatingThenId = (a: GenMentor, b: GenMentor) => b.rating - a.rating || (mentorUuid(a.id) < mentorUuid(b.id) ? -1 : 1)
