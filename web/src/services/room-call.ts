// One person's side of the 1:1 call: an RTCPeerConnection driven by the perfect negotiation pattern
// (MDN, "Establishing a connection: the WebRTC perfect negotiation pattern"; polite = the mentee) over
// the room's signalling (services/room.ts). The connection exists while the other person is in the
// room: each of their joins (a new session id) starts a fresh one, their leaving closes it. ICE
// restarts on a failed or lasting disconnected connection and when the browser comes back online.
// The camera/microphone state travels on a negotiated data channel, so the other side shows it.
import { PeerSessions } from '../lib/room.ts'
import type { PeerPresence, Signal, Signalling } from './room.ts'

export type CallState = 'waiting' | 'connecting' | 'connected' | 'reconnecting'

/** What each side tells the other of its own media. */
export interface MediaState {
  audio: boolean
  video: boolean
  screen: boolean
}

export interface CallEvents {
  onState(state: CallState): void
  /** the other person's media (a new stream for each connection; null when they are gone) */
  onRemoteStream(stream: MediaStream | null): void
  onRemoteMedia(m: MediaState | null): void
  /** a signalling failure (Firestore refused: the room closed, the network is gone) */
  onError(err: unknown): void
}

/** A lasting 'disconnected' (not a blip) restarts ICE after this long. */
const DISCONNECTED_GRACE_MS = 2_500

export class RoomCall {
  readonly #polite: boolean
  #config: RTCConfiguration
  readonly #signalling: Signalling
  readonly #events: CallEvents
  readonly #local: MediaStream
  #media: MediaState
  readonly #peers = new PeerSessions()
  #pc: RTCPeerConnection | null = null
  #channel: RTCDataChannel | null = null
  #makingOffer = false
  #ignoreOffer = false
  #settingRemoteAnswer = false
  #pending: RTCIceCandidateInit[] = []
  /** signals are handled one after the other */
  #queue: Promise<void> = Promise.resolve()
  #stops: (() => void)[] = []
  #disconnectedTimer: ReturnType<typeof setTimeout> | null = null
  #closed = false

  constructor(opts: { polite: boolean; config: RTCConfiguration; signalling: Signalling; local: MediaStream; media: MediaState; events: CallEvents }) {
    this.#polite = opts.polite
    this.#config = opts.config
    this.#signalling = opts.signalling
    this.#events = opts.events
    this.#local = opts.local
    this.#media = opts.media
  }

  /** The connection of the moment (for its statistics), or null while waiting. */
  get connection(): RTCPeerConnection | null {
    return this.#pc
  }

  /**
   * Joins: listens for signals first (so nothing the other side sends in answer is missed), then
   * follows their presence and announces ours.
   */
  async start(): Promise<void> {
    this.#events.onState('waiting')
    const stopSignals = await this.#signalling.watchSignals((s) => this.#enqueue(() => this.#onSignal(s)), (err) => this.#events.onError(err))
    this.#stops.push(stopSignals)
    this.#stops.push(this.#signalling.watchPeer((p) => this.#enqueue(() => this.#onPeer(p)), (err) => this.#events.onError(err)))
    const online = () => this.#restartIce()
    window.addEventListener('online', online)
    this.#stops.push(() => window.removeEventListener('online', online))
    await this.#signalling.setPresence('joined')
  }

  /** Fresh ICE servers (TURN credentials expire): used by the next ICE restart. */
  setConfiguration(config: RTCConfiguration): void {
    this.#config = config
    this.#pc?.setConfiguration(config)
  }

  /** Sends another track of the same kind (a device switch, the screen, null for none) without renegotiating. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const old = this.#local.getTracks().find((t) => t.kind === kind)
    if (old && old !== track) this.#local.removeTrack(old)
    if (track && !this.#local.getTracks().includes(track)) this.#local.addTrack(track)
    const pc = this.#pc
    if (!pc) return
    const transceiver = pc.getTransceivers().find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind)
    if (!transceiver) {
      if (track) pc.addTrack(track, this.#local)
      return
    }
    await transceiver.sender.replaceTrack(track)
    // a line the other side opened while I had no such track only receives: now it sends too
    if (track && (transceiver.direction === 'recvonly' || transceiver.direction === 'inactive')) {
      transceiver.sender.setStreams(this.#local)
      transceiver.direction = 'sendrecv'
    }
  }

  /** My camera/microphone/screen as the other side should show them. */
  setMedia(media: MediaState): void {
    this.#media = media
    this.#sendMedia()
  }

