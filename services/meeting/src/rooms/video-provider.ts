import { SignJWT } from 'jose'
import type { IceServer, RoomAccess, VideoProviderName } from '@sunbae/contracts'
import { turnCredentials } from './turn-credentials.ts'

/** One party entering a session's room inside its window. */
export interface RoomEntry {
  bookingId: string
  uid: string
  name: string | null
  role: 'mentee' | 'mentor'
  closesAt: Date
  now: Date
}

/** What a provider adds to the room's answer (the part of RoomAccess that differs by provider). */
export type ProviderAccess = Pick<RoomAccess, 'iceServers' | 'iceTransportPolicy' | 'url'> & {
  /** webrtc: the room's doc and the presence token are meeting's own */
  signalling: boolean
}

/** The room behind a session's join link: the built-in WebRTC room (default) or a self-hosted Jitsi. */
export interface VideoProvider {
  readonly name: VideoProviderName
  enter(entry: RoomEntry): Promise<ProviderAccess>
}

export interface WebRtcOptions {
  stunUrls: string[]
  turnUrls: string[]
  turnSecret: string | undefined
  turnTtlSeconds: number
  iceTransportPolicy: 'all' | 'relay'
}

/**
 * The built-in room: two browsers, signalling through Firestore (`videoRooms/{bookingId}`), NAT
 * traversal through coturn with TURN REST credentials that end with the room (or the TTL, if sooner).
 */
export class WebRtcProvider implements VideoProvider {
  readonly name = 'webrtc' as const
  readonly #o: WebRtcOptions
  constructor(o: WebRtcOptions) {
    this.#o = o
  }

  async enter(e: RoomEntry): Promise<ProviderAccess> {
    const iceServers: IceServer[] = []
    if (this.#o.stunUrls.length) iceServers.push({ urls: this.#o.stunUrls })
    if (this.#o.turnUrls.length && this.#o.turnSecret) {
      const until = new Date(Math.min(e.now.getTime() + this.#o.turnTtlSeconds * 1000, e.closesAt.getTime()))
      const { username, credential } = turnCredentials(this.#o.turnSecret, e.uid, until)
      iceServers.push({ urls: this.#o.turnUrls, username, credential })
    }
    return { signalling: true, iceServers, iceTransportPolicy: this.#o.iceTransportPolicy }
  }
}

export interface JitsiOptions {
  domain: string
  appId: string
  appSecret: string
}

/**
 * A self-hosted Jitsi Meet with prosody token auth (shared secret): each party gets the room's URL with
 * a JWT — HS256 with the app secret; aud 'jitsi', iss the app id, sub the domain, room the room's name,
 * exp the room's closing; context.user the party (the mentor moderates).
 */
export class JitsiProvider implements VideoProvider {
  readonly name = 'jitsi' as const
  readonly #o: JitsiOptions
  readonly #key: Uint8Array
  constructor(o: JitsiOptions) {
    this.#o = o
    this.#key = new TextEncoder().encode(o.appSecret)
  }

  static roomName(bookingId: string): string {
    return `sunbae-${bookingId}`
  }

  async enter(e: RoomEntry): Promise<ProviderAccess> {
    const room = JitsiProvider.roomName(e.bookingId)
    const jwt = await new SignJWT({
      room,
      context: { user: { id: e.uid, ...(e.name ? { name: e.name } : {}), moderator: e.role === 'mentor' } },
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience('jitsi')
      .setIssuer(this.#o.appId)
      .setSubject(this.#o.domain)
      .setIssuedAt()
      .setNotBefore(Math.floor(e.now.getTime() / 1000) - 60)
      .setExpirationTime(Math.floor(e.closesAt.getTime() / 1000))
      .sign(this.#key)
    return { signalling: false, url: `https://${this.#o.domain}/${encodeURIComponent(room)}?jwt=${jwt}` }
  }
}
