// `npm run seed` — demo data for a running local stack (`npm start` in another terminal).
//
// Creates three demo accounts in the Firebase Auth EMULATOR (never in a real project), signs each
// in and registers it through the gateway (PUT /api/me), then makes the admin an admin with
// `npm run user:role`. Idempotent: existing accounts are reused. Later issues add mentors,
// requests and bookings here.
//
// `npm run seed -- --mentors FILE.jsonl` instead imports gen_mentors.py records as approved mentors
// (mentor-catalog's src/cli/import-mentors.ts). That needs only Postgres, not the running stack:
// mentor-catalog's own database URL is derived from DATABASE_URL (admin) as `npm run user:role` does.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { DEFAULT_ADMIN_URL, serviceDatabaseUrl } from '@sunbae/db'
import { OFFLINE_ENV, REPO_ROOT } from './lib/emulators.ts'

const mentorsAt = process.argv.indexOf('--mentors')
if (mentorsAt >= 0) {
  const file = process.argv[mentorsAt + 1]
  if (!file) {
    process.stderr.write('usage: npm run seed -- --mentors FILE.jsonl [--batch N]\n')
    process.exit(2)
  }
  const rest = process.argv.slice(2).filter((_, i) => i !== mentorsAt - 2 && i !== mentorsAt - 1)
  const cli = path.join(REPO_ROOT, 'services', 'mentor-catalog', 'src', 'cli', 'import-mentors.ts')
  // npm runs scripts from the root; a relative FILE is relative to where npm was called
  const res = spawnSync(process.execPath, [cli, path.resolve(process.env.INIT_CWD ?? process.cwd(), file), ...rest], {
    env: {
      ...(process.env as Record<string, string>),
      ...OFFLINE_ENV,
      DATABASE_URL: serviceDatabaseUrl(process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL, 'mentor_catalog'),
    },
    stdio: 'inherit',
    cwd: path.dirname(cli),
  })
  process.exit(res.status ?? 1)
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
  const res = await fetch(`http://${emulator}/identitytoolkit.googleapis.com/v1/${path}?key=demo-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(() => fail(`The Auth emulator does not answer at ${emulator}. Start the platform first: npm start`))
  return { ok: res.ok, body: (await res.json()) as { idToken?: string; error?: { message?: string } } }
}

async function signIn(email: string, displayName: string): Promise<string> {
  const up = await identity('accounts:signUp', { email, password: PASSWORD, displayName, returnSecureToken: true })
  if (up.ok) return up.body.idToken!
  if (up.body.error?.message !== 'EMAIL_EXISTS') fail(`Could not create ${email}: ${up.body.error?.message}`)
  const inn = await identity('accounts:signInWithPassword', { email, password: PASSWORD, returnSecureToken: true })
  if (!inn.ok) fail(`Could not sign in ${email}: ${inn.body.error?.message}`)
  return inn.body.idToken!
}

for (const account of DEMO_ACCOUNTS) {
  const token = await signIn(account.email, account.displayName)
  const res = await fetch(`${gateway}/api/me`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: account.displayName }),
  }).catch(() => fail(`The gateway does not answer at ${gateway}. Start the platform first: npm start`))
  if (!res.ok) fail(`PUT /api/me for ${account.email} answered ${res.status}: ${await res.text()}`)
  if (account.role !== 'mentee') {
    const r = spawnSync('npm', ['run', '--silent', 'user:role', '--', account.email, account.role], { cwd: REPO_ROOT, stdio: 'inherit' })
    if (r.status !== 0) fail(`Could not make ${account.email} ${account.role}`)
  }
  process.stdout.write(`${account.email} (${account.role}) ready\n`)
}
process.stdout.write(`\nDemo accounts (password ${PASSWORD}): ${DEMO_ACCOUNTS.map((a) => a.email).join(', ')}\n`)
