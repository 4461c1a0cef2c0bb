// The Firebase web SDK: Auth and Firestore. In development (vite dev) both point at the local
// emulators whose hosts `npm start` passes in; a real project is configured with VITE_FIREBASE_*.
import { initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth } from 'firebase/auth'
import { connectFirestoreEmulator, getFirestore } from 'firebase/firestore'

declare const __AUTH_EMULATOR_HOST__: string
declare const __FIRESTORE_EMULATOR_HOST__: string

const env = import.meta.env
const projectId: string = env.VITE_FIREBASE_PROJECT_ID || 'demo-sunbae'
const apiKey: string = env.VITE_FIREBASE_API_KEY || 'demo-api-key'

export const firebaseApp = initializeApp({
  apiKey,
  projectId,
  authDomain: env.VITE_FIREBASE_AUTH_DOMAIN || `${projectId}.firebaseapp.com`,
  ...(env.VITE_FIREBASE_APP_ID ? { appId: env.VITE_FIREBASE_APP_ID } : {}),
})

export const auth = getAuth(firebaseApp)
export const db = getFirestore(firebaseApp)

const authEmulator = env.VITE_FIREBASE_AUTH_EMULATOR_HOST || __AUTH_EMULATOR_HOST__
const firestoreEmulator = env.VITE_FIREBASE_FIRESTORE_EMULATOR_HOST || __FIRESTORE_EMULATOR_HOST__
if (authEmulator) connectAuthEmulator(auth, `http://${authEmulator}`, { disableWarnings: true })
if (firestoreEmulator) {
  const [host, port] = firestoreEmulator.split(':')
  connectFirestoreEmulator(db, host ?? '127.0.0.1', Number(port ?? 8181))
}

/** Google sign-in needs a real project: the demo project and the emulator-only key cannot do it. */
export const googleSignInEnabled = !projectId.startsWith('demo-') && !authEmulator
