/**
 * Secret scrubbing for anything that stores what a client sent (access logs, error reports): pure
 * functions, no I/O, configurable key lists. The gateway scrubs before publishing and tracking
 * scrubs again on ingest (defense in depth: a producer with an older or narrower list must not get
 * a secret stored). Exported as `@sunbae/service-kit/scrub` so both can share one implementation.
 */

export const REDACTED = '[REDACTED]'
export const CARD = '[CARD]'

/** Unambiguous secret words, matched anywhere in a key (`newPassword`, `refresh_token`, `x-signature`). */
export const DEFAULT_SECRET_SUBSTRINGS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'signature',
  'authorization',
  'credential',
  'cookie',
]
/** Short words that are secrets only as a word of their own: `apiKey`, `card_number`, `cvc` — not `keyword`, `discard`. */
export const DEFAULT_SECRET_WORDS: readonly string[] = ['key', 'card', 'cvc', 'cvv', 'cvv2', 'pin', 'pan']

export interface ScrubOptions {
  /** matched case-insensitively anywhere in a key */
  substrings?: readonly string[]
  /** matched case-insensitively against each camelCase / snake_case / kebab-case word of a key */
  words?: readonly string[]
  /** nesting deeper than this is replaced (a hostile body must not blow the stack) */
  maxDepth?: number
}

export interface Scrubber {
  isSecretKey(key: string): boolean
  /** deep copy of a parsed JSON value with secret fields replaced and card numbers masked */
  value(value: unknown): unknown
  /** `"password": "…"`, `password=…` and card numbers in text that is not (complete) JSON */
  text(text: string): string
  /** a query string (without `?`) to an object, repeated keys as arrays, secrets scrubbed */
  query(query: string): Record<string, string | string[]>
  /**
   * A stored body: JSON is parsed and scrubbed field by field, anything else as text; then cut to
   * `max` characters. `complete` false means only the start of a larger body is at hand.
   */
  body(raw: string | Buffer | null | undefined, opts: { contentType?: string | undefined; max: number; complete?: boolean }): string | null
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** 13–19 digits, optionally grouped by single spaces or dashes: the shape of a payment card number. */
const DIGIT_RUN = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g

function luhn(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Masks digit runs that could be card numbers (right length and a valid Luhn checksum). */
export function maskCardNumbers(text: string): string {
  if (text.length < 13) return text
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[ -]/g, '')
    return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? CARD : run
  })
}

/** Cuts to `max` characters, saying so. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  const marker = '…[truncated]'
  return max > marker.length ? text.slice(0, max - marker.length) + marker : text.slice(0, max)
}

function mediaType(contentType: string | undefined): string {
  if (!contentType) return ''
  const semi = contentType.indexOf(';')
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

export function isJsonType(contentType: string | undefined): boolean {
  const t = mediaType(contentType)
  return t === 'application/json' || t.endsWith('+json')
}

const JSON_PAIR = /("([^"\\]{1,100})"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)/g
const FORM_PAIR = /(^|[&;\s])([\w.[\]-]{1,100})=([^&;\s]*)/g

export function createScrubber(opts: ScrubOptions = {}): Scrubber {
  const substrings = (opts.substrings ?? DEFAULT_SECRET_SUBSTRINGS).map((s) => s.trim().toLowerCase()).filter(Boolean)
  const words = new Set((opts.words ?? DEFAULT_SECRET_WORDS).map((s) => s.trim().toLowerCase()).filter(Boolean))
  const maxDepth = opts.maxDepth ?? 20
  const substringRe = substrings.length ? new RegExp(substrings.map(escapeRegExp).join('|'), 'i') : null
  // keys repeat endlessly (every event has the same few): remember the verdicts, bounded
  const verdicts = new Map<string, boolean>()

  function isSecretKey(key: string): boolean {
    const known = verdicts.get(key)
    if (known !== undefined) return known
    let secret = substringRe?.test(key) ?? false
    if (!secret && words.size) {
      secret = key
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .some((w) => words.has(w))
    }
    if (verdicts.size < 10_000) verdicts.set(key, secret)
    return secret
  }

  function value(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return maskCardNumbers(v)
    if (typeof v === 'number') {
      // a card number sent as a JSON number (15+ digits: 13-digit millisecond timestamps stay readable)
      return Number.isInteger(v) && v >= 1e14 && maskCardNumbers(String(v)) === CARD ? CARD : v
    }
    if (v === null || typeof v !== 'object') return v
    if (depth >= maxDepth) return '[TOO DEEP]'
    if (Array.isArray(v)) return v.map((x) => value(x, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      out[k] = isSecretKey(k) && x !== null && x !== '' ? REDACTED : value(x, depth + 1)
    }
    return out
  }

  function text(t: string): string {
    const pairs = t
      .replace(JSON_PAIR, (m, head: string, key: string) => (isSecretKey(key) ? `${head}"${REDACTED}"` : m))
      .replace(FORM_PAIR, (m, lead: string, key: string) => (isSecretKey(key) ? `${lead}${key}=${REDACTED}` : m))
    return maskCardNumbers(pairs)
  }

  function query(q: string): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {}
    if (!q) return out
    for (const [k, v] of new URLSearchParams(q)) {
      const scrubbed = isSecretKey(k) && v !== '' ? REDACTED : maskCardNumbers(v)
      const prev = out[k]
      out[k] = prev === undefined ? scrubbed : Array.isArray(prev) ? [...prev, scrubbed] : [prev, scrubbed]
    }
    return out
  }

  function body(
    raw: string | Buffer | null | undefined,
    o: { contentType?: string | undefined; max: number; complete?: boolean },
  ): string | null {
    if (raw === null || raw === undefined || raw.length === 0 || o.max === 0) return null
    const t = typeof raw === 'string' ? raw : raw.toString('utf8')
    const complete = o.complete ?? true
    const type = mediaType(o.contentType)
    // Without a content type (a body already stored as text), JSON is recognised by its shape.
    const looksJson = type === '' && (t[0] === '{' || t[0] === '[')
    if (complete && (isJsonType(type) || looksJson)) {
      try {
        return truncate(JSON.stringify(value(JSON.parse(t))), o.max)
      } catch {
        // malformed or cut JSON is scrubbed as text
      }
    }
    if (complete && type === 'application/x-www-form-urlencoded') return truncate(JSON.stringify(query(t)), o.max)
    return truncate(text(t), o.max)
  }

  return { isSecretKey, value: (v) => value(v), text, query, body }
}
