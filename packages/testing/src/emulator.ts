import { randomBytes } from 'node:crypto'
import { getApps, initializeApp, type App } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'

/**
 * Users and ID tokens from the Firebase Auth emulator — real tokens, the same shape production
 * issues (the emulator signs with alg "none", which firebase-admin accepts only in emulator mode).
 * Needs FIREBASE_AUTH_EMULATOR_HOST (e.g. 127.0.0.1:9099); `npm test` starts the emulator and sets it.
 */

export const DEFAULT_PROJECT_ID = 'demo-sunbae'

export function emulatorProjectId(): string {
  return process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT ?? DEFAULT_PROJECT_ID
}

/** A reason to skip when the emulator is not configured, or false. Use as `{ skip: authEmulatorMissing() }`. */
export function authEmulatorMissing(): string | false {
  return process.env.FIREBASE_AUTH_EMULATOR_HOST
    ? false
    : 'FIREBASE_AUTH_EMULATOR_HOST is not set: start the Firebase Auth emulator (npm test does it for you)'
}

function emulatorHost(): string {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST
  if (!host) throw new Error(authEmulatorMissing() as string)
  return host
}

function adminApp(): App {
  const name = 'sunbae-testing'
  return getApps().find((a) => a.name === name) ?? initializeApp({ projectId: emulatorProjectId() }, name)
}

interface TokenResponse {
  localId: string
  email: string
  idToken: string
  refreshToken: string
}

async function identityToolkit(method: string, body: Record<string, unknown>): Promise<TokenResponse> {
  const url = `http://${emulatorHost()}/identitytoolkit.googleapis.com/v1/accounts:${method}?key=fake-api-key`
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, returnSecureToken: true }),
  })
  const json = (await res.json()) as TokenResponse & { error?: { message?: string } }
  if (!res.ok) throw new Error(`Auth emulator accounts:${method} failed (${res.status}): ${json.error?.message ?? 'unknown error'}`)
  return json
}

export interface EmulatorUserInput {
  /** default: a unique address under example.test */
  email?: string
  /** default: a random one */
  password?: string
  displayName?: string
  /** custom claims, e.g. `{ role: 'admin' }`; the returned token already carries them */
  claims?: Record<string, unknown>
}

export interface EmulatorUser {
  uid: string
  email: string
  password: string
  idToken: string
  refreshToken: string
}

/** Signs a new user up in the emulator, sets custom claims (firebase-admin) and signs in again so the token carries them. */
export async function createEmulatorUser(input: EmulatorUserInput = {}): Promise<EmulatorUser> {
  const email = input.email ?? `user-${randomBytes(6).toString('hex')}@example.test`
  const password = input.password ?? `pw-${randomBytes(9).toString('base64url')}`
  const signUp = await identityToolkit('signUp', {
    email,
    password,
    ...(input.displayName ? { displayName: input.displayName } : {}),
  })
  if (!input.claims) {
    return { uid: signUp.localId, email, password, idToken: signUp.idToken, refreshToken: signUp.refreshToken }
  }
  await setEmulatorClaims(signUp.localId, input.claims)
  const signedIn = await emulatorToken({ email, password })
  return { uid: signUp.localId, email, password, idToken: signedIn.idToken, refreshToken: signedIn.refreshToken }
}

/** A fresh ID token for an existing emulator user (picks up changed claims). */
export async function emulatorToken(user: { email: string; password: string }): Promise<{ idToken: string; refreshToken: string }> {
  const res = await identityToolkit('signInWithPassword', { email: user.email, password: user.password })
  return { idToken: res.idToken, refreshToken: res.refreshToken }
}

/** Replaces a user's custom claims through firebase-admin (as `npm run user:role` does). */
export async function setEmulatorClaims(uid: string, claims: Record<string, unknown>): Promise<void> {
  emulatorHost()
  await getAuth(adminApp()).setCustomUserClaims(uid, claims)
}