  /** Leaves: tells the other side (bye, presence left) and closes everything. */
  async leave(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const stop of this.#stops.splice(0)) stop()
    this.#closePc()
    await Promise.allSettled([this.#signalling.send({ type: 'bye' }), this.#signalling.setPresence('left')])
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((err: unknown) => {
      // a signal meant for an earlier connection (a late candidate or answer) cannot apply: it is dropped
      console.warn('room: signal not applied', err)
    })
  }

  async #onPeer(p: PeerPresence | null): Promise<void> {
    if (this.#closed || !p) return
    if (p.state === 'left') {
      if (this.#peers.retire(p.sessionId)) this.#gone()
      return
    }
    if (this.#peers.see(p.sessionId) === 'new') this.#connect()
  }

  async #onSignal(s: Signal): Promise<void> {
    if (this.#closed) return
    if (s.type === 'bye') {
      if (this.#peers.retire(s.sessionId)) this.#gone()
      return
    }
    const seen = this.#peers.see(s.sessionId)
    if (seen === 'ignore') return
    if (seen === 'new') this.#connect()
    const pc = this.#pc!
    if (s.type === 'candidate') {
      if (!s.candidate) return
      if (!pc.remoteDescription) {
        this.#pending.push(s.candidate)
        return
      }
      try {
        await pc.addIceCandidate(s.candidate)
      } catch (err) {
        if (!this.#ignoreOffer) throw err
      }
      return
    }
    if (!s.sdp) return
    const description: RTCSessionDescriptionInit = { type: s.type, sdp: s.sdp }
    const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer)
    const collision = description.type === 'offer' && !readyForOffer
    this.#ignoreOffer = !this.#polite && collision
    if (this.#ignoreOffer) return
    this.#settingRemoteAnswer = description.type === 'answer'
    await pc.setRemoteDescription(description)
    this.#settingRemoteAnswer = false
    for (const c of this.#pending.splice(0)) await pc.addIceCandidate(c).catch(() => {})
    if (description.type === 'offer') {
      await pc.setLocalDescription()
      await this.#signalling.send({ type: 'answer', sdp: pc.localDescription!.sdp })
    }
  }

  /** A fresh connection for the other person's new session, sending my tracks. */
  #connect(): void {
    this.#closePc()
    const pc = new RTCPeerConnection(this.#config)
    this.#pc = pc
    this.#pending = []
    this.#makingOffer = false
    this.#ignoreOffer = false
    this.#settingRemoteAnswer = false
    const remote = new MediaStream()
    this.#events.onRemoteStream(remote)
    this.#events.onState('connecting')
    for (const track of this.#local.getTracks()) pc.addTrack(track, this.#local)
    // both sides open the same channel (negotiated, id 0): no one has to wait for the other's
    const channel = pc.createDataChannel('media-state', { negotiated: true, id: 0 })
    this.#channel = channel
    channel.onopen = () => this.#sendMedia()
    channel.onmessage = (e) => {
      try {
        const m = JSON.parse(String(e.data)) as Partial<MediaState>
        this.#events.onRemoteMedia({ audio: m.audio === true, video: m.video === true, screen: m.screen === true })
      } catch {
        /* not ours */
      }
    }
    pc.ontrack = (e) => {
      if (this.#pc !== pc) return
      remote.addTrack(e.track)
      // a new MediaStream object, so a <video> bound to it picks up the added track
      this.#events.onRemoteStream(new MediaStream(remote.getTracks()))
    }
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && this.#pc === pc) void this.#signalling.send({ type: 'candidate', candidate: candidate.toJSON() }).catch((err: unknown) => this.#events.onError(err))
    }
    pc.onnegotiationneeded = async () => {
      try {
        this.#makingOffer = true
        await pc.setLocalDescription()
        if (this.#pc !== pc || !pc.localDescription) return
        await this.#signalling.send({ type: pc.localDescription.type as 'offer' | 'answer', sdp: pc.localDescription.sdp })
      } catch (err) {
        if (this.#pc === pc) this.#events.onError(err)
      } finally {
        this.#makingOffer = false
      }
    }
    pc.onconnectionstatechange = () => {
      if (this.#pc !== pc) return
      const s = pc.connectionState
      this.#events.onState(s === 'connected' ? 'connected' : s === 'disconnected' || s === 'failed' ? 'reconnecting' : 'connecting')
    }
    pc.oniceconnectionstatechange = () => {
      if (this.#pc !== pc) return
      const s = pc.iceConnectionState
      if (this.#disconnectedTimer) clearTimeout(this.#disconnectedTimer)
      this.#disconnectedTimer = null
      if (s === 'failed') this.#restartIce()
      else if (s === 'disconnected') this.#disconnectedTimer = setTimeout(() => { if (pc.iceConnectionState === 'disconnected') this.#restartIce() }, DISCONNECTED_GRACE_MS)
    }
  }

  #restartIce(): void {
    if (this.#closed || !this.#pc || this.#pc.signalingState === 'closed') return
    // a new offer with fresh ICE credentials (onnegotiationneeded)
    this.#pc.restartIce()
  }

  #sendMedia(): void {
    if (this.#channel?.readyState === 'open') this.#channel.send(JSON.stringify(this.#media))
  }

  /** The other person left: back to waiting for them. */
  #gone(): void {
    this.#closePc()
    this.#events.onRemoteStream(null)
    this.#events.onRemoteMedia(null)
    this.#events.onState('waiting')
  }

  #closePc(): void {
    if (this.#disconnectedTimer) clearTimeout(this.#disconnectedTimer)
    this.#disconnectedTimer = null
    this.#channel?.close()
    this.#channel = null
    this.#pc?.close()
    this.#pc = null
  }
}
