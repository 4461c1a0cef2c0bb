// Which Firebase the app talks to, resolved once from the build's VITE_FIREBASE_* variables and the
// dev server's emulator hosts: the app (src/firebase.ts) connects to it, and the Content-Security-Policy
// (security-headers.ts: the dev server's and nginx's) allows exactly it.

/** Where the VITE_FIREBASE_* variables are read: import.meta.env in the app, the build's environment elsewhere. */
export type FirebaseEnv = Readonly<Record<string, unknown>>

const read = (env: FirebaseEnv, name: string): string => {
  const v = env[`VITE_FIREBASE_${name}`]
  return typeof v === 'string' ? v : ''
}

export interface FirebaseTargets {
  projectId: string
  apiKey: string
  authDomain: string
  appId?: string
  /** host:port of the Auth emulator, '' for Google's Identity Toolkit */
  authEmulatorHost: string
  /** host:port of the Firestore emulator, '' for Google's Firestore */
  firestoreEmulatorHost: string
  /** Google sign-in needs a real project: the demo project and the emulator-only key cannot do it. */
  googleSignIn: boolean
}

/** `devEmulators`: the hosts `vite dev` was given (empty in a production build). */
export function firebaseTargets(env: FirebaseEnv, devEmulators: { auth: string; firestore: string } = { auth: '', firestore: '' }): FirebaseTargets {
  const projectId = read(env, 'PROJECT_ID') || 'demo-sunbae'
  const authEmulatorHost = read(env, 'AUTH_EMULATOR_HOST') || devEmulators.auth
  const appId = read(env, 'APP_ID')
  return {
    projectId,
    apiKey: read(env, 'API_KEY') || 'demo-api-key',
    authDomain: read(env, 'AUTH_DOMAIN') || `${projectId}.firebaseapp.com`,
    ...(appId ? { appId } : {}),
    authEmulatorHost,
    firestoreEmulatorHost: read(env, 'FIRESTORE_EMULATOR_HOST') || devEmulators.firestore,
    googleSignIn: !projectId.startsWith('demo-') && !authEmulatorHost,
  }
}
