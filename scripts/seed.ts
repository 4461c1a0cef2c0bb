// `npm run seed` — demo data for a running local stack (`npm start` in another terminal).
//
// Creates three demo accounts in the Firebase Auth EMULATOR (never in a real project), signs each
// in and registers it through the gateway (PUT /api/me), makes the admin an admin with
// `npm run user:role`, lets the mentor account apply and the admin approve it — the real flow,
// through the gateway — and imports 2,000 generated mentors (scripts/data/gen-mentors-2000.jsonl,
// from ../shared/data/gen_mentors.py) so search has something to find. Later issues add requests
// and bookings here.
//
// Idempotent: a demo account that exists in the Auth emulator (found by email) is reused with its
// uid, its password and name set back to the demo ones and its email marked verified; profiles and
// mentors are reused. Before the mentor applies, mentor-catalog suspends every active mentor whose
// Firebase account is gone (src/cli/reconcile-accounts.ts) — e.g. the demo mentor of an emulator
// that lost its data — so search never shows two "김선배 Mentor".
//
// `npm run seed -- --mentors FILE.jsonl` instead imports gen_mentors.py records as approved mentors
// (mentor-catalog's src/cli/import-mentors.ts). That needs only Postgres, not the running stack:
// mentor-catalog's own database URL is derived from DATABASE_URL (admin) as `npm run user:role` does.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { DEFAULT_ADMIN_URL, serviceDatabaseUrl } from '@sunbae/db'
import { OFFLINE_ENV, REPO_ROOT } from './lib/repo.ts'

/** One of mentor-catalog's CLIs (src/cli/<name>.ts) with the service's own database URL. */
function catalogCli(name: string, args: string[], env: Record<string, string> = {}): number {
  const cli = path.join(REPO_ROOT, 'services', 'mentor-catalog', 'src', 'cli', `${name}.ts`)
  const res = spawnSync(process.execPath, [cli, ...args], {
    env: {
      ...(process.env as Record<string, string>),
      ...OFFLINE_ENV,
      DATABASE_URL: serviceDatabaseUrl(process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL, 'mentor_catalog'),
      ...env,
    },
    stdio: 'inherit',
    cwd: path.dirname(cli),
  })
  return res.status ?? 1
}
const importMentors = (file: string, extra: string[] = []): number => catalogCli('import-mentors', [file, ...extra])

const mentorsAt = process.argv.indexOf('--mentors')
if (mentorsAt >= 0) {
  const file = process.argv[mentorsAt + 1]
  if (!file) {
    process.stderr.write('usage: npm run seed -- --mentors FILE.jsonl [--batch N]\n')
    process.exit(2)
  }
  const rest = process.argv.slice(2).filter((_, i) => i !== mentorsAt - 2 && i !== mentorsAt - 1)
  // npm runs scripts from the root; a relative FILE is relative to where npm was called
  process.exit(importMentors(path.resolve(process.env.INIT_CWD ?? process.cwd(), file), rest))
}

const gateway = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`
const emulator = process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099'
const project = process.env.FIREBASE_PROJECT_ID ?? 'demo-sunbae'
const PASSWORD = 'sunbae-demo-1234'

export const DEMO_ACCOUNTS = [
  { email: 'admin@sunbae.test', displayName: '관리자 Admin', role: 'admin' },
  { email: 'mentor@sunbae.test', displayName: '김선배 Mentor', role: 'mentor' },
  { email: 'mentee@sunbae.test', displayName: '이후배 Mentee', role: 'mentee' },
] as const

const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n`)
  process.exit(1)
}

if (!project.startsWith('demo-')) fail(`Refusing to seed project "${project}": demo data goes only into the emulator's demo-* projects.`)

async function identity(path: string, body: unknown) {
  const url = `http://${emulator}/identitytoolkit.googleapis.com/v1/${path}?key=demo-api-key`
  const send = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  // A kept-alive connection the emulator closed while we were idle (user:role runs for seconds in
  // between) fails the next request before it is sent: try again on a fresh connection. Both calls
  // are safe to repeat (a second sign-up answers EMAIL_EXISTS, which signIn handles).
  let res: Response | undefined
  let lastError: unknown
  for (let attempt = 0; attempt < 3 && !res; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * attempt))
    res = await send().catch((err: unknown) => void (lastError = err))
  }
  if (!res) fail(`The Auth emulator does not answer at ${emulator} (${(lastError as Error)?.cause ?? lastError}). Start the platform first: npm start`)
  return { ok: res!.ok, body: (await res!.json()) as { idToken?: string; error?: { message?: string } } }
}

