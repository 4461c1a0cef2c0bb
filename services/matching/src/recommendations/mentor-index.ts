import { skillConcept } from './skills.ts'
import { words } from './text.ts'
import { ratingPointsOf } from './weights.ts'

/** One mentor as matching knows it (read model row / catalog event payload). */
export interface MentorRecord {
  id: string
  uid: string | null
  displayName: string
  headline: string
  bio: string
  skills: string[]
  company: string | null
  yearsExperience: number
  hourlyRate: number
  languages: string[]
  timezone: string
  status: 'active' | 'suspended'
  approvedAt: string
}

export interface Rating {
  rating: number
  reviewCount: number
}

/** Position of a catalog event in time: envelope occurredAt (ms), then its UUIDv7 id. */
export interface Version {
  at: number
  id: string
}

export const isNewer = (a: Version, b: Version | undefined) => !b || a.at > b.at || (a.at === b.at && a.id > b.id)

/** What the index keeps of a mentor: the profile without its bio (only the bio's words matter here). */
export type IndexedMentor = Omit<MentorRecord, 'bio'>

export interface MentorDoc {
  slot: number
  rec: IndexedMentor
  rating: Rating
  /** distinct skill concepts, and for each the mentor's own spelling (for the reason) */
  concepts: Map<string, string>
  /** distinct words of the headline, and of the bio that are not in the headline */
  headlineWords: string[]
  bioWords: string[]
  /** normalized headline and company, for diversity */
  headlineKey: string
  companyKey: string
}

const NO_RATING: Rating = { rating: 0, reviewCount: 0 }

/** Languages get one bit each in a slot's mask; past 31 distinct codes they share bit 31 ("check the list"). */
const OTHER_LANGUAGES = 31

/**
 * Per-slot numbers the fast scoring pass reads, as typed arrays: at 100,000 mentors the pass must
 * touch tens of thousands of them in a few milliseconds, and following object pointers (and
 * allocating) per mentor is what costs there.
 */
export class SlotColumns {
  alive = new Uint8Array(0)
  rate = new Int32Array(0)
  years = new Uint8Array(0)
  langMask = new Uint32Array(0)
  /** index into the index's time-zone table */
  tz = new Uint16Array(0)
  /** points of the rating reason, precomputed when the rating changes */
  ratingPoints = new Float64Array(0)

  grow(min: number): void {
    if (min <= this.alive.length) return
    const n = Math.max(min, this.alive.length * 2, 1024)
    const g = <T extends Uint8Array | Int32Array | Uint32Array | Uint16Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n)
      b.set(a)
      return b
    }
    this.alive = g(this.alive, (k) => new Uint8Array(k))
    this.rate = g(this.rate, (k) => new Int32Array(k))
    this.years = g(this.years, (k) => new Uint8Array(k))
    this.langMask = g(this.langMask, (k) => new Uint32Array(k))
    this.tz = g(this.tz, (k) => new Uint16Array(k))
    this.ratingPoints = g(this.ratingPoints, (k) => new Float64Array(k))
  }
}

/**
 * The active mentors of the read model in memory, with inverted indexes from skill concept and
 * from headline/bio word to mentor slots: recommendations touch only the mentors that share
 * something with the mentee, never the whole table. Updates are idempotent and order-safe: a
 * profile (or rating) older than the one held is ignored, so replaying events is harmless.
 */
export class MentorIndex {
  readonly #docs: (MentorDoc | undefined)[] = []
  readonly #free: number[] = []
  readonly #byId = new Map<string, MentorDoc>()
  readonly #bySkill = new Map<string, Posting>()
  readonly #byHeadlineWord = new Map<string, Posting>()
  readonly #byBioWord = new Map<string, Posting>()
  /** versions of every mentor seen, suspended ones included (a late "updated" must not revive them) */
  readonly #profileVersions = new Map<string, Version>()
  readonly #ratings = new Map<string, { rating: Rating; version: Version }>()
  readonly #slotOfUid = new Map<string, number>()
  readonly #languageBits = new Map<string, number>()
  readonly #timezones: string[] = []
  readonly #tzIndex = new Map<string, number>()
  readonly cols = new SlotColumns()

  /** The time zones in use; `cols.tz[slot]` indexes this. */
  get timezones(): readonly string[] {
    return this.#timezones
  }

  /** Bit mask of languages for the fast pass; `exact` false when a language has only the shared "other" bit. */
  languageMask(codes: Iterable<string>): { mask: number; exact: boolean } {
    let mask = 0
    let exact = true
    for (const c of codes) {
      const bit = this.#languageBits.get(c)
      if (bit === undefined) continue // nobody speaks it: contributes nothing
      if (bit === OTHER_LANGUAGES) exact = false
      mask |= 1 << bit
    }
    return { mask: mask >>> 0, exact }
  }

  /** The slot of the mentor profile an account owns, if it is in the index. */
  slotOfUid(uid: string): number | undefined {
    return this.#slotOfUid.get(uid)
  }

  get size(): number {
    return this.#byId.size
  }

  /** Slots in use and free ones: the arrays scoring code sizes its scratch space by. */
  get capacity(): number {
    return this.#docs.length
  }

  doc(slot: number): MentorDoc | undefined {
    return this.#docs[slot]
  }

  get(id: string): MentorDoc | undefined {
    return this.#byId.get(id)
  }

