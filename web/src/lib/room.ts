// The video room's rules that need no browser (so tap can test them): when a session's room is open,
// what a room refusal means for the page, connection quality from two getStats() samples, time left,
// when to renew the room token, and which signals of the perfect negotiation to act on.

import { MEETING_ROOM_WINDOW } from '@sunbae/contracts'

const MIN = 60_000

/**
 * Whether the sessions list offers "Join" for a confirmed session at `now`: from 10 minutes before its
 * start to 30 minutes after its end (MEETING_ROOM_WINDOW, the service's defaults; the room page shows
 * the service's own answer, so a differently configured service shows its not-yet-open or closed state).
 */
export function roomJoinable(b: { state: string; start: string; end: string }, now: number): boolean {
  if (b.state !== 'confirmed') return false
  return now >= Date.parse(b.start) - MEETING_ROOM_WINDOW.opensBeforeMinutes * MIN && now < Date.parse(b.end) + MEETING_ROOM_WINDOW.closesAfterMinutes * MIN
}

export const roomPath = (bookingId: string) => `/sessions/${encodeURIComponent(bookingId)}/room`

/** What the page shows when POST …/room refuses: the error code and details of the API. */
export type RoomRefusal =
  | { kind: 'not_yet_open'; opensAt: string; closesAt: string }
  | { kind: 'closed'; closesAt: string | null }
  | { kind: 'not_available' }
  | { kind: 'not_a_party' }
  | { kind: 'not_found' }

/**
 * The refusal an API error stands for, or null when it is not one (a network error, a 5xx: retry).
 * ROOM_CLOSED names the window in its details: [{ field: 'opensAt', message: ISO }, { field: 'closesAt', … }].
 */
export function roomRefusal(err: { status: number; code: string; details: readonly { field: string; message: string }[] }, now: number): RoomRefusal | null {
  switch (err.code) {
    case 'ROOM_CLOSED': {
      const at = (field: string) => {
        const v = err.details.find((d) => d.field === field)?.message
        return v && Number.isFinite(Date.parse(v)) ? v : null
      }
      const opensAt = at('opensAt')
      const closesAt = at('closesAt')
      if (opensAt && closesAt && now < Date.parse(opensAt)) return { kind: 'not_yet_open', opensAt, closesAt }
      return { kind: 'closed', closesAt }
    }
    case 'ROOM_NOT_AVAILABLE':
      return { kind: 'not_available' }
    case 'NOT_A_PARTY':
      return { kind: 'not_a_party' }
    default:
      if (err.status === 404) return { kind: 'not_found' }
      if (err.status === 403) return { kind: 'not_a_party' }
      return null
  }
}

/**
 * When to ask for a fresh room (token and TURN credentials): a minute before the token expires, or
 * at four fifths of its life when it is short; never in the past (at once instead).
 */
export function renewDelay(expiresAt: string, now: number): number {
  const left = Date.parse(expiresAt) - now
  if (!(left > 0)) return 0
  return Math.max(left - MIN, Math.floor(left * 0.8))
}

