// The bounds alone, in a module without schemas: a page that needs only a bound (the web's search page)
// then does not carry the schemas, nor TypeBox's code behind them.

/** Bounds of GET /api/mentors. The engine enforces none of them: the route does, through the schema in search.ts. */
export const SEARCH_LIMITS = {
  /** characters of q */
  q: 200,
  /** distinct terms after splitting q on whitespace and commas */
  terms: 10,
  pageSizeMax: 50,
  pageSizeDefault: 20,
  pageMax: 10_000,
  /** skills or languages named in one filter */
  filterValues: 10,
} as const
