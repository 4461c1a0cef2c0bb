// Accounts of a journey's own, made through the product's real APIs (the Auth emulator's REST API and
// the gateway), as scripts/seed.ts makes the demo mentor: so no journey changes what another one sees.
import type { Page } from 'playwright-core'

/** the password of the seeded demo accounts (scripts/seed.ts) */
export const DEMO_PASSWORD = 'sunbae-demo-1234'
export const ADMIN_EMAIL = 'admin@sunbae.test'

export interface Account {
  name: string
  email: string
  password: string
}

export interface Mentor extends Account {
  /** the public profile's id */
  id: string
}

const authEmulator = () => process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099'

/** An Auth emulator REST call (accounts:signUp, accounts:signInWithPassword …) that answers an ID token. */
export async function identityToolkit(method: string, body: unknown): Promise<string> {
  const res = await fetch(`http://${authEmulator()}/identitytoolkit.googleapis.com/v1/${method}?key=demo-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(body as object), returnSecureToken: true }),
  })
  const json = (await res.json()) as { idToken?: string; error?: { message?: string } }
  if (!res.ok || !json.idToken) throw new Error(`Auth emulator ${method}: ${res.status} ${json.error?.message ?? ''}`)
  return json.idToken
}

/** A fresh ID token of an existing account (it carries the account's current role). */
export const idToken = (email: string, password: string): Promise<string> => identityToolkit('accounts:signInWithPassword', { email, password })

const emulatorProject = () => process.env.FIREBASE_PROJECT_ID ?? 'demo-sunbae'

/** An out-of-band code the Auth emulator keeps instead of mailing it (what the email's link carries). */
export interface OobCode {
  email: string
  oobCode: string
  oobLink: string
  requestType: string
}

/** The Auth emulator's out-of-band codes, newest last (its REST API: what its emails would carry). */
export async function oobCodes(): Promise<OobCode[]> {
  const res = await fetch(`http://${authEmulator()}/emulator/v1/projects/${emulatorProject()}/oobCodes`)
  if (!res.ok) throw new Error(`Auth emulator oobCodes: ${res.status}`)
  return ((await res.json()) as { oobCodes: OobCode[] }).oobCodes
}

/** The newest verification code mailed to `email`, waiting for it to be sent. */
export const verificationCode = (email: string): Promise<OobCode> =>
  until(`the verification email to ${email}`, async () => (await oobCodes()).filter((c) => c.email === email && c.requestType === 'VERIFY_EMAIL').at(-1), 60_000)

/**
 * Verifies an account's email address as its owner would, for an account made through the REST API:
 * asks Firebase for the verification email (accounts:sendOobCode, as the web's sendEmailVerification
 * does), takes the code from the emulator's mailbox and applies it (accounts:update, as the action
 * page's applyActionCode does). Answers a fresh ID token, which carries email_verified: 1:1 requests
 * and payments need it (403 EMAIL_UNVERIFIED otherwise).
 */
export async function verifyEmail(email: string, password: string): Promise<string> {
  const post = async (method: string, body: unknown) => {
    const res = await fetch(`http://${authEmulator()}/identitytoolkit.googleapis.com/v1/${method}?key=demo-api-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`Auth emulator ${method}: ${res.status} ${await res.text()}`)
  }
  const before = new Set((await oobCodes()).map((c) => c.oobCode))
  await post('accounts:sendOobCode', { requestType: 'VERIFY_EMAIL', idToken: await idToken(email, password) })
  const code = await until(`the verification email to ${email}`, async () =>
    (await oobCodes()).filter((c) => c.email === email && c.requestType === 'VERIFY_EMAIL' && !before.has(c.oobCode)).at(-1), 60_000)
  await post('accounts:update', { oobCode: code.oobCode })
  return idToken(email, password)
}

/**
 * Verifies the email address of the account signed in on `page` as its owner would: the link of the
 * verification email sent at sign-up, opened in the same browser (our action page applies it and
 * refreshes the session's token), then back to where the page was.
 */
export async function verifyEmailInBrowser(page: Page, email: string): Promise<void> {
  const code = await verificationCode(email)
  const back = page.url()
  await page.goto(`/auth/action?mode=verifyEmail&oobCode=${encodeURIComponent(code.oobCode)}`)
  await page.getByText(/이메일 주소를 확인했습니다|Your email address is verified/).waitFor()
  await page.goto(back)
}

/** Calls the gateway; answers the status and the parsed body. */
export async function api(gatewayUrl: string, method: string, url: string, token: string | null, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${gatewayUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

const must = (what: string, r: { status: number; json: unknown }, ok: number[]) => {
  if (!ok.includes(r.status)) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.json)}`)
  return r
}

/**
 * Polls `check` every half second until it answers a truthy value, which it returns; `what` names the
 * wait when it gives up. The default bound is wide: right after the stack starts, the services are
 * still taking in the seed's 2,000 imported mentors, and a new mentor's approval event queues behind them.
 */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** The public profile id of the seeded demo mentor (scripts/seed.ts: mentor@sunbae.test). */
export async function demoMentorId(gatewayUrl: string): Promise<string> {
  const me = must('GET /api/mentors/me of the demo mentor', await api(gatewayUrl, 'GET', '/api/mentors/me', await idToken('mentor@sunbae.test', DEMO_PASSWORD)), [200])
  return (me.json as { id: string }).id
}

/**
 * A new approved mentor of the journey's own: the account signs up and registers, applies with
 * `headline` (include the words the journey searches for), and the seeded admin approves the
 * application, as scripts/seed.ts does for the demo mentor. Returns once search, matching and meeting
 * know the mentor (each learns of the approval from an event), as they know a mentor approved long ago.
 * `admin` approves instead of the seeded admin (a stack of its own, as the fault suite's, has its own).
 */
export async function createMentor(gatewayUrl: string, account: Account, headline: string, admin: Pick<Account, 'email' | 'password'> = { email: ADMIN_EMAIL, password: DEMO_PASSWORD }): Promise<Mentor> {
  let token = await identityToolkit('accounts:signUp', { email: account.email, password: account.password, displayName: account.name })
  let registered = await api(gatewayUrl, 'PUT', '/api/me', token, { displayName: account.name })
  if (registered.status === 401 && registered.json?.error?.code === 'TOKEN_REVOKED') {
    // The Auth emulator can stamp a new account's valid-since one second after the sign-up token's
    // auth_time (seen in CI under load), so the revocation check refuses that first token; a token
    // from signing in again is issued after it, as a real client's refresh would be.
    token = await idToken(account.email, account.password)
    registered = await api(gatewayUrl, 'PUT', '/api/me', token, { displayName: account.name })
  }
  must(`PUT /api/me for ${account.email}`, registered, [200, 201])
  const application = must(
    'POST /api/mentors/applications',
    await api(gatewayUrl, 'POST', '/api/mentors/applications', token, {
      headline,
      bio: '대규모 트래픽 서비스의 백엔드를 만들어 왔습니다. 이직, 연봉협상, 시스템 디자인 면접을 함께 준비해요.',
      skills: ['node.js', 'system design', '면접'],
      company: 'Sunbae',
      yearsExperience: 10,
      hourlyRate: 80000,
      languages: ['ko', 'en'],
      timezone: 'Asia/Seoul',
    }),
    [201],
  ).json as { id: string }
  const adminToken = await idToken(admin.email, admin.password)
  const approved = must('approving the application', await api(gatewayUrl, 'POST', `/api/admin/mentors/applications/${application.id}/approve`, adminToken), [200])
  const id = (approved.json as { mentor: { id: string } }).mentor.id
  // a fresh token carries the mentor role
  token = await idToken(account.email, account.password)
  await until(`${account.name} in search`, async () => {
    const r = await api(gatewayUrl, 'GET', `/api/mentors?q=${encodeURIComponent(account.name)}`, null)
    return r.status === 200 && (r.json as { items: { id: string }[] }).items.some((m) => m.id === id)
  })
  await until(`${account.name} known to matching`, async () => (await api(gatewayUrl, 'GET', '/api/matching/mentor-settings', token)).status === 200)
  // meeting answers NO_MENTOR_PROFILE until it has the mentor, then NO_AVAILABILITY (none set yet)
  await until(`${account.name} known to meeting`, async () => {
    const r = await api(gatewayUrl, 'GET', '/api/meetings/availability', token)
    return r.status === 200 || (r.json as { error?: { code?: string } } | null)?.error?.code === 'NO_AVAILABILITY'
  })
  return { ...account, id }
}
