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

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** The time a `timeId` carries, or null when the string is not one. */
export function timeOfId(id: string): Date | null {
  if (!UUID_V8.test(id)) return null
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
  return Number.isFinite(ms) ? new Date(ms) : null
}
