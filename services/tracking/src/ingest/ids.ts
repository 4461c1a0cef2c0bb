import { hash } from 'node:crypto'

/**
 * Row ids of the telemetry tables: UUIDv8 (RFC 9562 "custom") whose first 48 bits are the event's
 * own time in milliseconds — like UUIDv7 — and whose other bits are a SHA-256 of the dedup key.
 *
 * - Deterministic: a redelivered message gets the same id, so `ON CONFLICT DO NOTHING` drops it.
 * - The time is in the id, so `GET …/requests/:id` finds the row's partition without a scan.
 */
export function timeId(ms: number, key: string | Uint8Array): string {
  // one-shot hash: half the cost of createHash().update().digest() per row
  const digest = hash('sha256', key, 'buffer')
  const b = Buffer.allocUnsafe(16)
  b.writeUIntBE(Math.max(0, Math.min(ms, 0xffffffffffff)), 0, 6)
  digest.copy(b, 6, 0, 10)
  b[6] = (b[6]! & 0x0f) | 0x80 // version 8
  b[8] = (b[8]! & 0x3f) | 0x80 // RFC 9562 variant
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * Row ids for the records of one batch message, as `timeId` lays them out but with one SHA-256 per
 * message instead of one per record: bits 48–111 (version and variant bits aside, 58 bits) come
 * from the hash of the message's key, and the last 16 bits are the record's index in the message.
 * Distinct indexes give distinct ids; distinct messages collide only if their hashes agree on those
 * 58 bits and two of their records carry the same millisecond. Deterministic like `timeId`.
 */
export function batchTimeIds(key: string | Uint8Array): (ms: number, index: number) => string {
  const d = hash('sha256', key, 'buffer')
  d[0] = (d[0]! & 0x0f) | 0x80 // version 8 (UUID byte 6)
  d[2] = (d[2]! & 0x3f) | 0x80 // RFC 9562 variant (UUID byte 8)
  const h = d.toString('hex', 0, 8)
  const middle = `-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 16)}`
  return (ms, index) => {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff) throw new RangeError(`record index out of range: ${index}`)
    const t = Math.max(0, Math.min(Math.trunc(ms), 0xffffffffffff)).toString(16).padStart(12, '0')
    return `${t.slice(0, 8)}-${t.slice(8, 12)}${middle}${index.toString(16).padStart(4, '0')}`
  }
}

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** The time a `timeId` carries, or null when the string is not one. */
export function timeOfId(id: string): Date | null {
  if (!UUID_V8.test(id)) return null
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
  return Number.isFinite(ms) ? new Date(ms) : null
}
