import { TypedFastBitSet } from 'typedfastbitset'
import type { SearchHighlight, SearchSort } from '@sunbae/contracts'
import type { MentorSearchIndex, SearchDoc, SearchHit, SearchQuery, SearchResult } from './search.types.ts'
import {
  indexGrams,
  lookupGrams,
  matchRanges,
  normalize,
  queryTerms,
  SEPARATORS,
  snippet,
  tokenize,
  isPlain,
  vocabularyWord,
  wordTrigrams,
} from './text.ts'

/**
 * The search read model of one process.
 *
 * Documents live in append-only slots (an update takes a new slot and tombstones the old one, so
 * every posting list stays sorted by construction and cached results only ever need to catch up).
 * Text is indexed in two levels:
 *
 *   token dictionary  — every distinct token (maximal run without whitespace/commas, normalized)
 *                       with 1-, 2- and 3-gram posting lists over token ids;
 *   token postings    — per token and field class, the slots whose field holds it.
 *
 * A term (which never contains a separator) matches a field exactly when it is a substring of one
 * of the field's tokens, so a term is answered by intersecting the grams' token lists, VERIFYING
 * each candidate token with a real substring test, and OR-ing the matching tokens' postings into
 * bitsets per field class. Verification runs over the dictionary (thousands of tokens), not over
 * documents; the result per term (three bitsets) is kept in an LRU and caught up incrementally.
 * Everything after that — AND of terms and filters, counts, relevance levels — is word-parallel
 * bitset algebra (typedfastbitset), and only the requested page is turned into items.
 */

/** Field classes, in relevance order: a term in the name or skills outranks headline, then bio. */
const NAME_OR_SKILLS = 0
const HEADLINE = 1
const BIO = 2
const TIER = [3, 2, 1] as const
/** bit planes of a relevance score: up to 3 × 10 terms = 30 < 2^5 */
const PLANES = 5

