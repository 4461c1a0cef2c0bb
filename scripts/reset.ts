// `npm run reset -- --yes` — wipes what `npm start` keeps on this machine, so the next `npm start`
// and `npm run seed` begin from nothing:
//   - the database (DATABASE_URL's, default sunbae): dropped; `npm start` creates it again
//     (db:setup, migrations). The login roles are cluster-wide and stay: db:setup reuses them.
//   - the emulators' saved data (.run/emulators/data, EMULATOR_DATA_DIR): the Auth accounts and
//     the Firestore documents npm start imports at start;
//   - the mail sink's messages (.run/mail, MAIL_DIR).
// Refuses without --yes (and says what it would wipe), and while the platform runs (the gateway
// answers): stop `npm start` first, or it would save its emulators' data again on exit. Emulators
// that run on their own (`npm run emulators`) keep their data in memory; --emulators clears those
// too (their Auth accounts and Firestore documents, through the emulators' REST API). Logs stay.
// NATS keeps its streams: every event in them was delivered, and the services recreate what they need.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { DEFAULT_ADMIN_URL, databaseName, withDatabase } from '@sunbae/db'
import { REPO_ROOT } from './lib/repo.ts'

const { values } = parseArgs({
  options: {
    yes: { type: 'boolean', default: false },
    emulators: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
const database = databaseName(adminUrl)
const runDir = path.join(REPO_ROOT, '.run')
const emulatorDataDir = process.env.EMULATOR_DATA_DIR || path.join(runDir, 'emulators', 'data')
const mailDir = process.env.MAIL_DIR || path.join(runDir, 'mail')
const gateway = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`
const authHost = process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099'
const firestoreHost = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8181'
const project = process.env.FIREBASE_PROJECT_ID ?? 'demo-sunbae'
const rel = (p: string) => path.relative(process.cwd(), p) || p

const say = (msg = ''): void => void process.stdout.write(`${msg}\n`)
const fail = (msg: string, code = 1): never => {
  process.stderr.write(`${msg}\n`)
  process.exit(code)
}

const what = [
  `the database "${database}" (${new URL(adminUrl).host})`,
  `the emulators' saved data in ${rel(emulatorDataDir)}`,
  `the mail sink's messages in ${rel(mailDir)}`,
  ...(values.emulators ? [`the running emulators' data (Auth ${authHost}, Firestore ${firestoreHost}, project ${project})`] : []),
]
if (values.help || !values.yes) {
  const out = values.help ? say : (m: string) => process.stderr.write(`${m}\n`)
  out('usage: npm run reset -- --yes [--emulators]')
  out('Wipes the local data npm start keeps:')
  for (const w of what) out(`  - ${w}`)
  if (!values.emulators) out('With --emulators, also the data of emulators running on their own (npm run emulators).')
  if (!values.help) out('\nNothing was wiped: add --yes to do it.')
  process.exit(values.help ? 0 : 2)
}
if (values.emulators && !project.startsWith('demo-')) fail(`Refusing to clear project "${project}": only the emulators' demo-* projects are cleared.`)

// The platform must not be running: its services hold the database, and npm start would save the
// emulators' data again when it stops.
const gatewayUp = await fetch(`${gateway}/readyz`, { signal: AbortSignal.timeout(1500) }).then(() => true, () => false)
if (gatewayUp) fail(`The platform is running (the gateway answers at ${gateway}). Stop npm start (Ctrl-C) first, then run the reset again.`)

// 1. The database.
const admin = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') })
try {
  await admin.connect()
} catch (err) {
  fail(`Postgres does not answer at ${new URL(adminUrl).host} (${(err as Error).message}): nothing was wiped.`)
}
try {
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount! > 0
  if (exists) {
    await admin.query(`DROP DATABASE ${pg.escapeIdentifier(database)} WITH (FORCE)`)
    say(`Dropped the database "${database}" (npm start creates it again).`)
  } else {
    say(`The database "${database}" did not exist.`)
  }
} finally {
  await admin.end()
}

// 2. Folders on disk.
const removeDir = (dir: string, label: string, count: (d: string) => string) => {
  if (!fs.existsSync(dir)) return say(`Nothing to remove for ${label}: ${rel(dir)} did not exist.`)
  const what = count(dir)
  fs.rmSync(dir, { recursive: true, force: true })
  say(`Removed ${label}: ${rel(dir)}${what ? ` (${what})` : ''}.`)
}
removeDir(emulatorDataDir, "the emulators' saved data", (d) => {
  try {
    const accounts = JSON.parse(fs.readFileSync(path.join(d, 'auth_export', 'accounts.json'), 'utf8')) as { users?: unknown[] }
    return `${accounts.users?.length ?? 0} Auth accounts and the Firestore export`
  } catch {
    return ''
  }
})
// interrupted exports next to it (see packages/testing/src/emulator-data.ts)
const parent = path.dirname(emulatorDataDir)
if (fs.existsSync(parent)) for (const n of fs.readdirSync(parent)) if (n.startsWith(`.${path.basename(emulatorDataDir)}.new-`)) fs.rmSync(path.join(parent, n), { recursive: true, force: true })
removeDir(mailDir, "the mail sink's messages", (d) => {
  const n = fs.readdirSync(d).filter((f) => f.endsWith('.eml')).length
  return `${n} message${n === 1 ? '' : 's'}`
})

// 3. Running emulators, when asked.
if (values.emulators) {
  const clear = async (label: string, url: string): Promise<void> => {
    const res = await fetch(url, { method: 'DELETE', headers: { authorization: 'Bearer owner' }, signal: AbortSignal.timeout(10_000) }).catch(() => null)
    if (!res) return say(`No ${label} runs at ${new URL(url).host}: nothing to clear.`)
    if (!res.ok) fail(`Clearing the ${label} failed (${res.status}): ${await res.text()}`)
    say(`Cleared the running ${label} at ${new URL(url).host}.`)
  }
  await clear('Auth emulator', `http://${authHost}/emulator/v1/projects/${project}/accounts`)
  await clear('Firestore emulator', `http://${firestoreHost}/emulator/v1/projects/${project}/databases/(default)/documents`)
}

say('')
say('Reset done. Next: npm start, then npm run seed.')
