import { randomUUID } from 'node:crypto'
import t from 'tap'
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from '@firebase/rules-unit-testing'
import { addDoc, collection, doc, getDoc, getDocs, onSnapshot, query, serverTimestamp, setDoc, updateDoc, where, deleteDoc, Timestamp } from 'firebase/firestore'
import { emulatorProjectId } from '@sunbae/testing'
import { firestoreHostPort, firestoreMissing, rules, signedInClient, type ClientSession } from './firebase.ts'

// deploy/firebase/firestore.rules against the Firestore emulator, with real Auth-emulator users
// signed in through the web SDK (what a browser does).
const skip = firestoreMissing()
if (skip) t.comment(`skipping the Firestore rules tests: ${skip}`)

t.test('firestore.rules', { skip }, async (t) => {
  // Loads the rules the same way @firebase/rules-unit-testing always does (emulator REST API),
  // and gives a rules-free context to seed rooms as chat-bridge (Admin SDK) would.
  const env: RulesTestEnvironment = await initializeTestEnvironment({
    projectId: emulatorProjectId(),
    firestore: { rules: rules(), ...firestoreHostPort() },
  })
  const sessions: ClientSession[] = []
  t.teardown(async () => {
    await Promise.all(sessions.map((s) => s.close()))
    await env.cleanup()
  })
  const client = async (claims?: Record<string, unknown>) => {
    const s = await signedInClient(undefined, claims)
    sessions.push(s)
    return s
  }
  const [mentor, mentee, stranger, admin] = await Promise.all([client(), client(), client(), client({ role: 'admin' })])

  const seedRoom = async (status: 'open' | 'closed') => {
    const roomId = randomUUID()
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore()
      await setDoc(doc(db, 'rooms', roomId), {
        members: [mentor.user.uid, mentee.user.uid],
        matchId: roomId,
        status,
        createdAt: Timestamp.now(),
        updatedAt: Timestamp.now(),
      })
      await setDoc(doc(db, 'rooms', roomId, 'messages', 'opened'), {
        authorUid: null, text: 'matched', type: 'system', createdAt: Timestamp.now(), updatedAt: Timestamp.now(),
      })
    })
    return roomId
  }
  const message = (s: ClientSession, text = '안녕하세요') => ({
    authorUid: s.user.uid, text, type: 'user', createdAt: serverTimestamp(), updatedAt: serverTimestamp(),
  })
  const open = await seedRoom('open')
  const closed = await seedRoom('closed')
  const messages = (s: ClientSession, roomId: string) => collection(s.db, 'rooms', roomId, 'messages')

  t.test('members read the room and its messages, and can listen', async (t) => {
    await assertSucceeds(getDoc(doc(mentee.db, 'rooms', open)))
    await assertSucceeds(getDocs(messages(mentor, open)))
    await assertSucceeds(getDocs(query(collection(mentee.db, 'rooms'), where('members', 'array-contains', mentee.user.uid))))
    const first = await new Promise<number>((resolve, reject) => {
      const stop = onSnapshot(messages(mentee, open), (snap) => { stop(); resolve(snap.size) }, reject)
    })
    t.ok(first >= 1, 'the listener gets the messages')
  })

  t.test('non-members cannot read or listen', async (t) => {
    const err = await assertFails(getDoc(doc(stranger.db, 'rooms', open)))
    t.equal(err.code, 'permission-denied')
    await assertFails(getDocs(messages(stranger, open)))
    // listing every room is refused: the query must be limited to the caller's own rooms
    await assertFails(getDocs(collection(stranger.db, 'rooms')))
    const denied = await new Promise<string>((resolve) => {
      onSnapshot(messages(stranger, open), () => resolve('delivered'), (e) => resolve((e as { code: string }).code))
    })
    t.equal(denied, 'permission-denied')
  })

  t.test('admins may read any room', async () => {
    await assertSucceeds(getDoc(doc(admin.db, 'rooms', open)))
    await assertSucceeds(getDocs(messages(admin, open)))
  })

  t.test('a member posts a message authored by themselves into an open room', async () => {
    await assertSucceeds(addDoc(messages(mentee, open), message(mentee)))
    await assertSucceeds(addDoc(messages(mentor, open), message(mentor, 'x'.repeat(2000))))
  })

  t.test('posting is refused when it breaks a rule', async (t) => {
    // thunks: a refusal that nobody awaits yet would surface as an unhandled rejection
    const cases: [string, () => Promise<unknown>][] = [
      ['authored by someone else', () => addDoc(messages(mentee, open), { ...message(mentee), authorUid: mentor.user.uid })],
      ['by a non-member', () => addDoc(messages(stranger, open), message(stranger))],
      ['into a closed room', () => addDoc(messages(mentee, closed), message(mentee))],
      ['too long', () => addDoc(messages(mentee, open), message(mentee, 'x'.repeat(2001)))],
      ['empty', () => addDoc(messages(mentee, open), message(mentee, ''))],
      ['not text', () => addDoc(messages(mentee, open), { ...message(mentee), text: 42 })],
      ['posing as the system', () => addDoc(messages(mentee, open), { ...message(mentee), type: 'system' })],
      ['pre-hidden / extra fields', () => addDoc(messages(mentee, open), { ...message(mentee), hidden: false })],
      ['with a client-chosen time', () => addDoc(messages(mentee, open), { ...message(mentee), updatedAt: Timestamp.fromMillis(0) })],
      ['into a room that does not exist', () => addDoc(messages(mentee, randomUUID()), message(mentee))],
    ]
    for (const [name, attempt] of cases) {
      const err = await assertFails(attempt())
      t.equal(err.code, 'permission-denied', name)
    }
  })

  t.test('nobody edits or deletes messages, nor writes rooms', async (t) => {
    const mine = await addDoc(messages(mentee, open), message(mentee))
    const theirs = doc(mentor.db, 'rooms', open, 'messages', mine.id)
    await assertFails(updateDoc(theirs, { text: 'edited by the other member' }))
    await assertFails(updateDoc(mine, { text: 'edited by its author' }))
    await assertFails(deleteDoc(theirs))
    await assertFails(updateDoc(doc(mentee.db, 'rooms', open), { status: 'open', members: [mentee.user.uid, stranger.user.uid] }))
    await assertFails(setDoc(doc(stranger.db, 'rooms', randomUUID()), { members: [stranger.user.uid], status: 'open' }))
    await assertFails(updateDoc(doc(admin.db, 'rooms', open, 'messages', mine.id), { hidden: true }))
    t.pass('every write was refused')
  })
})
