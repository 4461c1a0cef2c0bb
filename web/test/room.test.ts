// The video room's browser-free rules (web/src/lib/room.ts): the join window, what a refusal means,
// token renewal, time left, connection quality from getStats() samples, and whose signals count.
import t from 'tap'
import { formatTimeLeft, PeerSessions, qualityOf, renewDelay, roomJoinable, roomRefusal, sampleStats, type StatsSample } from '../src/lib/room.ts'

const MIN = 60_000

t.test('"Join" from 10 minutes before the start to 30 minutes after the end, for a confirmed session', async (t) => {
  const b = { state: 'confirmed', start: '2026-12-01T10:00:00.000Z', end: '2026-12-01T10:30:00.000Z' }
  const start = Date.parse(b.start)
  const end = Date.parse(b.end)
  t.equal(roomJoinable(b, start - 10 * MIN - 1), false)
  t.equal(roomJoinable(b, start - 10 * MIN), true)
  t.equal(roomJoinable(b, end + 30 * MIN - 1), true)
  t.equal(roomJoinable(b, end + 30 * MIN), false)
  t.equal(roomJoinable({ ...b, state: 'held' }, start), false, 'a hold has no room')
  t.equal(roomJoinable({ ...b, state: 'cancelled' }, start), false)
})

t.test("a refusal of POST …/room becomes the page's state", async (t) => {
  const now = Date.parse('2026-12-01T09:00:00.000Z')
  const window = { opensAt: '2026-12-01T09:50:00.000Z', closesAt: '2026-12-01T11:00:00.000Z' }
  const details = [{ field: 'opensAt', message: window.opensAt }, { field: 'closesAt', message: window.closesAt }]
  t.same(roomRefusal({ status: 409, code: 'ROOM_CLOSED', details }, now), { kind: 'not_yet_open', ...window })
  t.same(roomRefusal({ status: 409, code: 'ROOM_CLOSED', details }, Date.parse('2026-12-01T11:00:00.000Z')), { kind: 'closed', closesAt: window.closesAt }, 'after the window: closed')
  t.same(roomRefusal({ status: 409, code: 'ROOM_CLOSED', details: [] }, now), { kind: 'closed', closesAt: null }, 'without details: closed')
  t.same(roomRefusal({ status: 409, code: 'ROOM_CLOSED', details: [{ field: 'opensAt', message: 'soon' }, { field: 'closesAt', message: window.closesAt }] }, now), { kind: 'closed', closesAt: window.closesAt }, 'a time that is not one is not used')
  t.same(roomRefusal({ status: 409, code: 'ROOM_NOT_AVAILABLE', details: [] }, now), { kind: 'not_available' })
  t.same(roomRefusal({ status: 403, code: 'NOT_A_PARTY', details: [] }, now), { kind: 'not_a_party' })
  t.same(roomRefusal({ status: 404, code: 'BOOKING_NOT_FOUND', details: [] }, now), { kind: 'not_found' })
  t.equal(roomRefusal({ status: 502, code: 'UPSTREAM_FAILED', details: [] }, now), null, 'a server error is retried, not a refusal')
})

t.test('the room is asked again before its token expires', async (t) => {
  const now = Date.parse('2026-12-01T10:00:00.000Z')
  t.equal(renewDelay('2026-12-01T10:15:00.000Z', now), 14 * MIN, 'a minute before a 15-minute token ends')
  t.equal(renewDelay('2026-12-01T10:01:00.000Z', now), 0.8 * MIN, 'a short token: at four fifths of its life')
  t.equal(renewDelay('2026-12-01T09:59:00.000Z', now), 0, 'an expired one: at once')
  t.equal(renewDelay('not a date', now), 0)
})

t.test('time left until the end', async (t) => {
  const now = Date.parse('2026-12-01T10:00:00.000Z')
  t.equal(formatTimeLeft('2026-12-01T10:29:05.500Z', now), '29:05')
  t.equal(formatTimeLeft('2026-12-01T11:02:03.000Z', now), '1:02:03')
  t.equal(formatTimeLeft('2026-12-01T09:00:00.000Z', now), '0:00', 'never negative')
})