/** A growable sorted list of non-negative integers (token ids or slots), appended in order. */
class Postings {
  a = new Uint32Array(4)
  n = 0
  push(x: number): void {
    if (this.n > 0 && this.a[this.n - 1] === x) return
    if (this.n === this.a.length) {
      const grown = new Uint32Array(this.a.length * 2)
      grown.set(this.a)
      this.a = grown
    }
    this.a[this.n++] = x
  }
  /** index of the first element ≥ x */
  lowerBound(x: number): number {
    let lo = 0
    let hi = this.n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.a[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** What one term matched: per field class, and overall; valid for slots < slotsUpTo. */
interface TermEntry {
  tokens: number[]
  /** dictionary size when `tokens` was computed */
  tokensUpTo: number
  slotsUpTo: number
  byClass: [TypedFastBitSet, TypedFastBitSet, TypedFastBitSet]
  any: TypedFastBitSet
  /** |any| (orders the AND of the terms, narrowest first) */
  count: number
}

type OrderName = 'rating' | 'price_asc' | 'price_desc'

/** Slots in one sort order, with each slot's position; new slots are merged in lazily. */
interface Order {
  order: Int32Array
  count: number
  pos: Int32Array
  pending: number[]
}

interface Vocabulary {
  words: string[]
  /** word → id */
  ids: Map<string, number>
  /** word id → dictionary tokens that trim to it (their postings give the word's frequency) */
  tokens: number[][]
  trigramCount: number[]
  /** NFD trigram → word ids */
  byTrigram: Map<string, number[]>
  /** dictionary size already folded in */
  upTo: number
}

export interface MemoryIndexOptions {
  /** bytes the per-term cache may hold (each entry: 4 bitsets of one bit per slot); default 48 MiB */
  termCacheBytes?: number
  /** characters of a long bio shown around the first match */
  snippetLength?: number
}

const cmpId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
/** pg_trgm's default similarity threshold */
const SUGGEST_THRESHOLD = 0.3
/** normalized tokens remembered (the vocabulary repeats; NFKC per token is the build's main cost) */
const NORMALIZE_CACHE_MAX = 200_000

export class InMemoryMentorSearchIndex implements MentorSearchIndex {
  readonly #opts: Required<MemoryIndexOptions>

  // slots
  #docs: (SearchDoc | null)[] = []
  #alive = new TypedFastBitSet()
  #idToSlot = new Map<string, number>()
  /** per slot, kept after a tombstone: orders still hold dead slots until they are re-sorted */
  #ids: string[] = []
  #rating: number[] = []
  #rate: number[] = []
  #years: number[] = []
  #dead = 0

  // filters
  #languages = new Map<string, TypedFastBitSet>()
  #skills = new Map<string, TypedFastBitSet>()

  // text
  #tokens: string[] = []
  #tokenIds = new Map<string, number>()
  #postings: [Postings[], Postings[], Postings[]] = [[], [], []]
  #grams = new Map<string, Postings>()
  #normCache = new Map<string, string[]>()

  // derived, maintained lazily
  #orders: Record<OrderName, Order> = { rating: emptyOrder(), price_asc: emptyOrder(), price_desc: emptyOrder() }
  #termCache = new Map<string, TermEntry>()
  #vocab: Vocabulary | null = null
  #scratchSets: TypedFastBitSet[] = []
  /** per slot: is all its text well-formed and NFKC already (undefined: not yet checked) */
  #plainText: (boolean | undefined)[] = []
  #scratchPlanes: Uint32Array[] = []

  constructor(opts: MemoryIndexOptions = {}) {
    this.#opts = { termCacheBytes: opts.termCacheBytes ?? 48 * 1024 * 1024, snippetLength: opts.snippetLength ?? 160 }
  }

  get size(): number {
    return this.#idToSlot.size
  }

  /**
   * Drops what only speeds up a bulk load (the normalization cache: one entry per distinct short
   * field, most of them names seen once). Called after the initial build: a smaller heap is a
   * shorter mark-compact under load; later upserts refill the cache as they need.
   */
  releaseBuildCaches(): void {
    this.#normCache = new Map()
  }

  /** slots ever used, dead ones included (compaction resets it) */
  get slots(): number {
    return this.#docs.length
  }

  upsert(doc: SearchDoc): void {
    // replays (an event for a mentor the snapshot already had) change nothing and cost nothing
    const current = this.#idToSlot.get(doc.id)
    if (current !== undefined && sameDoc(this.#docs[current]!, doc)) return
    this.#tombstone(doc.id)
    const slot = this.#docs.length
    this.#docs.push(doc)
    this.#alive.add(slot)
    this.#idToSlot.set(doc.id, slot)
    this.#ids.push(doc.id)
    this.#rating.push(doc.rating)
    this.#rate.push(doc.hourlyRate)
    this.#years.push(doc.yearsExperience)
    for (const lang of doc.languages) setFor(this.#languages, lang.toLowerCase()).add(slot)
    for (const skill of doc.skills) setFor(this.#skills, normalize(skill)).add(slot)

    this.#indexField(slot, NAME_OR_SKILLS, doc.displayName)
    for (const skill of doc.skills) this.#indexField(slot, NAME_OR_SKILLS, skill)
    this.#indexField(slot, HEADLINE, doc.headline)
    this.#indexField(slot, BIO, doc.bio)

    for (const o of Object.values(this.#orders)) o.pending.push(slot)
    this.#maybeCompact()
  }

  remove(id: string): void {
    this.#tombstone(id)
    this.#maybeCompact()
  }

  has(id: string): boolean {
    return this.#idToSlot.has(id)
  }

  search(query: SearchQuery): SearchResult {
    const terms = queryTerms(query.q ?? '')
    // relevance needs terms; without them the default (and the fallback) is rating
    let sort: SearchSort = query.sort ?? (terms.length > 0 ? 'relevance' : 'rating')
    if (sort === 'relevance' && terms.length === 0) sort = 'rating'
    const entries = terms.map((t) => this.#term(t))

    // the match set, in a scratch bitset: alive AND every term AND the filters. Only the first n
    // words can hold a slot; every loop below stays within them (scratch and cached sets are longer)
    const n = (this.#docs.length + 31) >>> 5
    let matches: TypedFastBitSet
    let total: number
    if (entries.length === 0 && !hasFilters(query)) {
      // the plain list: every living mentor; nothing to copy or count
      matches = this.#alive
      total = this.#idToSlot.size
    } else {
      matches = this.#scratch(0)
      copyWords(matches.words, this.#alive.words, n)
      total = this.#idToSlot.size
      const ordered = entries.length > 1 ? [...entries].sort((a, b) => a.count - b.count) : entries
      for (let i = 0; i < ordered.length && total > 0; i++) {
        // counting costs as much as the AND: only the last one counts, the others just say "empty?"
        total = andWords(matches.words, ordered[i]!.any.words, n, i === ordered.length - 1)
      }
      if (total > 0 && this.#applyFilters(matches, query, n)) total = countWords(matches.words, n)
    }

    const skip = (query.page - 1) * query.pageSize
    const take = query.pageSize
    let slots: number[] = []
    if (skip < total) {
      if (sort === 'relevance') slots = this.#relevancePage(matches, total, entries, skip, take)
      else slots = this.#pageFrom(matches, total, this.#order(sort), skip, take)
    }

    const result: SearchResult = {
      terms,
      sort,
      total,
      hits: slots.map((slot) => this.#hit(slot, terms, entries)),
    }
    if (total === 0 && terms.length > 0) {
      const suggestion = this.#suggest(query, terms, entries)
      if (suggestion) result.suggestion = suggestion
    }
    return result
  }

  /**
   * Reusable bitsets for one search (search is synchronous, so one set per index suffices):
   * allocating 100k-bit sets per request cost more than the algebra on them.
   */
  #scratch(i: number): TypedFastBitSet {
    // sets built by add() hold up to twice the words they need; scratch must never have to grow
    const words = 2 * ((this.#docs.length + 32) >>> 5) + 8
    let set = this.#scratchSets[i]
    if (!set || set.words.length < words) {
      set = new TypedFastBitSet(undefined, new Uint32Array(words * 2))
      this.#scratchSets[i] = set
    }
    return set
  }

  #planes(n: number): Uint32Array[] {
    const words = (this.#scratch(0).words.length)
    if (this.#scratchPlanes.length < n || this.#scratchPlanes[0]!.length < words) {
      this.#scratchPlanes = Array.from({ length: Math.max(n, this.#scratchPlanes.length) }, () => new Uint32Array(words))
    }
    return this.#scratchPlanes
  }

  // --------------------------------------------------------------------------------------------
  // writing

  #tombstone(id: string): void {
    const old = this.#idToSlot.get(id)
    if (old === undefined) return
    this.#idToSlot.delete(id)
    this.#alive.remove(old)
    this.#docs[old] = null
    this.#dead++
  }

  #normalizedTokens(field: string): string[] {
    let tokens = this.#normCache.get(field)
    if (tokens === undefined) {
      tokens = tokenize(field)
      if (this.#normCache.size >= NORMALIZE_CACHE_MAX) this.#normCache.clear()
      // only short fields repeat (names, skills, headline templates); bios would just fill the cache
      if (field.length <= 64) this.#normCache.set(field, tokens)
    }
    return tokens
  }

  #indexField(slot: number, cls: number, field: string): void {
    if (field.length <= 64) {
      for (const token of this.#normalizedTokens(field)) this.#postingsOf(token, cls).push(slot)
      return
    }
    // long text: tokens one by one, caching the normalization of each raw token
    for (const raw of field.split(SEPARATORS)) {
      if (raw.length === 0) continue
      for (const token of this.#normalizedTokens(raw)) this.#postingsOf(token, cls).push(slot)
    }
  }

  #postingsOf(token: string, cls: number): Postings {
    let id = this.#tokenIds.get(token)
    if (id === undefined) {
      id = this.#tokens.length
      this.#tokens.push(token)
      this.#tokenIds.set(token, id)
      for (let c = 0; c < 3; c++) this.#postings[c]!.push(new Postings())
      for (const gram of indexGrams(token)) {
        let list = this.#grams.get(gram)
        if (!list) this.#grams.set(gram, (list = new Postings()))
        list.push(id)
      }
    }
    return this.#postings[cls]![id]!
  }

  /**
   * Tombstones cost a bit per slot in every bitset; once they outnumber the living (and are many),
   * the index is rebuilt from the living documents.
   */
  #maybeCompact(): void {
    if (this.#dead < 10_000 || this.#dead < this.#idToSlot.size) return
    const live = this.#docs.filter((d): d is SearchDoc => d !== null)
    this.#docs = []
    this.#alive = new TypedFastBitSet()
    this.#idToSlot = new Map()
    this.#ids = []
    this.#rating = []
    this.#rate = []
    this.#years = []
    this.#dead = 0
    this.#languages = new Map()
    this.#skills = new Map()
    this.#tokens = []
    this.#tokenIds = new Map()
    this.#postings = [[], [], []]
    this.#grams = new Map()
    this.#orders = { rating: emptyOrder(), price_asc: emptyOrder(), price_desc: emptyOrder() }
    this.#termCache = new Map()
    this.#vocab = null
    this.#plainText = []
    // fewer slots now: scratch words past the new end must not keep bits of the old ones
    this.#scratchSets = []
    this.#scratchPlanes = []
    for (const doc of live) this.upsert(doc)
  }

  // --------------------------------------------------------------------------------------------
  // terms

  /** Dictionary tokens that contain the term: grams prune, a substring test decides. */
  #matchingTokens(term: string, fromToken: number): number[] {
    const lists: Postings[] = []
    for (const gram of lookupGrams(term)) {
      const list = this.#grams.get(gram)
      if (!list) return []
      lists.push(list)
    }
    lists.sort((a, b) => a.n - b.n)
    const first = lists[0]!
    const out: number[] = []
    const cursors = lists.map((l) => l.lowerBound(fromToken))
    outer: for (let i = cursors[0]!; i < first.n; i++) {
      const id = first.a[i]!
      for (let k = 1; k < lists.length; k++) {
        const l = lists[k]!
        let c = cursors[k]!
        while (c < l.n && l.a[c]! < id) c++
        cursors[k] = c
        if (c >= l.n) break outer
        if (l.a[c] !== id) continue outer
      }
      if (this.#tokens[id]!.includes(term)) out.push(id)
    }
    return out
  }

  #term(term: string): TermEntry {
    let entry = this.#termCache.get(term)
    if (entry) {
      // most recently used goes last
      this.#termCache.delete(term)
      this.#termCache.set(term, entry)
      this.#catchUp(term, entry)
      return entry
    }
    const byClass: TermEntry['byClass'] = [new TypedFastBitSet(), new TypedFastBitSet(), new TypedFastBitSet()]
    entry = { tokens: [], tokensUpTo: 0, slotsUpTo: 0, byClass, any: new TypedFastBitSet(), count: 0 }
    this.#catchUp(term, entry)
    this.#termCache.set(term, entry)
    const perEntry = Math.max(1, Math.ceil(this.#docs.length / 8) * 4)
    const capacity = Math.max(16, Math.floor(this.#opts.termCacheBytes / perEntry))
    while (this.#termCache.size > capacity) this.#termCache.delete(this.#termCache.keys().next().value!)
    return entry
  }

  /** Folds in what was added since the entry was last used: new slots of known tokens, new tokens. */
  #catchUp(term: string, e: TermEntry): void {
    const slots = this.#docs.length
    const dictionary = this.#tokens.length
    if (e.slotsUpTo === slots && e.tokensUpTo === dictionary) return
    for (const id of e.tokens) this.#addPostings(e, id, e.slotsUpTo)
    if (dictionary > e.tokensUpTo) {
      // a token new since then only occurs in slots added since then: all its postings are new
      for (const id of this.#matchingTokens(term, e.tokensUpTo)) {
        e.tokens.push(id)
        this.#addPostings(e, id, 0)
      }
    }
    e.slotsUpTo = slots
    e.tokensUpTo = dictionary
    e.count = e.any.size()
  }

  #addPostings(e: TermEntry, token: number, fromSlot: number): void {
    for (let c = 0; c < 3; c++) {
      const list = this.#postings[c]![token]!
      const set = e.byClass[c]!
      for (let i = fromSlot === 0 ? 0 : list.lowerBound(fromSlot); i < list.n; i++) {
        const slot = list.a[i]!
        set.add(slot)
        e.any.add(slot)
      }
    }
  }

  // --------------------------------------------------------------------------------------------
  // filters and order

  /** Narrows `matches` (its first n words) in place; false when no filter applies. */
  #applyFilters(matches: TypedFastBitSet, q: SearchQuery, n: number): boolean {
    const m = matches.words
    let applied = false
    for (const skill of q.skills ?? []) {
      applied = true
      const set = this.#skills.get(normalize(skill.trim()))
      if (!set || andWords(m, set.words, n) === 0) {
        m.fill(0, 0, n)
        return true
      }
    }
    if (q.languages && q.languages.length > 0) {
      applied = true
      const any = this.#scratch(1).words
      any.fill(0, 0, n)
      for (const lang of q.languages) {
        const set = this.#languages.get(lang.trim().toLowerCase())
        if (set) orWords(any, set.words, n)
      }
      andWords(m, any, n)
    }
    const { minRate, maxRate, minYears } = q
    if (minRate !== undefined || maxRate !== undefined || minYears !== undefined) {
      applied = true
      const lo = minRate ?? -Infinity
      const hi = maxRate ?? Infinity
      const years = minYears ?? -Infinity
      const rate = this.#rate
      const yrs = this.#years
      for (let k = 0; k < n; k++) {
        let w = m[k]!
        if (w === 0) continue
        let keep = w
        while (w !== 0) {
          const bit = w & -w
          const slot = (k << 5) + (31 - Math.clz32(bit))
          const r = rate[slot]!
          if (r < lo || r > hi || yrs[slot]! < years) keep &= ~bit
          w ^= bit
        }
        m[k] = keep
      }
    }
    return applied
  }

  #compare(name: OrderName): (a: number, b: number) => number {
    const rating = this.#rating
    const rate = this.#rate
    const ids = this.#ids
    const byRating = (a: number, b: number) => rating[b]! - rating[a]! || cmpId(ids[a]!, ids[b]!)
    if (name === 'rating') return byRating
    if (name === 'price_asc') return (a, b) => rate[a]! - rate[b]! || byRating(a, b)
    return (a, b) => rate[b]! - rate[a]! || byRating(a, b)
  }

  /** The order with every living slot in place (dead ones dropped when it is re-sorted). */
  #order(name: OrderName): Order {
    const o = this.#orders[name]
    if (o.pending.length === 0) return o
    const cmp = this.#compare(name)
    const alive = this.#alive
    if (o.pending.length > 1_000 || o.count < 1_000) {
      const all: number[] = []
      for (let i = 0; i < o.count; i++) if (alive.has(o.order[i]!)) all.push(o.order[i]!)
      for (const s of o.pending) if (alive.has(s)) all.push(s)
      all.sort(cmp)
      o.order = Int32Array.from(all)
      o.count = all.length
    } else {
      const needed = o.count + o.pending.length
      if (o.order.length < needed) {
        const grown = new Int32Array(Math.max(needed, o.order.length * 2))
        grown.set(o.order.subarray(0, o.count))
        o.order = grown
      }
      for (const s of o.pending) {
        if (!alive.has(s)) continue
        let lo = 0
        let hi = o.count
        while (lo < hi) {
          const mid = (lo + hi) >>> 1
          if (cmp(o.order[mid]!, s) < 0) lo = mid + 1
          else hi = mid
        }
        o.order.copyWithin(lo + 1, lo, o.count)
        o.order[lo] = s
        o.count++
      }
    }
    o.pending = []
    if (o.pos.length < this.#docs.length) o.pos = new Int32Array(Math.max(this.#docs.length, o.pos.length * 2))
    for (let i = 0; i < o.count; i++) o.pos[o.order[i]!] = i
    return o
  }

  /**
   * Members skip…skip+take of `set` in order `o`. Either walk the order testing membership (about
   * (skip+take)·n/|set| steps: cheap for broad sets) or sort the members' positions (|set|·log|set|:
   * cheap for narrow ones) — whichever costs less.
   */
  #pageFrom(set: TypedFastBitSet, size: number, o: Order, skip: number, take: number): number[] {
    if (take <= 0 || skip >= size) return []
    const scanCost = ((skip + take) * o.count) / size
    const sortCost = size * Math.log2(size + 1) * 4
    const out: number[] = []
    if (scanCost <= sortCost) {
      let toSkip = skip
      for (let i = 0; i < o.count; i++) {
        const slot = o.order[i]!
        if (!set.has(slot)) continue
        if (toSkip > 0) toSkip--
        else if (out.push(slot) === take) break
      }
      return out
    }
    const positions = new Int32Array(size)
    let k = 0
    const pos = o.pos
    const words = set.words
    const n = Math.min((this.#docs.length + 31) >>> 5, words.length)
    for (let i = 0; i < n; i++) {
      let w = words[i]!
      while (w !== 0) {
        const bit = w & -w
        positions[k++] = pos[(i << 5) + (31 - Math.clz32(bit))]!
        w ^= bit
      }
    }
    positions.sort()
    for (let i = skip; i < Math.min(size, skip + take); i++) out.push(o.order[positions[i]!]!)
    return out
  }

  /**
   * Relevance: the sum over terms of 3 (name or skills), 2 (headline) or 1 (bio only); rating, then
   * id, break ties. Scores are added word-parallel into bit planes (a bit-sliced adder: 32 documents
   * per machine word), so levels are bitsets and only the levels the page touches are walked.
   */
  #relevancePage(matches: TypedFastBitSet, total: number, entries: TermEntry[], skip: number, take: number): number[] {
    const o = this.#order('rating')
    // words that can hold a slot (scratch sets are longer)
    const words = (this.#docs.length + 31) >>> 5
    const planes = this.#planes(PLANES)
    const [p0, p1, p2, p3, p4] = planes as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]
    for (const p of planes) p.fill(0, 0, words)
    const m = matches.words
    for (const e of entries) {
      const name = e.byClass[NAME_OR_SKILLS].words
      const head = e.byClass[HEADLINE].words
      const nn = name.length
      const hn = head.length
      // tier as two bits: hi = name|headline (≥ 2), lo = name | not headline (3 or 1)
      for (let k = 0; k < words; k++) {
        const mk = m[k]!
        if (mk === 0) continue
        const a = k < nn ? name[k]! : 0
        const h = k < hn ? head[k]! : 0
        const hi = (a | h) & mk
        const lo = (a | ~h) & mk
        let p = p0[k]!
        let carry = p & lo
        p0[k] = p ^ lo
        p = p1[k]!
        p1[k] = p ^ hi ^ carry
        carry = (p & hi) | (carry & (p ^ hi))
        if (carry === 0) continue
        p = p2[k]!
        p2[k] = p ^ carry
        carry &= p
        if (carry === 0) continue
        p = p3[k]!
        p3[k] = p ^ carry
        carry &= p
        p4[k] = p4[k]! ^ carry
      }
    }
    const level = this.#scratch(1)
    // every word below `words` is written for each level; nothing reads past it
    const lw = level.words
    const out: number[] = []
    let toSkip = skip
    let left = Math.min(take, total - skip)
    for (let score = TIER[0] * entries.length; score >= entries.length && left > 0; score--) {
      // all-ones where the score has a 1 bit: a lane equals the score when no plane differs
      const s0 = -(score & 1)
      const s1 = -((score >> 1) & 1)
      const s2 = -((score >> 2) & 1)
      const s3 = -((score >> 3) & 1)
      const s4 = -((score >> 4) & 1)
      let size = 0
      for (let k = 0; k < words; k++) {
        const mk = m[k]!
        if (mk === 0) {
          lw[k] = 0
          continue
        }
        const eq = mk & ~((p0[k]! ^ s0) | (p1[k]! ^ s1) | (p2[k]! ^ s2) | (p3[k]! ^ s3) | (p4[k]! ^ s4))
        lw[k] = eq
        if (eq !== 0) size += popcount(eq)
      }
      if (size === 0) continue
      if (toSkip >= size) {
        toSkip -= size
        continue
      }
      const part = this.#pageFrom(level, size, o, toSkip, left)
      out.push(...part)
      left -= part.length
      toSkip = 0
    }
    return out
  }

  // --------------------------------------------------------------------------------------------
  // output

  #hit(slot: number, terms: string[], entries: readonly TermEntry[]): SearchHit {
    const doc = this.#docs[slot]!
    const highlights: SearchHighlight[] = []
    if (terms.length > 0) {
      // NFKC is the costly part of case folding and a no-op for almost all text: learn it per slot once
      let plain = this.#plainText[slot]
      if (plain === undefined) {
        plain = [doc.displayName, doc.headline, doc.bio, ...doc.skills].every(isPlain)
        this.#plainText[slot] = plain
      }
      // Which terms occur in which field class is already known from the term's bitsets. For plain
      // text (well-formed NFKC) "term in normalize(field)" ⇔ "term in one normalized token of it" ⇔
      // the slot is in that class's set, so a field no term occurs in is not even lower-cased, and
      // a field is searched only for the terms it holds: the ranges are the same, for less work.
      // Other text keeps the per-code-point mapping of matchRanges, searched for every term.
      let inName: string[] = terms
      let inHead: string[] = terms
      let inBio: string[] = terms
      if (plain) {
        inName = []
        inHead = []
        inBio = []
        for (let i = 0; i < terms.length; i++) {
          const by = entries[i]!.byClass
          if (by[NAME_OR_SKILLS].has(slot)) inName.push(terms[i]!)
          if (by[HEADLINE].has(slot)) inHead.push(terms[i]!)
          if (by[BIO].has(slot)) inBio.push(terms[i]!)
        }
      }
      if (inName.length > 0) {
        const name = matchRanges(doc.displayName, inName, plain)
        if (name.length) highlights.push({ field: 'displayName', snippet: doc.displayName, ranges: name })
      }
      if (inHead.length > 0) {
        const head = matchRanges(doc.headline, inHead, plain)
        if (head.length) highlights.push({ field: 'headline', snippet: doc.headline, ranges: head })
      }
      if (inBio.length > 0) {
        const bio = matchRanges(doc.bio, inBio, plain)
        if (bio.length) highlights.push({ field: 'bio', ...snippet(doc.bio, bio, this.#opts.snippetLength) })
      }
      if (inName.length > 0) {
        for (const skill of doc.skills) {
          const r = matchRanges(skill, inName, plain)
          if (r.length) highlights.push({ field: 'skills', snippet: skill, ranges: r })
        }
      }
    }
    return { doc, highlights }
  }

  // --------------------------------------------------------------------------------------------
  // did you mean

  #vocabulary(): Vocabulary {
    const v: Vocabulary = (this.#vocab ??= { words: [], ids: new Map(), tokens: [], trigramCount: [], byTrigram: new Map(), upTo: 0 })
    for (let id = v.upTo; id < this.#tokens.length; id++) {
      const word = vocabularyWord(this.#tokens[id]!)
      if (word.length < 2 || word.length > 40) continue
      let w = v.ids.get(word)
      if (w === undefined) {
        w = v.words.length
        v.words.push(word)
        v.ids.set(word, w)
        v.tokens.push([])
        const grams = wordTrigrams(word.normalize('NFD'))
        v.trigramCount.push(grams.size)
        for (const g of grams) {
          let list = v.byTrigram.get(g)
          if (!list) v.byTrigram.set(g, (list = []))
          list.push(w)
        }
      }
      v.tokens[w]!.push(id)
    }
    v.upTo = this.#tokens.length
    return v
  }

  #frequency(v: Vocabulary, word: number): number {
    let n = 0
    for (const id of v.tokens[word]!) for (let c = 0; c < 3; c++) n += this.#postings[c]![id]!.n
    return n
  }

  /**
   * The closest vocabulary word to each term that matches nothing, by trigram similarity (pg_trgm's
   * measure, computed on NFD so that Hangul compares by jamo: 면젒 is close to 면접); offered only
   * if the corrected query finds something.
   */
  #suggest(query: SearchQuery, terms: string[], entries: TermEntry[]): string | undefined {
    const v = this.#vocabulary()
    let changed = false
    const corrected = terms.map((term, i) => {
      if (entries[i]!.any.intersects(this.#alive)) return term
      const grams = wordTrigrams(term.normalize('NFD'))
      const shared = new Map<number, number>()
      for (const g of grams) for (const w of v.byTrigram.get(g) ?? []) shared.set(w, (shared.get(w) ?? 0) + 1)
      let best = -1
      let bestSim = SUGGEST_THRESHOLD
      let bestFreq = 0
      for (const [w, common] of shared) {
        const sim = common / (grams.size + v.trigramCount[w]! - common)
        if (sim < bestSim) continue
        const freq = this.#frequency(v, w)
        if (sim > bestSim || freq > bestFreq || best === -1) {
          best = w
          bestSim = sim
          bestFreq = freq
        }
      }
      // a removed mentor's words stay in the vocabulary until compaction: the term itself is no correction
      if (best === -1 || v.words[best] === term) return term
      changed = true
      return v.words[best]!
    })
    if (!changed) return undefined
    const q = corrected.join(' ')
    const check = this.search({ ...query, q, page: 1, pageSize: 1 })
    return check.total > 0 ? q : undefined
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

function sameDoc(a: SearchDoc, b: SearchDoc): boolean {
  return (
    a.displayName === b.displayName &&
    a.headline === b.headline &&
    a.bio === b.bio &&
    a.company === b.company &&
    a.yearsExperience === b.yearsExperience &&
    a.hourlyRate === b.hourlyRate &&
    a.timezone === b.timezone &&
    a.rating === b.rating &&
    a.reviewCount === b.reviewCount &&
    a.photoUrl === b.photoUrl &&
    sameList(a.skills, b.skills) &&
    sameList(a.languages, b.languages)
  )
}

function emptyOrder(): Order {
  return { order: new Int32Array(0), count: 0, pos: new Int32Array(0), pending: [] }
}

/** members of a scratch set: only the words that can hold a slot (scratch sets are longer) */
function countWords(words: Uint32Array, n: number): number {
  let c = 0
  for (let k = 0; k < n; k++) {
    const w = words[k]!
    if (w !== 0) c += popcount(w)
  }
  return c
}

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return Math.imul((v + (v >>> 4)) & 0xf0f0f0f, 0x1010101) >>> 24
}

/** dst[0, n) := src[0, n) (src may be shorter: zeros) */
function copyWords(dst: Uint32Array, src: Uint32Array, n: number): void {
  const m = Math.min(n, src.length)
  dst.set(m === src.length ? src : src.subarray(0, m))
  if (m < n) dst.fill(0, m, n)
}

/**
 * dst[0, n) &= src[0, n) (src may be shorter: zeros); returns the members left when `count`,
 * else 0 when none is left and 1 otherwise.
 */
function andWords(dst: Uint32Array, src: Uint32Array, n: number, count = true): number {
  const m = Math.min(n, src.length)
  let c = 0
  if (count) {
    for (let k = 0; k < m; k++) {
      const w = dst[k]! & src[k]!
      dst[k] = w
      if (w !== 0) c += popcount(w)
    }
  } else {
    let any = 0
    for (let k = 0; k < m; k++) {
      const w = dst[k]! & src[k]!
      dst[k] = w
      any |= w
    }
    c = any === 0 ? 0 : 1
  }
  if (m < n) dst.fill(0, m, n)
  return c
}

const hasFilters = (q: SearchQuery) =>
  (q.skills !== undefined && q.skills.length > 0) ||
  (q.languages !== undefined && q.languages.length > 0) ||
  q.minRate !== undefined ||
  q.maxRate !== undefined ||
  q.minYears !== undefined

/** dst[0, n) |= src[0, n) */
function orWords(dst: Uint32Array, src: Uint32Array, n: number): void {
  const m = Math.min(n, src.length)
  for (let k = 0; k < m; k++) dst[k] = dst[k]! | src[k]!
}

function setFor(map: Map<string, TypedFastBitSet>, key: string): TypedFastBitSet {
  let set = map.get(key)
  if (!set) map.set(key, (set = new TypedFastBitSet()))
  return set
}
