import type { GenMentorRecord } from '../mentors/import.ts'
import type { SearchDoc } from './search.types.ts'

/**
 * gen_mentors.py records as the search index holds them, without a database: the catalog's search
 * tests and bench/search build their indexes from the same mapping. (A real import goes through
 * `import.ts` into Postgres and gets UUIDv5 ids; these ids are readable instead: record n is
 * `00000000-0000-4000-8000-<n in hex>`, so a test can map a hit back to its record.)
 */
export const generatedMentorId = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

export const generatedSearchDoc = (m: GenMentorRecord): SearchDoc => ({
  id: generatedMentorId(m.id),
  displayName: m.display_name,
  headline: m.headline,
  bio: m.bio,
  skills: m.tags.split(',').filter(Boolean),
  company: m.company,
  yearsExperience: m.years_experience,
  hourlyRate: m.hourly_rate,
  languages: m.languages.split(',').filter(Boolean),
  timezone: 'Asia/Seoul',
  rating: m.rating,
  reviewCount: m.review_count,
  photoUrl: null,
})

export type { GenMentorRecord }
