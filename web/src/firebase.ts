// The Firebase web SDK's app and Auth. In development (vite dev) Auth points at the local emulator
// whose host `npm start` passes in; a real project is configured with VITE_FIREBASE_*.
//
// This module is never imported by the first page's code: it is loaded on demand (auth/firebase-loader.ts)
// when there is a session to restore, a sign-in page or a signed-in area, so an anonymous visitor's search
// downloads no Firebase at all. Firestore has its own module (firestore.ts), loaded by the chat and the
// notification bell only.
import { initializeApp } from 'firebase/app'
import { connectAuthEmulator, getAuth, onIdTokenChanged, signOut } from 'firebase/auth'
import { announceFirebase } from './auth/firebase-loader.ts'
import { firebaseTargets } from './lib/firebase-targets.ts'

declare const __AUTH_EMULATOR_HOST__: string
declare const __FIRESTORE_EMULATOR_HOST__: string

export const targets = firebaseTargets(import.meta.env, { auth: __AUTH_EMULATOR_HOST__, firestore: __FIRESTORE_EMULATOR_HOST__ })

export const firebaseApp = initializeApp({
  apiKey: targets.apiKey,
  projectId: targets.projectId,
  authDomain: targets.authDomain,
  ...(targets.appId ? { appId: targets.appId } : {}),
})

export const auth = getAuth(firebaseApp)

if (targets.authEmulatorHost) connectAuthEmulator(auth, `http://${targets.authEmulatorHost}`, { disableWarnings: true })

export const googleSignInEnabled = targets.googleSignIn

announceFirebase({ auth, onIdTokenChanged, signOut })
