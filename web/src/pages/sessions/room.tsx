// The 1:1 video room of a confirmed session (/sessions/:bookingId/room, issue 23). meeting opens the
// room (POST …/room: the other party, ICE servers with TURN credentials, a short-lived room token) or
// says why not (not yet open, closed, not confirmed, not a party); the lobby previews the camera and
// lets the person pick camera and microphone; in the room, the call (services/room-call.ts) connects
// the two browsers over Firestore signalling, with mute, camera off, screen share, device switching
// (RTCRtpSender.replaceTrack), leave and rejoin, connection quality from getStats() and time left.
// Attendance goes to meeting (presence joined / left with the room token); the room is asked again
// before the token expires, which also renews the TURN credentials.
import { Alert, Button, Card, Flex, Result, Select, Space, Tag, Typography } from 'antd'
import { AudioMutedOutlined, AudioOutlined, DesktopOutlined, LogoutOutlined, VideoCameraOutlined } from '@ant-design/icons'
import { useCallback, useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { useRoomWords } from '../../i18n/room.ts'
import { ApiError } from '../../lib/errors.ts'
import { browserZone, formatInZone } from '../../lib/meetings.ts'
import { formatTimeLeft, newSessionId, qualityOf, renewDelay, roomRefusal, sampleStats, type QualityReading, type RoomRefusal, type StatsSample } from '../../lib/room.ts'
import { RoomCall, type CallState, type MediaState } from '../../services/room-call.ts'
import { bearerNow, firestoreSignalling, leaveBeacon, openRoom, recordPresence, type Room } from '../../services/room.ts'

const SESSIONS_PATH = '/me?tab=sessions'
/** how often the quality indicator reads the connection's statistics */
const STATS_EVERY_MS = 2_000
/** setTimeout's ceiling; a room opening later is looked at again then */
const MAX_TIMER_MS = 2 ** 31 - 1

const rtcConfig = (room: Room): RTCConfiguration => ({ iceServers: room.iceServers ?? [], iceTransportPolicy: room.iceTransportPolicy ?? 'all' })

/** The current time, ticking every second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(h)
  }, [])
  return now
}

export default function RoomPage() {
  const { bookingId = '' } = useParams()
  const w = useRoomWords()
  const [room, setRoom] = useState<Room | null>(null)
  const [refusal, setRefusal] = useState<RoomRefusal | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)

  // the room, again whenever `attempt` changes (retry, the opening time reached)
  useEffect(() => {
    let live = true
    setError(null)
    openRoom(bookingId).then(
      (r) => {
        if (!live) return
        setRefusal(null)
        setRoom(r)
      },
      (err: unknown) => {
        if (!live) return
        const r = err instanceof ApiError ? roomRefusal(err, Date.now()) : null
        if (r) setRefusal(r)
        else setError(err)
      },
    )
    return () => {
      live = false
    }
  }, [bookingId, attempt])

  // a room not yet open is asked for again when it opens
  useEffect(() => {
    if (refusal?.kind !== 'not_yet_open') return
    const h = setTimeout(() => setAttempt((n) => n + 1), Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(refusal.opensAt) - Date.now()) + 500))
    return () => clearTimeout(h)
  }, [refusal])

  // a fresh token (and TURN credentials) before the current one expires
  useEffect(() => {
    if (!room?.roomTokenExpiresAt) return
    let live = true
    const h = setTimeout(() => {
      openRoom(bookingId).then(
        (r) => live && setRoom(r),
        (err: unknown) => {
          if (!live) return
          const r = err instanceof ApiError ? roomRefusal(err, Date.now()) : null
          if (r) setRefusal(r)
        },
      )
    }, Math.min(MAX_TIMER_MS, renewDelay(room.roomTokenExpiresAt, Date.now())))
    return () => {
      live = false
      clearTimeout(h)
    }
  }, [bookingId, room])

  const back = <Link to={SESSIONS_PATH}>{w.roomBack}</Link>
  let body
  if (refusal) body = <Refusal refusal={refusal} back={back} />
  else if (error) body = <QueryError error={error} onRetry={() => setAttempt((n) => n + 1)} />
  else if (!room) body = <Loading />
  else if (room.provider === 'jitsi' && room.url) {
    body = (
      <Result status="info" title={w.roomJitsi} extra={<Button type="primary" href={room.url} target="_blank" rel="noopener noreferrer" icon={<VideoCameraOutlined />}>{w.roomOpenJitsi}</Button>} />
    )
  } else body = <RoomView room={room} />
  return (
    <Flex vertical gap={16} data-testid="room-page">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>{w.roomTitle}</Typography.Title>
        {back}
      </Flex>
      {body}
    </Flex>
  )
}

function Refusal({ refusal, back }: { refusal: RoomRefusal; back: ReactNode }) {
  const w = useRoomWords()
  const { lang } = useI18n()
  const tz = browserZone()
  const at = (iso: string) => formatInZone(iso, tz, lang)
  switch (refusal.kind) {
    case 'not_yet_open':
      return <Result status="info" data-testid="room-not-open" title={w.roomNotYetOpen(at(refusal.opensAt))} extra={back} />
    case 'closed':
      return <Result status="warning" data-testid="room-closed" title={w.roomClosed} subTitle={refusal.closesAt ? w.roomClosedAt(at(refusal.closesAt)) : undefined} extra={back} />
    case 'not_available':
      return <Result status="warning" data-testid="room-unavailable" title={w.roomNotAvailable} extra={back} />
    case 'not_a_party':
      return <Result status="403" data-testid="room-refused" title={w.roomNotAParty} extra={back} />
    case 'not_found':
      return <Result status="404" data-testid="room-not-found" title={w.roomNotFound} extra={back} />
  }
}

/** Camera and microphone: the stream, the devices to choose from and the chosen ones. */
function useLocalMedia() {
  const [stream, setStream] = useState<MediaStream | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([])
  const [chosen, setChosen] = useState<{ audio?: string | undefined; video?: string | undefined }>({})
  const streamRef = useRef<MediaStream | null>(null)

  const listDevices = useCallback(async () => setDevices((await navigator.mediaDevices.enumerateDevices()).filter((d) => d.deviceId)), [])

  const open = useCallback(async (): Promise<MediaStream | null> => {
    setError(null)
    try {
      const s = await navigator.mediaDevices.getUserMedia({
        audio: chosen.audio ? { deviceId: { exact: chosen.audio } } : true,
        video: chosen.video ? { deviceId: { exact: chosen.video } } : true,
      })
      // one stream at a time (a second open — a retry, React's double effects in development — replaces the first)
      for (const t of streamRef.current?.getTracks() ?? []) t.stop()
      streamRef.current = s
      setStream(s)
      setChosen({ audio: s.getAudioTracks()[0]?.getSettings().deviceId, video: s.getVideoTracks()[0]?.getSettings().deviceId })
      // labels are only given once a device is in use
      await listDevices()
      return s
    } catch (err) {
      setError(err)
      return null
    }
  }, [chosen.audio, chosen.video, listDevices])

  const stop = useCallback(() => {
    for (const t of streamRef.current?.getTracks() ?? []) t.stop()
    streamRef.current = null
    setStream(null)
  }, [])

  useEffect(() => {
    navigator.mediaDevices.addEventListener('devicechange', listDevices)
    return () => {
      navigator.mediaDevices.removeEventListener('devicechange', listDevices)
      for (const t of streamRef.current?.getTracks() ?? []) t.stop()
    }
  }, [listDevices])

  return { stream, error, devices, chosen, setChosen, open, stop }
}

/** A <video> showing a stream (srcObject is not an attribute React sets). */
function StreamVideo({ stream, muted, label, style, testId }: { stream: MediaStream | null; muted?: boolean; label: string; style?: CSSProperties; testId: string }) {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream
  }, [stream])
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} data-testid={testId} style={{ background: '#111', borderRadius: 8, objectFit: 'cover', ...style }} />
}

