import { createHmac } from 'node:crypto'
import t from 'tap'
import { decodeJwt, jwtVerify } from 'jose'
import { turnCredentials } from '../src/rooms/turn-credentials.ts'
import { JitsiProvider, WebRtcProvider } from '../src/rooms/video-provider.ts'
import { definition } from '../src/service.ts'

// The providers behind the room (no infrastructure): TURN REST credentials and Jitsi's JWT.
const SECRET = 'turn-secret-0123456789'
const MINUTE = 60_000
const now = new Date('2026-12-07T10:00:00Z')
const entry = (over: Partial<Parameters<WebRtcProvider['enter']>[0]> = {}) => ({
  bookingId: '0192f0c4-0000-7000-8000-000000000001',
  uid: 'uid-mentee-1',
  name: '김멘티',
  role: 'mentee' as const,
  closesAt: new Date(now.getTime() + 90 * MINUTE),
  now,
  ...over,
})

t.test('TURN REST credentials are signed with the shared secret', async (t) => {
  const c = turnCredentials(SECRET, 'uid-1', new Date('2026-12-07T11:30:00Z'))
  t.equal(c.username, `${Date.parse('2026-12-07T11:30:00Z') / 1000}:uid-1`, '<expiry unix seconds>:<uid>')
  t.equal(c.credential, createHmac('sha1', SECRET).update(c.username).digest('base64'), 'recomputing the HMAC with the secret matches')
  t.not(c.credential, createHmac('sha1', 'another-secret-0123').update(c.username).digest('base64'), 'with another secret it does not')
  const other = turnCredentials(SECRET, 'uid-2', new Date('2026-12-07T11:30:00Z'))
  t.not(other.credential, c.credential, 'another person, another password')
})

t.test('TURN credentials expire with the room, or after the TTL if sooner', async (t) => {
  const webrtc = new WebRtcProvider({ stunUrls: ['stun:turn.example.test:3478'], turnUrls: ['turn:turn.example.test:3478?transport=udp'], turnSecret: SECRET, turnTtlSeconds: 2 * 3600, iceTransportPolicy: 'relay' })
  const short = await webrtc.enter(entry())
  t.same(short.iceServers![0], { urls: ['stun:turn.example.test:3478'] })
  const turn = short.iceServers![1]!
  t.equal(Number(turn.username!.split(':')[0]) * 1000, now.getTime() + 90 * MINUTE, 'a room closing in 90 minutes: the credentials end then')
  t.equal(short.iceTransportPolicy, 'relay')
  const long = await webrtc.enter(entry({ closesAt: new Date(now.getTime() + 10 * 3600_000) }))
  t.equal(Number(long.iceServers![1]!.username!.split(':')[0]) * 1000, now.getTime() + 2 * 3600_000, 'never longer than the TTL')
  const none = await new WebRtcProvider({ stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlSeconds: 3600, iceTransportPolicy: 'all' }).enter(entry())
  t.same(none.iceServers, [], 'no TURN configured: no servers')
})

t.test('Jitsi: a room URL with a prosody token-auth JWT', async (t) => {
  const appSecret = 'jitsi-app-secret-0123456789'
  const jitsi = new JitsiProvider({ domain: 'meet.example.test', appId: 'sunbae', appSecret })
  const mentee = await jitsi.enter(entry())
  t.equal(mentee.signalling, false)
  const url = new URL(mentee.url!)
  t.equal(url.origin + url.pathname, 'https://meet.example.test/sunbae-0192f0c4-0000-7000-8000-000000000001')
  const jwt = url.searchParams.get('jwt')!
  const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(appSecret), { algorithms: ['HS256'], audience: 'jitsi', issuer: 'sunbae', currentDate: now })
  t.equal(protectedHeader.alg, 'HS256')
  t.match(payload, { aud: 'jitsi', iss: 'sunbae', sub: 'meet.example.test', room: 'sunbae-0192f0c4-0000-7000-8000-000000000001' })
  t.same(payload.context, { user: { id: 'uid-mentee-1', name: '김멘티', moderator: false } })
  t.equal(payload.exp, (now.getTime() + 90 * MINUTE) / 1000, 'valid until the room closes')
  await t.rejects(jwtVerify(jwt, new TextEncoder().encode('not-the-app-secret-0123'), { currentDate: now }), 'another secret is refused')
  await t.rejects(jwtVerify(jwt, new TextEncoder().encode(appSecret), { currentDate: new Date(now.getTime() + 91 * MINUTE) }), { code: 'ERR_JWT_EXPIRED' }, 'expired after the room closes')
  const mentor = await jitsi.enter(entry({ uid: 'uid-mentor-1', name: null, role: 'mentor' }))
  t.same(decodeJwt(new URL(mentor.url!).searchParams.get('jwt')!).context, { user: { id: 'uid-mentor-1', moderator: true } }, 'the mentor moderates')
})

t.test('config: TURN needs its secret, jitsi its domain, app id and secret', async (t) => {
  const base = { NODE_ENV: 'test', MEETING_VIDEO_PROVIDER: 'webrtc', MEETING_TURN_URLS: '' } as Parameters<NonNullable<typeof definition.checkConfig>>[0]
  const check = (over: Record<string, unknown>) => () => definition.checkConfig!({ ...base, ...over } as typeof base)
  t.throws(check({ MEETING_TURN_URLS: 'turn:x:3478' }), /MEETING_TURN_SECRET/)
  t.doesNotThrow(check({ MEETING_TURN_URLS: 'turn:x:3478', MEETING_TURN_SECRET: SECRET }))
  t.throws(check({ MEETING_VIDEO_PROVIDER: 'jitsi', MEETING_JITSI_DOMAIN: 'meet.example.test' }), /MEETING_JITSI_APP_ID/)
  t.doesNotThrow(check({ MEETING_VIDEO_PROVIDER: 'jitsi', MEETING_JITSI_DOMAIN: 'meet.example.test', MEETING_JITSI_APP_ID: 'sunbae', MEETING_JITSI_APP_SECRET: 'jitsi-app-secret-0123456789' }))
})
