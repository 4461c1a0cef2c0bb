// The Firebase web SDK: Auth and Firestore. In development (vite dev) both point at the local
// emulators whose hosts `npm start` passes in; a real project is configured with VITE_FIREBASE_*.
import { initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth } from 'firebase/auth'
import { connectFirestoreEmulator, getFirestore } from 'firebase/firestore'
import { firebaseTargets } from './lib/firebase-targets.ts'

declare const __AUTH_EMULATOR_HOST__: string
declare const __FIRESTORE_EMULATOR_HOST__: string

const targets = firebaseTargets(import.meta.env, { auth: __AUTH_EMULATOR_HOST__, firestore: __FIRESTORE_EMULATOR_HOST__ })

export const firebaseApp = initializeApp({
  apiKey: targets.apiKey,
  projectId: targets.projectId,
  authDomain: targets.authDomain,
  ...(targets.appId ? { appId: targets.appId } : {}),
})

export const auth = getAuth(firebaseApp)
export const db = getFirestore(firebaseApp)

if (targets.authEmulatorHost) connectAuthEmulator(auth, `http://${targets.authEmulatorHost}`, { disableWarnings: true })
if (targets.firestoreEmulatorHost) {
  const [host, port] = targets.firestoreEmulatorHost.split(':')
  connectFirestoreEmulator(db, host ?? '127.0.0.1', Number(port ?? 8181))
}

export const googleSignInEnabled = targets.googleSignIn