const QUALITY_COLOR = { good: 'success', fair: 'warning', poor: 'error' } as const

function RoomView({ room }: { room: Room }) {
  const w = useRoomWords()
  const { lang } = useI18n()
  const { user } = useAuth()
  const media = useLocalMedia()
  const now = useNow()
  const [phase, setPhase] = useState<'lobby' | 'in' | 'left'>('lobby')
  const [callState, setCallState] = useState<CallState>('waiting')
  const [remote, setRemote] = useState<MediaStream | null>(null)
  const [remoteMedia, setRemoteMedia] = useState<MediaState | null>(null)
  const [mine, setMine] = useState<MediaState>({ audio: true, video: true, screen: false })
  const [failure, setFailure] = useState<string | null>(null)
  const [quality, setQuality] = useState<(QualityReading & { sample: StatsSample }) | null>(null)
  const callRef = useRef<RoomCall | null>(null)
  const cameraRef = useRef<MediaStreamTrack | null>(null)
  const roomRef = useRef(room)
  const bearerRef = useRef<string | null>(null)
  const peerRole = room.role === 'mentee' ? w.roomMentor : w.roomMentee

  // a renewed room: its token for presence, its ICE servers for the next restart
  useEffect(() => {
    roomRef.current = room
    callRef.current?.setConfiguration(rtcConfig(room))
    void bearerNow().then((b) => (bearerRef.current = b), () => {})
  }, [room])

  // the lobby's preview
  const { open: openMedia, stop: stopMedia } = media
  useEffect(() => {
    // only when the page opens: later opens are the person's (retry, rejoin)
    void openMedia()
  }, [])

  const presence = useCallback((state: 'joined' | 'left') => {
    const token = roomRef.current.roomToken
    if (token) void recordPresence(room.bookingId, token, state).catch((err: unknown) => console.warn('room: presence not recorded', err))
  }, [room.bookingId])

  const join = useCallback(async (stream: MediaStream) => {
    if (!user || callRef.current) return
    setFailure(null)
    const initial: MediaState = { audio: stream.getAudioTracks().some((t) => t.enabled), video: stream.getVideoTracks().length > 0, screen: false }
    setMine(initial)
    cameraRef.current = stream.getVideoTracks()[0] ?? null
    const call = new RoomCall({
      polite: room.role === 'mentee',
      config: rtcConfig(roomRef.current),
      signalling: firestoreSignalling(room.bookingId, user.uid, room.peer.uid, newSessionId()),
      local: stream,
      media: initial,
      events: {
        onState: setCallState,
        onRemoteStream: setRemote,
        onRemoteMedia: setRemoteMedia,
        onError: (err) => {
          console.warn('room: signalling failed', err)
          setFailure(w.roomSignallingError)
        },
      },
    })
    callRef.current = call
    setPhase('in')
    try {
      await call.start()
      presence('joined')
    } catch (err) {
      console.warn('room: could not join', err)
      callRef.current = null
      await call.leave()
      setFailure(w.roomSignallingError)
      setPhase('lobby')
    }
  }, [user, room.role, room.bookingId, room.peer.uid, presence, w])

  const leave = useCallback(async () => {
    const call = callRef.current
    callRef.current = null
    setPhase('left')
    setRemote(null)
    setRemoteMedia(null)
    setQuality(null)
    cameraRef.current?.stop()
    stopMedia()
    if (call) {
      presence('left')
      await call.leave()
    }
  }, [presence, stopMedia])

  const rejoin = useCallback(async () => {
    const s = await openMedia()
    if (s) await join(s)
  }, [openMedia, join])

  // closing the tab or going elsewhere in the app leaves the room
  useEffect(() => {
    const onHide = () => {
      const call = callRef.current
      if (!call) return
      callRef.current = null
      const token = roomRef.current.roomToken
      if (token && bearerRef.current) leaveBeacon(room.bookingId, token, bearerRef.current)
      void call.leave()
    }
    window.addEventListener('pagehide', onHide)
    return () => {
      window.removeEventListener('pagehide', onHide)
      const call = callRef.current
      callRef.current = null
      if (call) {
        presence('left')
        void call.leave()
      }
      cameraRef.current?.stop()
    }
  }, [room.bookingId, presence])

  // connection quality from the statistics, while connected
  useEffect(() => {
    if (phase !== 'in' || callState !== 'connected') return
    let prev: StatsSample | null = null
    let live = true
    const read = async () => {
      const pc = callRef.current?.connection
      if (!pc) return
      const cur = sampleStats((await pc.getStats()).values() as Iterable<{ type: string; id: string }>, Date.now())
      if (!live) return
      if (prev) setQuality({ ...qualityOf(prev, cur, remoteMedia?.video !== false), sample: cur })
      prev = cur
    }
    void read()
    const h = setInterval(() => void read(), STATS_EVERY_MS)
    return () => {
      live = false
      clearInterval(h)
      // a reading belongs to one connection
      setQuality(null)
    }
  }, [phase, callState, remoteMedia?.video])

  const stream = media.stream
  const audioTrack = stream?.getAudioTracks()[0] ?? null

  const toggleMute = () => {
    if (!audioTrack) return
    audioTrack.enabled = !audioTrack.enabled
    const next = { ...mine, audio: audioTrack.enabled }
    setMine(next)
    callRef.current?.setMedia(next)
  }

  /** Puts `track` in place of the stream's track of its kind (and sends it, in the room). */
  const putTrack = async (kind: 'audio' | 'video', track: MediaStreamTrack | null) => {
    if (!stream) return
    if (callRef.current) await callRef.current.replaceTrack(kind, track)
    else {
      for (const t of stream.getTracks()) if (t.kind === kind) stream.removeTrack(t)
      if (track) stream.addTrack(track)
    }
  }

  const toggleCamera = async () => {
    if (mine.video) {
      cameraRef.current?.stop()
      cameraRef.current = null
      if (!mine.screen) await putTrack('video', null)
      const next = { ...mine, video: false }
      setMine(next)
      callRef.current?.setMedia(next)
    } else {
      try {
        const s = await navigator.mediaDevices.getUserMedia({ video: media.chosen.video ? { deviceId: { exact: media.chosen.video } } : true })
        cameraRef.current = s.getVideoTracks()[0]!
        if (!mine.screen) await putTrack('video', cameraRef.current)
        const next = { ...mine, video: true }
        setMine(next)
        callRef.current?.setMedia(next)
      } catch (err) {
        console.warn('room: camera', err)
        setFailure(w.roomMediaError)
      }
    }
  }

  const switchDevice = async (kind: 'audio' | 'video', deviceId: string) => {
    media.setChosen((c) => ({ ...c, [kind]: deviceId }))
    if (kind === 'video' && !mine.video) return
    try {
      const s = await navigator.mediaDevices.getUserMedia({ [kind]: { deviceId: { exact: deviceId } } })
      const track = (kind === 'audio' ? s.getAudioTracks() : s.getVideoTracks())[0]!
      if (kind === 'audio') {
        track.enabled = mine.audio
        const old = audioTrack
        await putTrack('audio', track)
        old?.stop()
      } else {
        const old = cameraRef.current
        cameraRef.current = track
        if (!mine.screen) await putTrack('video', track)
        old?.stop()
      }
    } catch (err) {
      console.warn('room: device', err)
      setFailure(w.roomMediaError)
    }
  }

  const toggleScreen = async () => {
    if (mine.screen) {
      const screen = stream?.getVideoTracks()[0]
      await putTrack('video', cameraRef.current)
      screen?.stop()
      const next = { ...mine, screen: false }
      setMine(next)
      callRef.current?.setMedia(next)
      return
    }
    try {
      const shared = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })
      const track = shared.getVideoTracks()[0]!
      await putTrack('video', track)
      const next = { ...mine, screen: true }
      setMine(next)
      callRef.current?.setMedia(next)
      // the browser's own "stop sharing": back to the camera
      track.addEventListener('ended', () => {
        void putTrack('video', cameraRef.current).then(() => {
          setMine((m) => {
            const after = { ...m, screen: false }
            callRef.current?.setMedia(after)
            return after
          })
        })
      })
    } catch (err) {
      // the person closed the picker: nothing to say
      if ((err as DOMException)?.name !== 'NotAllowedError') setFailure(w.roomScreenError)
    }
  }

  const tz = browserZone()
  const ended = now >= Date.parse(room.endsAt)
  const timeLeft = ended ? w.roomOvertime(formatInZone(room.closesAt, tz, lang)) : w.roomTimeLeft(formatTimeLeft(room.endsAt, now))
  const status = callState === 'connected' ? w.roomConnected : callState === 'reconnecting' ? w.roomReconnecting : callState === 'connecting' && remote ? w.roomConnecting : w.roomWaiting
  const deviceOptions = (kind: MediaDeviceKind) => media.devices.filter((d) => d.kind === kind).map((d, i) => ({ value: d.deviceId, label: d.label || `${kind === 'audioinput' ? w.roomMicrophone : w.roomCamera} ${i + 1}` }))

  const devicePickers = (
    <Flex wrap gap={12}>
      <Flex vertical gap={4}>
        <Typography.Text id="room-mic-label">{w.roomMicrophone}</Typography.Text>
        <Select aria-labelledby="room-mic-label" style={{ minWidth: 220 }} value={media.chosen.audio} options={deviceOptions('audioinput')} notFoundContent={w.roomNoDevice} onChange={(v: string) => void switchDevice('audio', v)} data-testid="room-mic" />
      </Flex>
      <Flex vertical gap={4}>
        <Typography.Text id="room-cam-label">{w.roomCamera}</Typography.Text>
        <Select aria-labelledby="room-cam-label" style={{ minWidth: 220 }} value={media.chosen.video} options={deviceOptions('videoinput')} notFoundContent={w.roomNoDevice} onChange={(v: string) => void switchDevice('video', v)} data-testid="room-camera" />
      </Flex>
    </Flex>
  )

  const header = (
    <Flex wrap gap={8} align="center">
      <Tag color="blue" data-testid="room-time-left" role="timer" aria-live="off">{timeLeft}</Tag>
      {phase === 'in' && <Tag data-testid="room-status" data-state={callState} role="status">{status}</Tag>}
      {phase === 'in' && quality && (
        <Tag
          color={QUALITY_COLOR[quality.quality]}
          data-testid="room-quality"
          data-quality={quality.quality}
          data-video-bytes={quality.sample.videoBytesReceived}
          data-relayed={String(quality.sample.relayed)}
          title={`RTT ${quality.rttMs === null ? '–' : Math.round(quality.rttMs)} ms · ${quality.lossPercent.toFixed(1)} % · ${Math.round(quality.videoKbps)} kbit/s`}
        >
          {w.roomQualityLabel}: {w.roomQuality[quality.quality]}
        </Tag>
      )}
    </Flex>
  )

  if (phase === 'left') {
    return (
      <Card>
        <Result status="info" title={w.roomLeft} extra={<Space><Button type="primary" onClick={() => void rejoin()} data-testid="room-rejoin">{w.roomRejoin}</Button><Link to={SESSIONS_PATH}>{w.roomBack}</Link></Space>} />
      </Card>
    )
  }

  if (phase === 'lobby') {
    return (
      <Card>
        <Flex vertical gap={16}>
          {header}
          {failure && <Alert type="error" showIcon title={failure} />}
          {media.error ? (
            <Alert type="error" showIcon title={w.roomMediaError} action={<Button size="small" onClick={() => void openMedia()}>{w.roomRetry}</Button>} data-testid="room-media-error" />
          ) : (
            <StreamVideo stream={stream} muted label={w.roomPreview} testId="room-preview" style={{ width: '100%', maxWidth: 480, aspectRatio: '4 / 3', transform: 'scaleX(-1)' }} />
          )}
          {devicePickers}
          <div>
            <Button type="primary" size="large" icon={<VideoCameraOutlined />} disabled={!stream} onClick={() => stream && void join(stream)} data-testid="room-join">{w.roomJoin}</Button>
          </div>
        </Flex>
      </Card>
    )
  }

  return (
    <Card>
      <Flex vertical gap={12}>
        {header}
        {failure && <Alert type="error" showIcon title={failure} />}
        <div style={{ position: 'relative', width: '100%', maxWidth: 960 }}>
          <StreamVideo stream={remote} label={w.roomPeerVideo(peerRole)} testId="room-remote-video" style={{ width: '100%', aspectRatio: '16 / 9', objectFit: 'contain' }} />
          <StreamVideo stream={stream} muted label={w.roomYou} testId="room-local-video" style={{ position: 'absolute', right: 12, bottom: 12, width: '22%', minWidth: 96, aspectRatio: '4 / 3', border: '2px solid #fff', transform: mine.screen ? undefined : 'scaleX(-1)' }} />
          {callState !== 'connected' && (
            <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#fff', pointerEvents: 'none', background: 'rgba(0,0,0,0.7)', borderRadius: 8 }}>
              {status}
            </div>
          )}
        </div>
        <Flex wrap gap={6} data-testid="room-peer-media" aria-live="polite">
          {remoteMedia && !remoteMedia.audio && <Tag icon={<AudioMutedOutlined />} data-testid="peer-muted">{w.roomPeerMuted}</Tag>}
          {remoteMedia && !remoteMedia.video && !remoteMedia.screen && <Tag data-testid="peer-camera-off">{w.roomPeerCameraOff}</Tag>}
          {remoteMedia?.screen && <Tag icon={<DesktopOutlined />}>{w.roomPeerSharing}</Tag>}
        </Flex>
        <Flex wrap gap={8}>
          <Button icon={mine.audio ? <AudioOutlined /> : <AudioMutedOutlined />} aria-pressed={!mine.audio} onClick={toggleMute} data-testid="room-mute">{mine.audio ? w.roomMute : w.roomUnmute}</Button>
          <Button icon={<VideoCameraOutlined />} aria-pressed={!mine.video} onClick={() => void toggleCamera()} data-testid="room-camera-toggle">{mine.video ? w.roomCameraOff : w.roomCameraOn}</Button>
          {'getDisplayMedia' in navigator.mediaDevices && (
            <Button icon={<DesktopOutlined />} aria-pressed={mine.screen} onClick={() => void toggleScreen()} data-testid="room-screen">{mine.screen ? w.roomStopShare : w.roomShareScreen}</Button>
          )}
          <Button danger icon={<LogoutOutlined />} onClick={() => void leave()} data-testid="room-leave">{w.roomLeave}</Button>
        </Flex>
        {devicePickers}
      </Flex>
    </Card>
  )
}