/** A getStats() report as Chrome gives it: transport → selected pair → candidates, and inbound streams. */
const report = (o: { rtt?: number; video: number; audio: number; received: number; lost: number; relay?: boolean }) => [
  { type: 'transport', id: 'T1', selectedCandidatePairId: 'CP1' },
  { type: 'candidate-pair', id: 'CP1', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', ...(o.rtt === undefined ? {} : { currentRoundTripTime: o.rtt }) },
  { type: 'candidate-pair', id: 'CP2', localCandidateId: 'L2', remoteCandidateId: 'R1', nominated: false, state: 'failed', currentRoundTripTime: 9 },
  { type: 'local-candidate', id: 'L1', candidateType: o.relay ? 'relay' : 'host' },
  { type: 'local-candidate', id: 'L2', candidateType: 'relay' },
  { type: 'remote-candidate', id: 'R1', candidateType: 'srflx' },
  { type: 'inbound-rtp', id: 'IV', kind: 'video', bytesReceived: o.video, packetsReceived: o.received * 0.8, packetsLost: o.lost * 0.8 },
  { type: 'inbound-rtp', id: 'IA', kind: 'audio', bytesReceived: o.audio, packetsReceived: o.received * 0.2, packetsLost: o.lost * 0.2 },
  { type: 'outbound-rtp', id: 'OV', kind: 'video', bytesSent: 1e9 },
]

t.test('a getStats() report sums into a sample', async (t) => {
  const s = sampleStats(report({ rtt: 0.042, video: 500_000, audio: 40_000, received: 1000, lost: 10, relay: true }), 1000)
  t.same(s, { at: 1000, rttMs: 42, packetsReceived: 1000, packetsLost: 10, videoBytesReceived: 500_000, audioBytesReceived: 40_000, relayed: true })
  t.equal(sampleStats(report({ video: 0, audio: 0, received: 0, lost: 0 }), 0).rttMs, null, 'no round trip measured yet')
  t.equal(sampleStats(report({ rtt: 0.01, video: 0, audio: 0, received: 0, lost: 0 }), 0).relayed, false, 'the selected pair, not any relay candidate')
  const noTransport = report({ rtt: 0.1, video: 1, audio: 1, received: 1, lost: 0 }).filter((s) => s.type !== 'transport')
  t.equal(sampleStats(noTransport, 0).rttMs, 100, 'without the transport: the nominated pair that succeeded')
})

t.test('quality: the worst of round trip, loss and incoming video bitrate', async (t) => {
  const at = (ms: number, o: Partial<StatsSample>): StatsSample => ({ at: ms, rttMs: 50, packetsReceived: 0, packetsLost: 0, videoBytesReceived: 0, audioBytesReceived: 0, relayed: false, ...o })
  const prev = at(0, {})
  // 2 s, 125,000 bytes of video = 500 kbit/s, 1000 packets, none lost
  const good = at(2000, { videoBytesReceived: 125_000, packetsReceived: 1000 })
  t.match(qualityOf(prev, good, true), { quality: 'good', lossPercent: 0, videoKbps: 500 })
  t.equal(qualityOf(prev, { ...good, rttMs: 350 }, true).quality, 'fair', 'RTT 350 ms: fair')
  t.equal(qualityOf(prev, { ...good, rttMs: 800 }, true).quality, 'poor', 'RTT 800 ms: poor')
  t.equal(qualityOf(prev, { ...good, packetsLost: 30 }, true).quality, 'fair', '~3 % lost: fair')
  t.equal(qualityOf(prev, { ...good, packetsLost: 100 }, true).quality, 'poor', '~9 % lost: poor')
  t.equal(qualityOf(prev, { ...good, videoBytesReceived: 25_000 }, true).quality, 'fair', '100 kbit/s of video: fair')
  t.equal(qualityOf(prev, { ...good, videoBytesReceived: 5_000 }, true).quality, 'poor', '20 kbit/s of video: poor')
  t.equal(qualityOf(prev, { ...good, videoBytesReceived: 0 }, false).quality, 'good', 'no video expected (camera off): bitrate does not count')
  t.equal(qualityOf(prev, { ...good, rttMs: null }, true).quality, 'good', 'no RTT yet: not held against it')
})

t.test("the other person's sessions: a new one starts over, old ones are ignored", async (t) => {
  const p = new PeerSessions()
  t.equal(p.current, null)
  t.equal(p.see('s1'), 'new')
  t.equal(p.see('s1'), 'same')
  t.equal(p.see('s2'), 'new', 'a rejoin (another session)')
  t.equal(p.see('s1'), 'ignore', 'the replaced session is history')
  t.equal(p.retire('s1'), false, 'retiring an old session changes nothing')
  t.equal(p.retire('s2'), true, 'the current one left')
  t.equal(p.current, null)
  t.equal(p.see('s2'), 'ignore', 'a late signal of the session that left')
  t.equal(p.see('s3'), 'new')
})
