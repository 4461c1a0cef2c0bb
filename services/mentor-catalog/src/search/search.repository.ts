import { sql, type Kysely } from 'kysely'
import { photoUrlOf } from '../mentors/mentors.mapper.ts'
import type { SearchDoc } from './search.types.ts'

interface Row {
  id: string
  display_name: string
  headline: string
  bio: string
  skills: string[]
  company: string | null
  years_experience: number
  hourly_rate: number
  languages: string[]
  timezone: string
  rating: string | number
  review_count: number
  photo_hash: string | null
}

const COLUMNS = sql`id, display_name, headline, bio, skills, company, years_experience, hourly_rate, languages, timezone, rating, review_count, photo_hash`

/**
 * One string object per distinct value of the fields mentors share (skills, languages, company,
 * timezone): a few hundred values otherwise held as ~700,000 copies at 100k mentors — a smaller
 * heap to mark in every major GC. Bounded: when full it starts over.
 */
const pool = new Map<string, string>()
const POOL_MAX = 50_000
function intern(s: string): string {
  const known = pool.get(s)
  if (known !== undefined) return known
  if (pool.size >= POOL_MAX) pool.clear()
  pool.set(s, s)
  return s
}

function toDoc(r: Row): SearchDoc {
  return {
    id: r.id,
    displayName: r.display_name,
    headline: r.headline,
    bio: r.bio,
    skills: r.skills.map(intern),
    company: r.company === null ? null : intern(r.company),
    yearsExperience: r.years_experience,
    hourlyRate: r.hourly_rate,
    languages: r.languages.map(intern),
    timezone: intern(r.timezone),
    // numeric arrives as a string
    rating: Number(r.rating),
    reviewCount: r.review_count,
    photoUrl: photoUrlOf(r),
  }
}

/** The only SQL of the search read model: it reads mentors, never writes them. */
export class SearchRepository {
  readonly #db: Kysely<any>
  constructor(db: Kysely<any>) {
    this.#db = db
  }

  /** Every searchable (active) mentor, in id order, a page at a time (keyset: no OFFSET rescans). */
  async *activeMentors(batch = 5_000): AsyncGenerator<SearchDoc[]> {
    let after: string | null = null
    for (;;) {
      const page: { rows: Row[] } = await sql<Row>`
        select ${COLUMNS} from mentors
        where status = 'active' ${after === null ? sql`` : sql`and id > ${after}`}
        order by id limit ${batch}`.execute(this.#db)
      if (page.rows.length === 0) return
      yield page.rows.map(toDoc)
      if (page.rows.length < batch) return
      after = page.rows[page.rows.length - 1]!.id
    }
  }

  /** The current state of these mentors: active ones as documents; absent ids are gone or suspended. */
  async current(ids: readonly string[]): Promise<Map<string, SearchDoc>> {
    const { rows } = await sql<Row>`
      select ${COLUMNS} from mentors where id = any(${[...ids]}::uuid[]) and status = 'active'`.execute(this.#db)
    return new Map(rows.map((r) => [r.id, toDoc(r)]))
  }
}
