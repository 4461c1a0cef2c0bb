/**
 * Scrubbing for the access log: pure functions, no I/O. Secrets never leave the gateway in an
 * access-log event — neither in the body nor in the query string.
 */

export const REDACTED = '[REDACTED]'

/** Unambiguous secret words: matched anywhere in a key (`newPassword`, `refresh_token`, `x-signature`). */
const SECRET_SUBSTRING = /password|passwd|secret|token|signature|authorization|credential|cookie/i
/** Short words that are secrets only as a word of their own: `apiKey`, `card_number`, `cvc` — not `keyword`, `discard`. */
const SECRET_WORDS = new Set(['key', 'card', 'cvc', 'cvv', 'cvv2', 'pin', 'pan'])

/** Whether a field name holds a secret (case-insensitive, camelCase/snake_case/kebab-case aware). */
export function isSecretKey(key: string): boolean {
  if (SECRET_SUBSTRING.test(key)) return true
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
  return words.some((w) => SECRET_WORDS.has(w))
}

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
    return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? '[CARD]' : run
  })
}

const MAX_DEPTH = 20

/** Deep copy of a parsed JSON value with secret fields replaced and card numbers masked. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskCardNumbers(value)
  if (typeof value === 'number') {
    // a card number sent as a JSON number (15+ digits: 13-digit millisecond timestamps stay readable)
    return Number.isInteger(value) && value >= 1e14 && maskCardNumbers(String(value)) === '[CARD]' ? '[CARD]' : value
  }
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return '[TOO DEEP]'
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== null && v !== '' ? REDACTED : scrubValue(v, depth + 1)
  }
  return out
}

/** Cuts to `max` characters, saying so. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  const marker = '…[truncated]'
  return max > marker.length ? text.slice(0, max - marker.length) + marker : text.slice(0, max)
}

/** `"password": "…"` and `password=…` in text that could not be parsed (truncated or malformed bodies). */
const JSON_PAIR = /("([^"\\]{1,100})"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)/g
const FORM_PAIR = /(^|[&;\s])([\w.[\]-]{1,100})=([^&;\s]*)/g

export function scrubText(text: string): string {
  const pairs = text
    .replace(JSON_PAIR, (m, head: string, key: string) => (isSecretKey(key) ? `${head}"${REDACTED}"` : m))
    .replace(FORM_PAIR, (m, lead: string, key: string) => (isSecretKey(key) ? `${lead}${key}=${REDACTED}` : m))
  return maskCardNumbers(pairs)
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

/**
 * The request body as it goes into the access log: secrets scrubbed, then capped at `max`
 * characters. `complete` is false when only the start of a larger body was kept.
 */
export function scrubBody(raw: Buffer | string | null | undefined, contentType: string | undefined, max: number, complete = true): string | null {
  if (raw === null || raw === undefined || raw.length === 0 || max === 0) return null
  const text = typeof raw === 'string' ? raw : raw.toString('utf8')
  const type = mediaType(contentType)
  if (complete && isJsonType(type)) {
    try {
      return truncate(JSON.stringify(scrubValue(JSON.parse(text))), max)
    } catch {
      // malformed JSON is logged as text
    }
  }
  if (complete && type === 'application/x-www-form-urlencoded') {
    return truncate(JSON.stringify(scrubQuery(text)), max)
  }
  return truncate(scrubText(text), max)
}

/** Query string (without `?`) to an object, repeated keys as arrays, secrets scrubbed. */
export function scrubQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (!query) return out
  for (const [k, v] of new URLSearchParams(query)) {
    const value = isSecretKey(k) && v !== '' ? REDACTED : maskCardNumbers(v)
    const prev = out[k]
    out[k] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return out
}
