// Loads Firebase Auth when the app needs it, and tells whoever waits when it is there.
//
// The first page (search, a mentor page) must not pay for the Firebase SDK when the visitor has never
// signed in. So the app loads src/firebase.ts only when
//  - this browser had a session (a hint in localStorage, set while Firebase reports a user), or
//  - a page that needs it opens (sign-in, sign-up, a signed-in area), which imports it or calls loadFirebase().
// Whichever way the module arrives, it announces itself here, so the AuthProvider subscribes to it and
// the HTTP client sends its ID token from then on.
import type { Auth, onIdTokenChanged, signOut } from 'firebase/auth'

export interface FirebaseAuthApi {
  auth: Auth
  onIdTokenChanged: typeof onIdTokenChanged
  signOut: typeof signOut
}

/** localStorage key: set while Firebase reports a signed-in user in this browser. */
export const SESSION_HINT = 'sunbae.session'

let announce!: (api: FirebaseAuthApi) => void
/** Resolves once src/firebase.ts has been evaluated, however it was loaded. */
export const firebaseLoaded = new Promise<FirebaseAuthApi>((resolve) => (announce = resolve))
let loading: Promise<FirebaseAuthApi> | null = null

/** Called by src/firebase.ts when it is evaluated. */
export function announceFirebase(api: FirebaseAuthApi): void {
  loading ??= Promise.resolve(api)
  announce(api)
}

/** Loads Firebase Auth (once; again after a failed download). */
export function loadFirebase(): Promise<FirebaseAuthApi> {
  loading ??= import('../firebase.ts').then(
    () => firebaseLoaded,
    (err: unknown) => {
      loading = null
      throw err
    },
  )
  return loading
}

/** Auth with its persisted user restored, or null when the app has not loaded Firebase (no session). */
export async function currentAuth(): Promise<Auth | null> {
  if (!loading) return null
  try {
    const { auth } = await loading
    await auth.authStateReady()
    return auth
  } catch {
    return null
  }
}

export function hasSessionHint(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT) === '1'
  } catch {
    return false
  }
}

export function setSessionHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(SESSION_HINT, '1')
    else localStorage.removeItem(SESSION_HINT)
  } catch {
    // storage blocked: the session is still restored whenever a page loads Firebase
  }
}
