import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'

/** What a one-click unsubscribe link switches off: one person's email of one category. */
export interface UnsubscribeClaim {
  uid: string
  category: string
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url')

/**
 * Signed unsubscribe tokens (RFC 8058 one-click links): `<base64url JSON>.<base64url HMAC-SHA256>`.
 * They do not expire (a mail read a year later must still work) and carry nothing secret; the
 * signature is what stops anyone from switching off someone else's mail by editing the link.
 */
export class UnsubscribeTokens {
  // a KeyObject made once: createHmac with a Buffer prepares a key on every call (5–6× the cost of
  // an HMAC over a token; one token is signed per non-transactional email)
  readonly #key: KeyObject
  constructor(key: Buffer) {
    this.#key = createSecretKey(key)
  }

  /** The key: UNSUBSCRIBE_SECRET if set, else one derived from the service's identity key for this purpose alone. */
  static fromSecrets(unsubscribeSecret: string | undefined, identityKey: string): UnsubscribeTokens {
    return new UnsubscribeTokens(unsubscribeSecret ? Buffer.from(unsubscribeSecret) : createHmac('sha256', identityKey).update('sunbae notification unsubscribe v1').digest())
  }

  sign(c: UnsubscribeClaim): string {
    const body = b64(JSON.stringify({ u: c.uid, c: c.category }))
    return `${body}.${this.#mac(body)}`
  }

  /** The claim of a genuine token, or null (malformed, tampered, signed with another key). */
  verify(token: string): UnsubscribeClaim | null {
    const dot = token.indexOf('.')
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return null
    const body = token.slice(0, dot)
    const given = Buffer.from(token.slice(dot + 1), 'base64url')
    const expected = Buffer.from(this.#mac(body), 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u?: unknown; c?: unknown }
      return typeof parsed.u === 'string' && typeof parsed.c === 'string' ? { uid: parsed.u, category: parsed.c } : null
    } catch {
      return null
    }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url')
  }
}
