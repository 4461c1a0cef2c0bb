import type { Identity, RoomAccess, RoomPresenceBody } from '@sunbae/contracts'
import { AppError, conflict, forbidden, notFound } from '@sunbae/service-kit'
import type { Transactions } from '../db/database.ts'
import type { BookingsRepository } from '../bookings/bookings.repository.ts'
import type { BookingRow } from '../bookings/bookings.table.ts'
import type { RoomAttendanceRepository } from './room-attendance.repository.ts'
import type { RoomParty } from './room-attendance.table.ts'
import type { RoomTokens } from './room-tokens.ts'
import type { VideoProvider } from './video-provider.ts'
import type { VideoRoomsFirestore } from './video-rooms.firestore.ts'

const MINUTE = 60_000
/** A room token lasts at most this long (the web asks again before it ends). */
export const ROOM_TOKEN_MS = 15 * MINUTE

export interface RoomWindowPolicy {
  opensBeforeMinutes: number
  closesAfterMinutes: number
}

/** A confirmed session, or one the sweep has completed at its end: its room stays open past the end. */
const live = (r: Pick<BookingRow, 'state'>) => r.state === 'confirmed' || r.state === 'completed'
const iso = (d: Date) => d.toISOString()

/**
 * The session's video room: who may enter (its two parties), when (from `opensBeforeMinutes` before the
 * start to `closesAfterMinutes` after the end), with what (the provider's credentials, a short-lived
 * room token), and who joined (presence, which the no-show rule reads).
 */
export class RoomsService {
  readonly #transactions: Transactions
  readonly #bookings: BookingsRepository
  readonly #attendance: RoomAttendanceRepository
  readonly #tokens: RoomTokens
  readonly #provider: VideoProvider
  readonly #docs: VideoRoomsFirestore
  readonly #policy: RoomWindowPolicy
  readonly #now: () => Date

  constructor(
    transactions: Transactions,
    bookings: BookingsRepository,
    attendance: RoomAttendanceRepository,
    tokens: RoomTokens,
    provider: VideoProvider,
    docs: VideoRoomsFirestore,
    policy: RoomWindowPolicy,
    now: () => Date = () => new Date(),
  ) {
    this.#transactions = transactions
    this.#bookings = bookings
    this.#attendance = attendance
    this.#tokens = tokens
    this.#provider = provider
    this.#docs = docs
    this.#policy = policy
    this.#now = now
  }

  window(r: Pick<BookingRow, 'starts_at' | 'ends_at'>): { opensAt: Date; closesAt: Date } {
    return {
      opensAt: new Date(new Date(r.starts_at).getTime() - this.#policy.opensBeforeMinutes * MINUTE),
      closesAt: new Date(new Date(r.ends_at).getTime() + this.#policy.closesAfterMinutes * MINUTE),
    }
  }

  #party(identity: Identity, r: Pick<BookingRow, 'mentee_uid' | 'mentor_uid'>): RoomParty {
    if (r.mentee_uid === identity.uid) return 'mentee'
    if (r.mentor_uid === identity.uid) return 'mentor'
    throw forbidden("Only the session's mentee and mentor may enter its room", 'NOT_A_PARTY')
  }

  /** POST /bookings/:id/room: fresh credentials (and, for the built-in room, its Firestore doc and a room token). */
  async enter(identity: Identity, id: string): Promise<RoomAccess> {
    const row = await this.#bookings.findById(id)
    if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
    const role = this.#party(identity, row)
    if (!live(row)) throw conflict(`The session is ${row.state}: only a confirmed session has a room`, 'ROOM_NOT_AVAILABLE')
    const { opensAt, closesAt } = this.window(row)
    const now = this.#now()
    if (now < opensAt || now >= closesAt) {
      throw new AppError(409, 'ROOM_CLOSED', `The room is open from ${iso(opensAt)} to ${iso(closesAt)}`, {
        details: [
          { field: 'opensAt', message: iso(opensAt) },
          { field: 'closesAt', message: iso(closesAt) },
        ],
      })
    }
    const access = await this.#provider.enter({ bookingId: row.id, uid: identity.uid, name: identity.name ?? null, role, closesAt, now })
    let token: { roomToken: string; roomTokenExpiresAt: string } | Record<string, never> = {}
    if (access.signalling) {
      await this.#docs.open({ bookingId: row.id, menteeUid: row.mentee_uid, mentorUid: row.mentor_uid, opensAt, closesAt })
      // a cancellation that committed while the doc was written has already closed it (or will find it
      // open and close it): if the booking moved on, close it here too so it never stays open
      const after = await this.#bookings.findById(id)
      if (!after || !live(after)) {
        await this.#docs.close(row.id)
        throw conflict('The session was just cancelled or moved', 'ROOM_NOT_AVAILABLE')
      }
      const expiresAt = new Date(Math.min(now.getTime() + ROOM_TOKEN_MS, closesAt.getTime()))
      token = { roomToken: await this.#tokens.sign({ uid: identity.uid, bookingId: row.id, role }, expiresAt), roomTokenExpiresAt: iso(expiresAt) }
    }
    return {
      bookingId: row.id,
      role,
      startsAt: iso(new Date(row.starts_at)),
      endsAt: iso(new Date(row.ends_at)),
      opensAt: iso(opensAt),
      closesAt: iso(closesAt),
      peer: { uid: role === 'mentee' ? row.mentor_uid : row.mentee_uid },
      provider: this.#provider.name,
      ...token,
      ...(access.iceServers ? { iceServers: access.iceServers } : {}),
      ...(access.iceTransportPolicy ? { iceTransportPolicy: access.iceTransportPolicy } : {}),
      ...(access.url ? { url: access.url } : {}),
    }
  }

  /** POST /bookings/:id/room/presence: the token's party joined or left the room. */
  async presence(identity: Identity, id: string, body: RoomPresenceBody): Promise<void> {
    const claims = await this.#tokens.verify(body.roomToken)
    if (claims === 'expired') throw new AppError(401, 'ROOM_TOKEN_INVALID', 'The room token has expired: enter the room again for a fresh one')
    if (claims === 'invalid') throw new AppError(401, 'ROOM_TOKEN_INVALID', 'The room token is not valid')
    if (claims.bookingId !== id || claims.uid !== identity.uid) throw forbidden('This room token is for another session or person', 'ROOM_TOKEN_NOT_YOURS')
    await this.#transactions.run(async (trx) => {
      const row = await this.#bookings.lockShared(id, trx)
      if (!row) throw notFound('No such booking', 'BOOKING_NOT_FOUND')
      if (!live(row)) throw conflict(`The session is ${row.state}`, 'ROOM_NOT_AVAILABLE')
      if (body.state === 'joined') await this.#attendance.joined(id, claims.role, identity.uid, trx)
      else await this.#attendance.left(id, claims.role, trx)
    })
  }

  /** A booking left the confirmed states (cancelled, moved, no-show): its room closes (from meeting's own events, retried until done). */
  async closeRoom(bookingId: string): Promise<void> {
    await this.#docs.close(bookingId)
  }
}
