/**
 * Pure text functions of the search: how q becomes terms (exactly as DRF's SearchFilter splits it),
 * how text is normalized and cut into tokens and n-grams, trigram similarity for "did you mean", and
 * highlight ranges. No state, no I/O: unit-tested on their own (test/search-text.test.ts).
 */

/**
 * What Python's `str.split()` treats as whitespace (`str.isspace()`), plus the comma: DRF 3.x does
 * `q.replace('\x00', '').replace(',', ' ').split()`. JS `\s` differs (it has U+FEFF, lacks
 * U+001C–U+001F and U+0085), so the set is spelled out.
 */
const SEPARATOR_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000,'
export const SEPARATORS = new RegExp(`[${SEPARATOR_CLASS}]+`)

/** The raw terms of q, as DRF sees them: split on whitespace and commas, empty ones dropped. */
export function splitTerms(q: string): string[] {
  return q.replaceAll('\0', '').split(SEPARATORS).filter((t) => t.length > 0)
}

/**
 * Case folding for matching: NFKC (full-width Latin, compatibility forms) then lower case. For text
 * that is already NFKC — all ordinary Korean and English — this is exactly DRF's case-insensitive
 * comparison. Lone surrogates become U+FFFD so that a term can never match half a character.
 */
export function normalize(s: string): string {
  return s.toWellFormed().normalize('NFKC').toLowerCase()
}

/** Text that normalize() only lower-cases. */
export function isPlain(text: string): boolean {
  return text.isWellFormed() && text.normalize('NFKC') === text
}

/** Normalized, distinct terms of q (order of first appearance). */
export function queryTerms(q: string): string[] {
  const seen = new Set<string>()
  for (const raw of splitTerms(q)) {
    const t = normalize(raw)
    if (t.length > 0) seen.add(t)
  }
  return [...seen]
}

/**
 * The tokens of a field: its maximal runs of non-separator characters, normalized. A term never
 * contains a separator, so a term occurs in a field exactly when it occurs inside one of the
 * field's tokens — which is why the index only needs the (small) token dictionary, not every
 * position of every document.
 */
export function tokenize(field: string): string[] {
  const out: string[] = []
  for (const raw of field.split(SEPARATORS)) {
    if (raw.length === 0) continue
    const t = normalize(raw)
    if (t.length > 0) out.push(t)
  }
  return out
}

/**
 * The grams a term is looked up by: its distinct trigrams; a term of one or two characters is its
 * own gram (two-syllable Korean words such as 면접 are common terms). The dictionary indexes every
 * 1-, 2- and 3-gram of every token, so each gram of a matching token is present.
 */
export function lookupGrams(term: string): string[] {
  if (term.length <= 3) return [term]
  const grams = new Set<string>()
  for (let i = 0; i + 3 <= term.length; i++) grams.add(term.slice(i, i + 3))
  return [...grams]
}

/** Every distinct 1-, 2- and 3-gram of a token (what the dictionary indexes). */
export function indexGrams(token: string): string[] {
  const grams = new Set<string>()
  for (let n = 1; n <= 3; n++) for (let i = 0; i + n <= token.length; i++) grams.add(token.slice(i, i + n))
  return [...grams]
}

// ----------------------------------------------------------------------------------------------
// "did you mean": pg_trgm's similarity, on words

const EDGE_PUNCT = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu

/** A dictionary token as a suggestable word: edge punctuation trimmed (`django.` → `django`). */
export function vocabularyWord(token: string): string {
  return token.replace(EDGE_PUNCT, '')
}

/** pg_trgm's trigrams of one word: padded with two spaces before and one after. */
export function wordTrigrams(word: string): Set<string> {
  const padded = `  ${word} `
  const out = new Set<string>()
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3))
  return out
}

/** |shared| / |union| of the two words' trigrams, as pg_trgm's similarity(). */
export function trigramSimilarity(a: string, b: string): number {
  const ta = wordTrigrams(a)
  const tb = wordTrigrams(b)
  let shared = 0
  for (const g of ta) if (tb.has(g)) shared++
  return shared / (ta.size + tb.size - shared)
}

// ----------------------------------------------------------------------------------------------
// highlights

export interface Range {
  start: number
  end: number
}

/**
 * Maps offsets of `normalize(text)` back to offsets of `text`. When normalizing kept the length (all
 * ordinary text), offsets are the same; otherwise each code point is normalized alone and the
 * offsets are mapped through that (exact for case changes that grow, e.g. İ → i̇).
 */
function normalizedWithMap(text: string, plain: boolean): { norm: string; toOriginal: ((i: number) => number) | null } {
  const whole = plain ? text.toLowerCase() : normalize(text)
  if (whole.length === text.length) return { norm: whole, toOriginal: null }
  let norm = ''
  const map: number[] = []
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!
    const width = cp > 0xffff ? 2 : 1
    const piece = normalize(text.slice(i, i + width))
    for (let k = 0; k < piece.length; k++) map.push(i)
    norm += piece
    i += width
  }
  map.push(text.length)
  return { norm, toOriginal: (j: number) => map[Math.min(j, map.length - 1)]! }
}

/**
 * Where the terms occur in text: sorted, merged ranges of `text` (case-insensitive, the same
 * normalization as matching). `plain`: the caller knows text is well-formed NFKC (see isPlain), so
 * lower-casing is all the folding it needs.
 */
export function matchRanges(text: string, terms: readonly string[], plain = false): Range[] {
  if (terms.length === 0 || text.length === 0) return []
  const { norm, toOriginal } = normalizedWithMap(text, plain)
  const found: Range[] = []
  for (const term of terms) {
    if (term.length === 0) continue
    for (let at = norm.indexOf(term); at !== -1; at = norm.indexOf(term, at + 1)) {
      const start = toOriginal ? toOriginal(at) : at
      let end = toOriginal ? toOriginal(at + term.length) : at + term.length
      if (end <= start) end = start + 1
      found.push({ start, end })
    }
  }
  if (found.length < 2) return found
  found.sort((a, b) => a.start - b.start || a.end - b.end)
  const merged: Range[] = [found[0]!]
  for (let i = 1; i < found.length; i++) {
    const r = found[i]!
    const last = merged[merged.length - 1]!
    if (r.start <= last.end) last.end = Math.max(last.end, r.end)
    else merged.push(r)
  }
  return merged
}

const ELLIPSIS = '…'
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff

/**
 * A window of at most `max` code units of a long text around its first match, with … where it was
 * cut, and the ranges that fall inside it shifted to the window (a range cut by the edge is clipped).
 */
export function snippet(text: string, ranges: readonly Range[], max = 160, before = 40): { snippet: string; ranges: Range[] } {
  if (text.length <= max) return { snippet: text, ranges: ranges.map((r) => ({ ...r })) }
  const first = ranges[0]?.start ?? 0
  let start = Math.max(0, Math.min(first - before, text.length - max))
  let end = Math.min(text.length, start + max)
  // never cut a surrogate pair in half
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++
  const prefix = start > 0 ? ELLIPSIS : ''
  const suffix = end < text.length ? ELLIPSIS : ''
  const shift = prefix.length - start
  const out: Range[] = []
  for (const r of ranges) {
    const s = Math.max(r.start, start)
    const e = Math.min(r.end, end)
    if (e > s) out.push({ start: s + shift, end: e + shift })
  }
  return { snippet: prefix + text.slice(start, end) + suffix, ranges: out }
}
