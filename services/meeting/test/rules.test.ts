import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from '@firebase/rules-unit-testing'
import { addDoc, collection, doc, getDoc, getDocs, query, serverTimestamp, setDoc, Timestamp, updateDoc, where } from 'firebase/firestore'
import { emulatorProjectId } from '@sunbae/testing'
import { emulatorsMissing, firestoreHostPort, rules, signedInClient, type ClientSession } from './firebase.ts'

// The videoRooms block of deploy/firebase/firestore.rules against the Firestore emulator, with real
// Auth-emulator users signed in through the web SDK (what the room page does).
const skip = emulatorsMissing()
if (skip) t.comment(`skipping the videoRooms rules tests: ${skip}`)

const MINUTE = 60_000

/** assertSucceeds / assertFails as assertions of `t` (so a run counts them). */
const allowed = async (t: Test, p: Promise<unknown>, what = 'allowed') => {
  await assertSucceeds(p)
  t.pass(what)
}
const refused = async (t: Test, p: Promise<unknown>, what = 'refused') => {
  await assertFails(p)
  t.pass(what)
}

t.test('firestore.rules: videoRooms', { skip }, async (t) => {
  const env: RulesTestEnvironment = await initializeTestEnvironment({ projectId: emulatorProjectId(), firestore: { rules: rules(), ...firestoreHostPort() } })
  const sessions: ClientSession[] = []
  t.teardown(async () => {
    await Promise.all(sessions.map((s) => s.close()))
    await env.cleanup()
  })
  const [mentee, mentor, outsider, admin] = await Promise.all([signedInClient(), signedInClient(), signedInClient(), signedInClient({ role: 'admin' })])
  sessions.push(mentee, mentor, outsider, admin)

  /** A room as meeting (Admin SDK) writes it, open from `fromMin` to `toMin` minutes from now. */
  const seedRoom = async (fromMin: number, toMin: number, status: 'open' | 'closed' = 'open') => {
    const id = randomUUID()
    await env.withSecurityRulesDisabled(async (ctx) => {
      await setDoc(doc(ctx.firestore(), 'videoRooms', id), {
        members: [mentee.user.uid, mentor.user.uid],
        menteeUid: mentee.user.uid,
        mentorUid: mentor.user.uid,
        opensAt: Timestamp.fromMillis(Date.now() + fromMin * MINUTE),
        closesAt: Timestamp.fromMillis(Date.now() + toMin * MINUTE),
        status,
      })
    })
    return id
  }
  const open = await seedRoom(-5, 90)
  const notYet = await seedRoom(60, 150)
  const over = await seedRoom(-150, -5)
  const closed = await seedRoom(-5, 90, 'closed')

  const signal = (from: ClientSession, to: string, over: Record<string, unknown> = {}) => ({
    from: from.user.uid,
    to,
    sessionId: 's-1',
    type: 'offer',
    sdp: 'v=0\r\n',
    createdAt: serverTimestamp(),
    ...over,
  })
  const signals = (s: ClientSession, id: string) => collection(s.db, 'videoRooms', id, 'signals')
  const peer = (s: ClientSession, id: string, uid = s.user.uid) => doc(s.db, 'videoRooms', id, 'peers', uid)
  const presence = { sessionId: 's-1', state: 'joined', updatedAt: serverTimestamp() }

  t.test('members inside the window: read the room, write their own peer doc and signals to the other member', async (t) => {
    await allowed(t, getDoc(doc(mentee.db, 'videoRooms', open)))
    await allowed(t, setDoc(peer(mentee, open), presence))
    await allowed(t, updateDoc(peer(mentee, open), { state: 'left', updatedAt: serverTimestamp() }))
    await allowed(t, getDoc(peer(mentor, open, mentee.user.uid)))
    await allowed(t, addDoc(signals(mentee, open), signal(mentee, mentor.user.uid)))
    const { sdp: _sdp, ...noSdp } = signal(mentor, mentee.user.uid, { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } })
    await allowed(t, addDoc(signals(mentor, open), noSdp))
    await allowed(t, getDocs(query(signals(mentor, open), where('to', '==', mentor.user.uid))))
  })

  t.test('outsiders and admins read and write nothing', async (t) => {
    await refused(t, getDoc(doc(outsider.db, 'videoRooms', open)))
    await refused(t, getDocs(query(signals(outsider, open), where('to', '==', outsider.user.uid))))
    await refused(t, getDoc(peer(outsider, open, mentee.user.uid)))
    await refused(t, setDoc(peer(outsider, open), presence))
    await refused(t, addDoc(signals(outsider, open), signal(outsider, mentee.user.uid)))
    await refused(t, getDoc(doc(admin.db, 'videoRooms', open)))
    await refused(t, getDocs(query(signals(admin, open), where('to', '==', mentee.user.uid))))
    await refused(t, getDocs(collection(mentee.db, 'videoRooms')), 'nobody lists rooms')
    await refused(t, getDoc(doc(mentee.db, 'videoRooms', randomUUID())), 'a room that does not exist')
  })

  t.test('members outside the window or in a closed room cannot write', async (t) => {
    for (const id of [notYet, over, closed]) {
      await allowed(t, getDoc(doc(mentee.db, 'videoRooms', id)))
      await refused(t, addDoc(signals(mentee, id), signal(mentee, mentor.user.uid)))
      await refused(t, setDoc(peer(mentee, id), presence))
    }
  })

  t.test('forged or malformed signals and peers are refused; signals are immutable', async (t) => {
    await refused(t, addDoc(signals(mentee, open), signal(mentee, mentor.user.uid, { from: mentor.user.uid })), 'forging from')
    await refused(t, addDoc(signals(mentee, open), signal(mentee, mentee.user.uid)), 'to oneself')
    await refused(t, addDoc(signals(mentee, open), signal(mentee, outsider.user.uid)), 'to a non-member')
    await refused(t, addDoc(signals(mentee, open), signal(mentee, mentor.user.uid, { type: 'hack' })))
    await refused(t, addDoc(signals(mentee, open), signal(mentee, mentor.user.uid, { sdp: 'x'.repeat(20_001) })))
    await refused(t, addDoc(signals(mentee, open), signal(mentee, mentor.user.uid, { createdAt: Timestamp.fromMillis(0) })), 'a chosen time')
    await refused(t, addDoc(signals(mentee, open), signal(mentee, mentor.user.uid, { extra: true })))
    await refused(t, setDoc(peer(mentee, open, mentor.user.uid), presence), "the other member's peer doc")
    await refused(t, setDoc(peer(mentee, open), { ...presence, sessionId: 'x'.repeat(65) }))
    await refused(t, setDoc(peer(mentee, open), { ...presence, state: 'away' }))
    const sent = await addDoc(signals(mentee, open), signal(mentee, mentor.user.uid))
    await refused(t, updateDoc(doc(mentee.db, 'videoRooms', open, 'signals', sent.id), { sdp: 'changed' }))
    await refused(t, setDoc(doc(mentee.db, 'videoRooms', open), { status: 'open' }, { merge: true }), 'the room itself is meeting\'s')
  })
})
