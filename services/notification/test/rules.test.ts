import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from '@firebase/rules-unit-testing'
import { deleteApp, initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth'
import { collection, connectFirestoreEmulator, deleteDoc, doc, getDoc, getDocs, getFirestore, setDoc, setLogLevel, Timestamp, updateDoc, type Firestore } from 'firebase/firestore'
import { createEmulatorUser, emulatorProjectId, type EmulatorUser } from '@sunbae/testing'
import { firestoreMissing } from './firestore.ts'

// deploy/firebase/firestore.rules for users/{uid}/notifications: only the owner reads, nobody
// writes from a client — checked with real Auth-emulator users through the web SDK.

setLogLevel('silent')
const rules = () => readFileSync(new URL('../../../deploy/firebase/firestore.rules', import.meta.url), 'utf8')
const skip = firestoreMissing() || (process.env.FIREBASE_AUTH_EMULATOR_HOST ? false : 'FIREBASE_AUTH_EMULATOR_HOST is not set: start the Auth emulator (npm test does it for you)')
if (skip) t.comment(`skipping the notification rules tests: ${skip}`)

function hostPort() {
  const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8181').split(':')
  return { host: host!, port: Number(port) }
}

async function signedIn(claims?: Record<string, unknown>): Promise<{ user: EmulatorUser; db: Firestore; close(): Promise<void> }> {
  const user = await createEmulatorUser(claims ? { claims } : {})
  const app = initializeApp({ projectId: emulatorProjectId(), apiKey: 'fake-api-key' }, `client-${randomUUID()}`)
  const auth = getAuth(app)
  connectAuthEmulator(auth, `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}`, { disableWarnings: true })
  await signInWithEmailAndPassword(auth, user.email, user.password)
  const db = getFirestore(app)
  const { host, port } = hostPort()
  connectFirestoreEmulator(db, host, port)
  return { user, db, close: () => deleteApp(app) }
}

t.test('users/{uid}/notifications: the owner reads, others (admins included) do not, nobody writes', { skip }, async (t) => {
  const env: RulesTestEnvironment = await initializeTestEnvironment({ projectId: emulatorProjectId(), firestore: { rules: rules(), ...hostPort() } })
  const [owner, stranger, admin] = await Promise.all([signedIn(), signedIn(), signedIn({ role: 'admin' })])
  t.teardown(async () => {
    await Promise.all([owner.close(), stranger.close(), admin.close()])
    await env.cleanup()
  })
  const id = randomUUID()
  const data = { id, type: 'matching.request.created', category: 'requests', title: 't', body: 'b', link: '/me', createdAt: Timestamp.now(), readAt: null }
  await env.withSecurityRulesDisabled(async (ctx) => {
    await setDoc(doc(ctx.firestore(), 'users', owner.user.uid, 'notifications', id), data)
  })
  const path = ['users', owner.user.uid, 'notifications', id] as const

  const mine = await assertSucceeds(getDoc(doc(owner.db, ...path)))
  t.equal(mine.get('title'), 't')
  await assertSucceeds(getDocs(collection(owner.db, 'users', owner.user.uid, 'notifications')))
  await assertFails(getDoc(doc(stranger.db, ...path)))
  await assertFails(getDocs(collection(stranger.db, 'users', owner.user.uid, 'notifications')))
  await assertFails(getDoc(doc(admin.db, ...path)))
  await assertFails(updateDoc(doc(owner.db, ...path), { readAt: Timestamp.now() }))
  await assertFails(setDoc(doc(owner.db, 'users', owner.user.uid, 'notifications', randomUUID()), data))
  await assertFails(setDoc(doc(stranger.db, 'users', owner.user.uid, 'notifications', randomUUID()), data))
  await assertFails(deleteDoc(doc(owner.db, ...path)))
  t.pass('only reads by the owner are allowed')
})