/** "mm:ss" (or "h:mm:ss") until `end`; "0:00" once it has passed. */
export function formatTimeLeft(end: string, now: number): string {
  const s = Math.max(0, Math.floor((Date.parse(end) - now) / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

// ---- connection quality -----------------------------------------------------------------------

/** What one getStats() report says, summed over the inbound streams. */
export interface StatsSample {
  /** the report's time, ms */
  at: number
  /** the selected candidate pair's current round-trip time, ms (null before one is measured) */
  rttMs: number | null
  packetsReceived: number
  packetsLost: number
  videoBytesReceived: number
  audioBytesReceived: number
  /** whether the pair in use goes through a TURN relay */
  relayed: boolean
}

type StatLike = { type: string; id: string; [k: string]: unknown }
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

/** Sums a getStats() report (RTCStatsReport's values) into a sample. */
export function sampleStats(report: Iterable<StatLike>, at: number): StatsSample {
  const byId = new Map<string, StatLike>()
  for (const s of report) byId.set(s.id, s)
  const sample: StatsSample = { at, rttMs: null, packetsReceived: 0, packetsLost: 0, videoBytesReceived: 0, audioBytesReceived: 0, relayed: false }
  let pair: StatLike | undefined
  for (const s of byId.values()) {
    if (s.type === 'inbound-rtp') {
      sample.packetsReceived += num(s.packetsReceived)
      sample.packetsLost += Math.max(0, num(s.packetsLost))
      if (s.kind === 'video') sample.videoBytesReceived += num(s.bytesReceived)
      else if (s.kind === 'audio') sample.audioBytesReceived += num(s.bytesReceived)
    } else if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      pair = byId.get(s.selectedCandidatePairId)
    }
  }
  // without the transport's pointer (older browsers): the nominated pair that succeeded
  pair ??= [...byId.values()].find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded')
  if (pair) {
    if (typeof pair.currentRoundTripTime === 'number') sample.rttMs = pair.currentRoundTripTime * 1000
    const local = byId.get(String(pair.localCandidateId))
    const remote = byId.get(String(pair.remoteCandidateId))
    sample.relayed = local?.candidateType === 'relay' || remote?.candidateType === 'relay'
  }
  return sample
}

export type Quality = 'good' | 'fair' | 'poor'

export interface QualityReading {
  quality: Quality
  rttMs: number | null
  /** packets lost of those expected since the previous sample, percent */
  lossPercent: number
  /** incoming video, kbit/s since the previous sample */
  videoKbps: number
}

/** Bounds: good below the first, poor at or above the second (bitrate: the other way round). */
export const QUALITY_BOUNDS = { rttMs: [300, 600], lossPercent: [2, 8], videoKbps: [150, 30] } as const

const RANK: Record<Quality, number> = { good: 0, fair: 1, poor: 2 }
const worst = (...q: Quality[]) => q.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'good')

/**
 * Quality between two samples: the worst of round-trip time, packet loss and (when the other person's
 * camera is on, so video is expected) the incoming video bitrate.
 */
export function qualityOf(prev: StatsSample, cur: StatsSample, expectVideo: boolean): QualityReading {
  const received = Math.max(0, cur.packetsReceived - prev.packetsReceived)
  const lost = Math.max(0, cur.packetsLost - prev.packetsLost)
  const lossPercent = received + lost > 0 ? (lost / (received + lost)) * 100 : 0
  const seconds = (cur.at - prev.at) / 1000
  const videoKbps = seconds > 0 ? (Math.max(0, cur.videoBytesReceived - prev.videoBytesReceived) * 8) / 1000 / seconds : 0
  const B = QUALITY_BOUNDS
  const rtt: Quality = cur.rttMs === null ? 'good' : cur.rttMs >= B.rttMs[1] ? 'poor' : cur.rttMs >= B.rttMs[0] ? 'fair' : 'good'
  const loss: Quality = lossPercent >= B.lossPercent[1] ? 'poor' : lossPercent >= B.lossPercent[0] ? 'fair' : 'good'
  const rate: Quality = !expectVideo || seconds <= 0 ? 'good' : videoKbps < B.videoKbps[1] ? 'poor' : videoKbps < B.videoKbps[0] ? 'fair' : 'good'
  return { quality: worst(rtt, loss, rate), rttMs: cur.rttMs, lossPercent, videoKbps }
}

// ---- signalling ---------------------------------------------------------------------------------

/**
 * Which of the other person's sessions (one per join) the call follows. A signal or presence from a
 * session not seen before is the other person's new join: the call starts over with it; signals of
 * sessions that were left or replaced are ignored.
 */
export class PeerSessions {
  #current: string | null = null
  readonly #retired = new Set<string>()

  get current(): string | null {
    return this.#current
  }

  /** 'ignore' (an old session), 'same' (the session followed) or 'new' (start over with it). */
  see(sessionId: string): 'ignore' | 'same' | 'new' {
    if (this.#retired.has(sessionId)) return 'ignore'
    if (sessionId === this.#current) return 'same'
    if (this.#current) this.#retired.add(this.#current)
    this.#current = sessionId
    return 'new'
  }

  /** The session left (bye, or its presence says left): nothing more of it is taken. */
  retire(sessionId: string): boolean {
    this.#retired.add(sessionId)
    if (this.#current !== sessionId) return false
    this.#current = null
    return true
  }
}

/** A fresh session id for one join (the rules allow up to 64 characters). */
export function newSessionId(): string {
  return crypto.randomUUID()
}