  /** Slots of the mentors with a skill of this concept. */
  withSkill(concept: string): Int32Array {
    return slots(this.#bySkill.get(concept))
  }

  /** Slots of the mentors with the word in their headline. */
  withHeadlineWord(word: string): Int32Array {
    return slots(this.#byHeadlineWord.get(word))
  }

  /** Slots of the mentors with the word in their bio but not in their headline. */
  withBioWord(word: string): Int32Array {
    return slots(this.#byBioWord.get(word))
  }

  /** Mentors whose headline or bio has the word. */
  wordFrequency(word: string): number {
    return (this.#byHeadlineWord.get(word)?.set.size ?? 0) + (this.#byBioWord.get(word)?.set.size ?? 0)
  }

  *all(): IterableIterator<MentorDoc> {
    for (const d of this.#docs) if (d) yield d
  }

  /** Applies a profile unless a newer one was applied; returns whether it changed anything. */
  applyProfile(rec: MentorRecord, version: Version): boolean {
    if (!isNewer(version, this.#profileVersions.get(rec.id))) return false
    this.#profileVersions.set(rec.id, version)
    this.#remove(rec.id)
    if (rec.status === 'active') this.#insert(rec)
    return true
  }

  applyRating(mentorId: string, rating: Rating, version: Version): boolean {
    const held = this.#ratings.get(mentorId)
    if (!isNewer(version, held?.version)) return false
    this.#ratings.set(mentorId, { rating, version })
    const doc = this.#byId.get(mentorId)
    if (doc) {
      doc.rating = rating
      this.cols.ratingPoints[doc.slot] = ratingPointsOf(rating)
    }
    return true
  }

  #insert(rec: MentorRecord): void {
    const slot = this.#free.pop() ?? this.#docs.length
    const concepts = new Map<string, string>()
    for (const s of rec.skills) {
      const c = skillConcept(s)
      if (!concepts.has(c)) concepts.set(c, s)
    }
    const headlineWords = words(rec.headline)
    const inHeadline = new Set(headlineWords)
    const bioWords = words(rec.bio).filter((w) => !inHeadline.has(w))
    const { bio: _, ...indexed } = rec
    const doc: MentorDoc = {
      slot,
      rec: indexed,
      rating: this.#ratings.get(rec.id)?.rating ?? NO_RATING,
      concepts,
      headlineWords,
      bioWords,
      headlineKey: rec.headline.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim(),
      companyKey: (rec.company ?? '').toLowerCase().trim(),
    }
    this.#docs[slot] = doc
    this.#byId.set(rec.id, doc)
    if (rec.uid) this.#slotOfUid.set(rec.uid, slot)
    const c = this.cols
    c.grow(slot + 1)
    c.alive[slot] = 1
    c.rate[slot] = rec.hourlyRate
    c.years[slot] = Math.min(255, rec.yearsExperience)
    let mask = 0
    for (const l of rec.languages) {
      let bit = this.#languageBits.get(l)
      if (bit === undefined) this.#languageBits.set(l, (bit = Math.min(this.#languageBits.size, OTHER_LANGUAGES)))
      mask |= 1 << bit
    }
    c.langMask[slot] = mask >>> 0
    let tz = this.#tzIndex.get(rec.timezone)
    if (tz === undefined) {
      tz = this.#timezones.push(rec.timezone) - 1
      this.#tzIndex.set(rec.timezone, tz)
    }
    c.tz[slot] = tz
    c.ratingPoints[slot] = ratingPointsOf(doc.rating)
    for (const c of concepts.keys()) add(this.#bySkill, c, slot)
    for (const w of headlineWords) add(this.#byHeadlineWord, w, slot)
    for (const w of bioWords) add(this.#byBioWord, w, slot)
  }

  #remove(id: string): void {
    const doc = this.#byId.get(id)
    if (!doc) return
    for (const c of doc.concepts.keys()) del(this.#bySkill, c, doc.slot)
    for (const w of doc.headlineWords) del(this.#byHeadlineWord, w, doc.slot)
    for (const w of doc.bioWords) del(this.#byBioWord, w, doc.slot)
    this.#byId.delete(id)
    if (doc.rec.uid && this.#slotOfUid.get(doc.rec.uid) === doc.slot) this.#slotOfUid.delete(doc.rec.uid)
    this.cols.alive[doc.slot] = 0
    this.#docs[doc.slot] = undefined
    this.#free.push(doc.slot)
  }
}

/**
 * A posting list: a Set for cheap updates, and a typed-array copy made on the first read after a
 * change — iterating an Int32Array of 25,000 slots is several times faster than iterating the Set,
 * and reads vastly outnumber changes (an import burst changes many lists, but only the ones a
 * mentee then asks for are copied).
 */
interface Posting {
  set: Set<number>
  arr: Int32Array | null
}

const EMPTY = new Int32Array(0)

function slots(p: Posting | undefined): Int32Array {
  if (!p) return EMPTY
  if (!p.arr) p.arr = Int32Array.from(p.set)
  return p.arr
}

function add(map: Map<string, Posting>, key: string, slot: number) {
  let p = map.get(key)
  if (!p) map.set(key, (p = { set: new Set(), arr: null }))
  p.set.add(slot)
  p.arr = null
}

function del(map: Map<string, Posting>, key: string, slot: number) {
  const p = map.get(key)
  if (!p) return
  p.set.delete(slot)
  p.arr = null
  if (p.set.size === 0) map.delete(key)
}
