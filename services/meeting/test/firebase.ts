import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { deleteApp, initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth'
import { connectFirestoreEmulator, getFirestore, setLogLevel, type Firestore } from 'firebase/firestore'
import { createEmulatorUser, emulatorProjectId, type EmulatorUser } from '@sunbae/testing'

// Refused writes are what the rules tests expect; the SDK would log each one as an error.
setLogLevel('silent')

export const rules = () => readFileSync(new URL('../../../deploy/firebase/firestore.rules', import.meta.url), 'utf8')

/** Why Firestore-backed tests cannot run here (a plain reason for `skip`), or false. */
export function firestoreMissing(): string | false {
  if (process.env.SUNBAE_FIRESTORE_UNAVAILABLE) return `Firestore emulator unavailable: ${process.env.SUNBAE_FIRESTORE_UNAVAILABLE}`
  if (!process.env.FIRESTORE_EMULATOR_HOST) return 'FIRESTORE_EMULATOR_HOST is not set: start the Firestore emulator (npm test does it for you)'
  return false
}

/** …and the Auth emulator too (signed-in browsers). */
export function emulatorsMissing(): string | false {
  const firestore = firestoreMissing()
  if (firestore) return firestore
  if (!process.env.FIREBASE_AUTH_EMULATOR_HOST) return 'FIREBASE_AUTH_EMULATOR_HOST is not set: start the Auth emulator (npm test does it for you)'
  return false
}

export function firestoreHostPort(): { host: string; port: number } {
  const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8181').split(':')
  return { host: host!, port: Number(port) }
}

export interface ClientSession {
  user: EmulatorUser
  db: Firestore
  close(): Promise<void>
}

/** What a browser has: the Firebase web SDK signed in to the Auth emulator, talking to the Firestore emulator under the rules. */
export async function signedInClient(claims?: Record<string, unknown>): Promise<ClientSession> {
  const u = await createEmulatorUser(claims ? { claims } : {})
  const app = initializeApp({ projectId: emulatorProjectId(), apiKey: 'fake-api-key' }, `client-${randomUUID()}`)
  const auth = getAuth(app)
  connectAuthEmulator(auth, `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}`, { disableWarnings: true })
  await signInWithEmailAndPassword(auth, u.email, u.password)
  const db = getFirestore(app)
  const { host, port } = firestoreHostPort()
  connectFirestoreEmulator(db, host, port)
  return { user: u, db, close: () => deleteApp(app) }
}
