import type { MentorSearchItem, SearchHighlight, SearchSort } from '@sunbae/contracts'

/** What the index holds per mentor: the public profile fields search shows and filters on. */
export interface SearchDoc {
  id: string
  displayName: string
  headline: string
  bio: string
  skills: string[]
  company: string | null
  yearsExperience: number
  hourlyRate: number
  languages: string[]
  timezone: string
  rating: number
  reviewCount: number
  /** the photo's URL (content-hashed), null without one */
  photoUrl: string | null
}

export interface SearchQuery {
  /** q as given; split and normalized by the index (DRF rule) */
  q?: string | undefined
  skills?: readonly string[] | undefined
  languages?: readonly string[] | undefined
  minRate?: number | undefined
  maxRate?: number | undefined
  minYears?: number | undefined
  /** default: relevance with terms, rating without */
  sort?: SearchSort | undefined
  /** 1-based */
  page: number
  pageSize: number
}

export interface SearchHit {
  doc: SearchDoc
  highlights: SearchHighlight[]
}

export interface SearchResult {
  /** normalized terms that had to match */
  terms: string[]
  sort: SearchSort
  total: number
  hits: SearchHit[]
  /** "did you mean": only when terms were given and nothing matched */
  suggestion?: string
}

/**
 * The search read model. The in-memory implementation serves one process; an OpenSearch-backed one
 * (n-gram analyzer, same query semantics) can take its place when the catalog outgrows a machine.
 */
export interface MentorSearchIndex {
  /** adds or replaces a mentor (by id) */
  upsert(doc: SearchDoc): void
  /** removes a mentor; unknown ids are ignored */
  remove(id: string): void
  search(query: SearchQuery): SearchResult
  /** mentors searchable now */
  readonly size: number
}

export function toSearchItem(hit: SearchHit): MentorSearchItem {
  const d = hit.doc
  return {
    id: d.id,
    displayName: d.displayName,
    headline: d.headline,
    bio: d.bio,
    skills: d.skills,
    company: d.company,
    yearsExperience: d.yearsExperience,
    hourlyRate: d.hourlyRate,
    languages: d.languages,
    timezone: d.timezone,
    rating: d.rating,
    reviewCount: d.reviewCount,
    photoUrl: d.photoUrl,
    highlights: hit.highlights,
  }
}
