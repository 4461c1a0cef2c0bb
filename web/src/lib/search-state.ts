// The main page's search lives in the URL (shareable, back button works). This module is the only
// code that reads or writes it: it parses leniently (a hand-edited URL never breaks the page) and
// writes only what differs from the defaults, within the bounds the API enforces.
import { SEARCH_LIMITS } from '@sunbae/contracts'
import type { MentorSearchQuery, SearchSort } from '@sunbae/contracts'

export interface SearchState {
  q: string
  skills: string[]
  languages: string[]
  minRate: number | null
  maxRate: number | null
  sort: SearchSort | null
  page: number
  pageSize: number
}

export const DEFAULT_SEARCH: SearchState = {
  q: '',
  skills: [],
  languages: [],
  minRate: null,
  maxRate: null,
  sort: null,
  page: 1,
  pageSize: SEARCH_LIMITS.pageSizeDefault,
}

const SORTS: readonly SearchSort[] = ['relevance', 'rating', 'price_asc', 'price_desc']

const intOrNull = (v: string | null, min: number, max: number): number | null => {
  if (v === null || !/^\d+$/.test(v.trim())) return null
  const n = Number(v)
  return n >= min && n <= max ? n : null
}

const list = (params: URLSearchParams, key: string, max: number): string[] => {
  const out: string[] = []
  for (const raw of params.getAll(key)) {
    for (const part of raw.split(',')) {
      const v = part.trim().slice(0, 100)
      if (v && !out.includes(v)) out.push(v)
    }
  }
  return out.slice(0, max)
}

export function parseSearch(params: URLSearchParams): SearchState {
  const q = (params.get('q') ?? '').slice(0, SEARCH_LIMITS.q)
  let minRate = intOrNull(params.get('minRate'), 0, Number.MAX_SAFE_INTEGER)
  let maxRate = intOrNull(params.get('maxRate'), 0, Number.MAX_SAFE_INTEGER)
  if (minRate !== null && maxRate !== null && minRate > maxRate) [minRate, maxRate] = [maxRate, minRate]
  const sort = params.get('sort')
  return {
    q,
    skills: list(params, 'skills', SEARCH_LIMITS.filterValues),
    languages: list(params, 'languages', SEARCH_LIMITS.filterValues).filter((l) => /^[a-z]{2}$/.test(l)),
    minRate,
    maxRate,
    sort: SORTS.includes(sort as SearchSort) ? (sort as SearchSort) : null,
    page: intOrNull(params.get('page'), 1, SEARCH_LIMITS.pageMax) ?? 1,
    pageSize: intOrNull(params.get('pageSize'), 1, SEARCH_LIMITS.pageSizeMax) ?? SEARCH_LIMITS.pageSizeDefault,
  }
}

/** The URL query for a state: defaults left out, so the plain main page has no query at all. */
export function toSearchParams(s: SearchState): URLSearchParams {
  const p = new URLSearchParams()
  if (s.q.trim()) p.set('q', s.q.trim())
  if (s.skills.length) p.set('skills', s.skills.join(','))
  if (s.languages.length) p.set('languages', s.languages.join(','))
  if (s.minRate !== null) p.set('minRate', String(s.minRate))
  if (s.maxRate !== null) p.set('maxRate', String(s.maxRate))
  if (s.sort) p.set('sort', s.sort)
  if (s.page !== 1) p.set('page', String(s.page))
  if (s.pageSize !== SEARCH_LIMITS.pageSizeDefault) p.set('pageSize', String(s.pageSize))
  return p
}

/** A change to anything but the page starts again at page 1. */
export function updateSearch(s: SearchState, patch: Partial<SearchState>): SearchState {
  const next = { ...s, ...patch }
  const onlyPage = Object.keys(patch).every((k) => k === 'page')
  if (!onlyPage) next.page = patch.page ?? 1
  return parseSearch(toSearchParams(next))
}

/** The API query for GET /api/mentors. */
export function toApiQuery(s: SearchState): MentorSearchQuery {
  return {
    ...(s.q.trim() ? { q: s.q.trim() } : {}),
    ...(s.skills.length ? { skills: s.skills } : {}),
    ...(s.languages.length ? { languages: s.languages } : {}),
    ...(s.minRate !== null ? { minRate: s.minRate } : {}),
    ...(s.maxRate !== null ? { maxRate: s.maxRate } : {}),
    ...(s.sort ? { sort: s.sort } : {}),
    page: s.page,
    pageSize: s.pageSize,
  }
}

/** The results' last page: as many as the results fill, within the API's page bound. */
export function lastPage(total: number, pageSize: number): number {
  return Math.max(1, Math.min(Math.ceil(total / pageSize), SEARCH_LIMITS.pageMax))
}

/**
 * The pager's entries for a page of `last` pages: every page when they fit in seven places, else the
 * first, the last, the current one with its neighbours, and 'gap' where pages are left out — always
 * seven places, so the pager keeps its width (a phone's too) from page to page.
 */
export function pagerItems(page: number, last: number): (number | 'gap')[] {
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i)
  if (last <= 7) return range(1, last)
  if (page <= 4) return [...range(1, 5), 'gap', last]
  if (page >= last - 3) return [1, 'gap', ...range(last - 4, last)]
  return [1, 'gap', page - 1, page, page + 1, 'gap', last]
}
