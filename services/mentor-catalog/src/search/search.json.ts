/**
 * The 200 body of GET /api/mentors, written straight into UTF-8 bytes.
 *
 * A mentor's profile fields are the bulk of every item and never change for a given SearchDoc
 * object (the index replaces the object when the mentor changes), so each document's
 * `{"id":…,…,"reviewCount":…,"highlights":` is serialized once, as UTF-8, and kept in a WeakMap
 * keyed by the document: an updated or removed mentor's fragment goes away with its old object.
 * Only the highlights and the envelope are serialized per request.
 *
 * The bytes are exactly what Fastify's serializer (fast-json-stringify over MentorSearchResponse)
 * produces for the same response — keys in schema order, the same string escaping
 * (JSON.stringify's) — which test/search-json.test.ts checks against the real Fastify path. The
 * route keeps the schema for validation of its other replies and for the OpenAPI document.
 */
import { MentorSearchItem, type SearchHighlight } from '@sunbae/contracts'
import type { SearchDoc, SearchHit } from './search.types.ts'

/** The profile keys of an item, in the schema's order (highlights comes last). */
const PROFILE_KEYS = Object.keys(MentorSearchItem.properties).filter((k) => k !== 'highlights') as (keyof SearchDoc)[]
if (Object.keys(MentorSearchItem.properties).at(-1) !== 'highlights') throw new Error('MentorSearchItem: highlights is expected last')

const fragments = new WeakMap<SearchDoc, Buffer>()

/** `{"id":"…",…,"reviewCount":n,"highlights":` of one document, as UTF-8 (cached per document object). */
export function docFragment(doc: SearchDoc): Buffer {
  let b = fragments.get(doc)
  if (b === undefined) {
    let s = '{'
    for (const key of PROFILE_KEYS) {
      const v = doc[key]
      if (v === undefined) throw new Error(`search document ${doc.id} has no ${key}`)
      s += `${s.length > 1 ? ',' : ''}"${key}":${JSON.stringify(v)}`
    }
    b = Buffer.from(`${s},"highlights":`)
    fragments.set(doc, b)
  }
  return b
}

function highlightsJson(highlights: readonly SearchHighlight[]): string {
  let s = '['
  for (let i = 0; i < highlights.length; i++) {
    const h = highlights[i]!
    s += `${i > 0 ? ',' : ''}{"field":"${h.field}","snippet":${JSON.stringify(h.snippet)},"ranges":[`
    for (let k = 0; k < h.ranges.length; k++) {
      const r = h.ranges[k]!
      s += `${k > 0 ? ',' : ''}{"start":${r.start},"end":${r.end}}`
    }
    s += ']}'
  }
  return `${s}]`
}

/** Scratch space the body is assembled in (one request at a time: serialization is synchronous). */
let scratch = Buffer.allocUnsafe(256 * 1024)

function ensure(at: number, more: number): void {
  if (at + more <= scratch.length) return
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + more))
  scratch.copy(grown, 0, 0, at)
  scratch = grown
}

function writeString(at: number, s: string): number {
  // at most 3 bytes per UTF-16 code unit
  ensure(at, s.length * 3)
  return at + scratch.write(s, at, 'utf8')
}

function writeBytes(at: number, b: Buffer): number {
  ensure(at, b.length)
  return at + b.copy(scratch, at)
}

export interface SearchPage {
  hits: readonly SearchHit[]
  total: number
  page: number
  pageSize: number
  suggestion?: string | undefined
}

/** The response body as fast-json-stringify would write it for MentorSearchResponse, as UTF-8. */
export function searchResponseBytes(r: SearchPage): Buffer {
  let at = writeString(0, '{"items":[')
  for (let i = 0; i < r.hits.length; i++) {
    const hit = r.hits[i]!
    if (i > 0) at = writeString(at, ',')
    at = writeBytes(at, docFragment(hit.doc))
    at = writeString(at, `${highlightsJson(hit.highlights)}}`)
  }
  at = writeString(at, `],"total":${r.total},"page":${r.page},"pageSize":${r.pageSize}${r.suggestion ? `,"suggestion":${JSON.stringify(r.suggestion)}` : ''}}`)
  // a copy of exactly the body: the socket writes it later, after scratch is reused
  return Buffer.from(scratch.subarray(0, at))
}
