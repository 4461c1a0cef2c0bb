import { createHmac } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'

/** What a room token says: this party of this booking may report presence until `exp`. */
export interface RoomClaims {
  uid: string
  bookingId: string
  role: 'mentee' | 'mentor'
}

const AUDIENCE = 'sunbae-room'
const ISSUER = 'meeting'

/** Why a token is refused: expired, or not a token of ours at all (malformed, tampered, another key). */
export type RoomTokenProblem = 'expired' | 'invalid'

/**
 * Room tokens: compact JWS, HS256 (jose), short-lived. A party gets one with the room's credentials and
 * shows it when reporting presence; the booking and the person are in the token, so presence needs no
 * lookup to know whose it is, and a copied token is of no use after its minutes are up.
 */
export class RoomTokens {
  readonly #key: Uint8Array

  constructor(key: Uint8Array) {
    this.#key = key
  }

  /** MEETING_ROOM_SECRET if set, else a key derived from the service's identity key for this purpose alone. */
  static fromSecrets(roomSecret: string | undefined, identityKey: string): RoomTokens {
    return new RoomTokens(roomSecret ? new TextEncoder().encode(roomSecret) : createHmac('sha256', identityKey).update('sunbae meeting room token v1').digest())
  }

  async sign(c: RoomClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({ bid: c.bookingId, role: c.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(c.uid)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.#key)
  }

  async verify(token: string): Promise<RoomClaims | RoomTokenProblem> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'], audience: AUDIENCE, issuer: ISSUER, requiredClaims: ['exp', 'sub'] })
      const { sub, bid, role } = payload
      if (typeof sub !== 'string' || typeof bid !== 'string' || (role !== 'mentee' && role !== 'mentor')) return 'invalid'
      return { uid: sub, bookingId: bid, role }
    } catch (err) {
      if (err instanceof errors.JWTExpired) return 'expired'
      if (err instanceof errors.JOSEError) return 'invalid'
      throw err
    }
  }
}
