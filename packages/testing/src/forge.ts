import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { emulatorProjectId } from './emulator.ts'

/**
 * Hand-made Firebase-shaped ID tokens for negative tests: signed RS256 with a key that Google never
 * issued (an attacker's), unsigned (`alg: none`, what the emulator issues), expired, or for another
 * project. A gateway must refuse all of them except an unexpired `none` token in emulator mode.
 */

export interface ForgeOptions {
  /** 'RS256' signs with `privateKey` or a freshly generated RSA key; 'none' leaves the signature empty */
  alg?: 'RS256' | 'none'
  /** exp one hour in the past */
  expired?: boolean
  /** the project the token claims to be for (aud, iss); default the emulator project */
  projectId?: string
  uid?: string
  email?: string
  kid?: string
  privateKey?: KeyObject
}

let generated: KeyObject | undefined
function attackerKey(): KeyObject {
  generated ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  return generated
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function forgeToken(claims: Record<string, unknown> = {}, opts: ForgeOptions = {}): string {
  const alg = opts.alg ?? 'RS256'
  const projectId = opts.projectId ?? emulatorProjectId()
  const uid = opts.uid ?? `forged-${randomBytes(6).toString('hex')}`
  const email = opts.email ?? `${uid}@example.test`
  const now = Math.floor(Date.now() / 1000)
  const iat = opts.expired ? now - 7200 : now
  const header = alg === 'none' ? { alg: 'none', typ: 'JWT' } : { alg, typ: 'JWT', kid: opts.kid ?? randomBytes(20).toString('hex') }
  const payload = {
    iss: `https://securetoken.google.com/${projectId}`,
    aud: projectId,
    auth_time: iat,
    user_id: uid,
    sub: uid,
    iat,
    exp: iat + 3600,
    email,
    email_verified: false,
    firebase: { identities: { email: [email] }, sign_in_provider: 'password' },
    ...claims,
  }
  const signingInput = `${b64(header)}.${b64(payload)}`
  if (alg === 'none') return `${signingInput}.`
  const signature = sign('sha256', Buffer.from(signingInput), opts.privateKey ?? attackerKey())
  return `${signingInput}.${signature.toString('base64url')}`
}