/** The emulator's admin API (owner access: the emulator's stand-in for a service account). */
async function emulatorAdmin(op: string, body: unknown): Promise<any> {
  const send = () =>
    fetch(`http://${emulator}/identitytoolkit.googleapis.com/v1/projects/${project}/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
      body: JSON.stringify(body),
    })
  // the same kept-alive socket the emulator closed during user:role as in identity(): a fresh
  // connection. Only a failure to connect or send is retried (lookup, create and update of the same
  // values are safe to repeat); an answer is never sent twice.
  let res: Response | undefined
  let lastError: unknown
  for (let attempt = 0; attempt < 3 && !res; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * attempt))
    res = await send().catch((err: unknown) => void (lastError = err))
  }
  if (!res) fail(`The Auth emulator does not answer at ${emulator} (${(lastError as Error)?.cause ?? lastError}). Start the platform first: npm start`)
  const json = await res!.json()
  if (!res!.ok) fail(`The Auth emulator refused ${op}: ${JSON.stringify(json)}`)
  return json
}

/**
 * The demo account for `email`: the one the Auth emulator holds (same uid as before), with the demo
 * name and a verified email set again (and the demo password, when it no longer signs in); or a new
 * one. Changes only what differs: a password change would end the account's sessions.
 */
async function ensureAccount(email: string, displayName: string): Promise<void> {
  const found = (await emulatorAdmin('accounts:lookup', { email: [email] })) as {
    users?: Array<{ localId: string; displayName?: string; emailVerified?: boolean }>
  }
  const existing = found.users?.[0]
  if (!existing) {
    const created = (await emulatorAdmin('accounts', { email, password: PASSWORD, displayName, emailVerified: true })) as { localId: string }
    process.stdout.write(`${email}: created (uid ${created.localId})\n`)
    return
  }
  const changes: Record<string, unknown> = {}
  if (existing.displayName !== displayName) changes.displayName = displayName
  if (!existing.emailVerified) changes.emailVerified = true
  if (!(await identity('accounts:signInWithPassword', { email, password: PASSWORD })).ok) changes.password = PASSWORD
  if (Object.keys(changes).length) await emulatorAdmin('accounts:update', { localId: existing.localId, ...changes })
  process.stdout.write(`${email}: kept (uid ${existing.localId}${Object.keys(changes).length ? `; set again: ${Object.keys(changes).join(', ')}` : ''})\n`)
}

async function signIn(email: string): Promise<string> {
  const inn = await identity('accounts:signInWithPassword', { email, password: PASSWORD, returnSecureToken: true })
  if (!inn.ok) fail(`Could not sign in ${email}: ${inn.body.error?.message}`)
  return inn.body.idToken!
}

async function api(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${gateway}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch(() => fail(`The gateway does not answer at ${gateway}. Start the platform first: npm start`))
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

const must = <R extends { status: number; json: any }>(what: string, r: R, ok: number[] = [200, 201]): R => {
  if (!ok.includes(r.status)) fail(`${what} answered ${r.status}: ${JSON.stringify(r.json)}`)
  return r
}

// 1. Accounts. The admin gets its role from the CLI (someone has to be the first admin).
for (const account of DEMO_ACCOUNTS) {
  await ensureAccount(account.email, account.displayName)
  const token = await signIn(account.email)
  must(`PUT /api/me for ${account.email}`, await api('PUT', '/api/me', token, { displayName: account.displayName }))
  if (account.role === 'admin') {
    const r = spawnSync('npm', ['run', '--silent', 'user:role', '--', account.email, 'admin'], { cwd: REPO_ROOT, stdio: 'inherit' })
    if (r.status !== 0) fail(`Could not make ${account.email} admin`)
  }
}

// 2. Mentors whose Firebase account is gone leave search (the demo mentor of an Auth emulator that
// lost its accounts would otherwise stay beside the new one). The CLI publishes through the outbox.
if (catalogCli('reconcile-accounts', [], { FIREBASE_AUTH_EMULATOR_HOST: emulator, FIREBASE_PROJECT_ID: project, IDENTITY_SECRET: process.env.IDENTITY_SECRET ?? randomBytes(32).toString('base64url'), PORT: '0' }) !== 0) {
  fail('Reconciling the mentors with the Auth emulator failed')
}

// 3. The mentor becomes one the way everyone does: apply, an admin approves.
const adminToken = await signIn('admin@sunbae.test') // a fresh token carries the admin claim
let mentorToken = await signIn('mentor@sunbae.test')
if ((await api('GET', '/api/mentors/me', mentorToken)).status !== 200) {
  const applied = await api('POST', '/api/mentors/applications', mentorToken, {
    headline: '백엔드 10년차 · 면접 코칭 / Backend engineer, interview coaching',
    bio: '대규모 트래픽 서비스의 백엔드를 만들어 왔습니다. 이직, 연봉협상, 시스템 디자인 면접을 함께 준비해요. I also mentor in English: system design, career changes, code review.',
    skills: ['node.js', 'typescript', 'postgresql', 'system design', '면접', '이직'],
    company: 'Sunbae',
    yearsExperience: 10,
    hourlyRate: 80000,
    languages: ['ko', 'en'],
    timezone: 'Asia/Seoul',
    links: ['https://example.com/kim-sunbae'],
  })
  must('POST /api/mentors/applications', applied, [201, 409])
  const mine = must('GET /api/mentors/applications/me', await api('GET', '/api/mentors/applications/me', mentorToken))
  const list = Array.isArray(mine.json) ? mine.json : (mine.json.items ?? [])
  const pending = list.find((a: { status: string }) => a.status === 'pending')
  if (pending) must('approving the demo mentor', await api('POST', `/api/admin/mentors/applications/${pending.id}/approve`, adminToken))
  mentorToken = await signIn('mentor@sunbae.test')
}
const mentor = must('GET /api/mentors/me', await api('GET', '/api/mentors/me', mentorToken)).json as { id: string }

// 4. Mentors to search.
if (importMentors(path.join(REPO_ROOT, 'scripts', 'data', 'gen-mentors-2000.jsonl')) !== 0) fail('Importing the demo mentors failed')

process.stdout.write(
  [
    '',
    `Demo accounts (password ${PASSWORD}):`,
    '  admin@sunbae.test   admin',
    `  mentor@sunbae.test  mentor (profile ${gateway}/api/mentors/${mentor.id})`,
    '  mentee@sunbae.test  mentee',
    `2,000 demo mentors imported: try curl -G --data-urlencode 'q=면접' ${gateway}/api/mentors`,
    '',
  ].join('\n'),
)
