// `npm run reset` (scripts/reset.ts): refuses without --yes and while a gateway answers, wiping
// nothing; with --yes drops the database and removes the emulators' saved data and the mail sink's
// messages, saying what it removed; --emulators clears running emulators through their REST API
// (a stand-in records the calls: the emulators here are shared with other tests).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import pg from 'pg'
import t from 'tap'
import { withDatabase } from '@sunbae/db'
import { REPO_ROOT } from '../lib/repo.ts'

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae_test'
const dbName = `${new URL(base).pathname.slice(1) || 'sunbae_test'}_reset`.replace(/[^\w]/g, '_')
const adminUrl = withDatabase(base, dbName)

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: withDatabase(base, 'postgres') })
  await c.connect()
  try {
    return (await c.query<T>(sql, params)).rows
  } finally {
    await c.end()
  }
}
const dbExists = async () => (await query('select 1 from pg_database where datname = $1', [dbName])).length > 0

/** An HTTP server on a free port that records requests and answers 200. */
async function standIn(): Promise<{ host: string; seen: string[]; close: () => void }> {
  const seen: string[] = []
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    res.end('{}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() }
}

function reset(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'reset.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: adminUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => resolve({ code, out, err }))
  })
}

t.test('reset', async (t) => {
  await query(`drop database if exists "${dbName}" with (force)`)
  await query(`create database "${dbName}"`)
  t.teardown(() => query(`drop database if exists "${dbName}" with (force)`))
  const dir = t.testdir({
    emulators: {
      data: { 'firebase-export-metadata.json': '{}', auth_export: { 'accounts.json': JSON.stringify({ users: [{ localId: 'a' }, { localId: 'b' }] }) } },
      '.data.new-xyz': {},
    },
    mail: { '1.eml': 'x', '2.eml': 'y' },
  })
  const closed = await standIn()
  closed.close() // a port nothing answers on: no gateway
  const env = {
    EMULATOR_DATA_DIR: path.join(dir, 'emulators', 'data'),
    MAIL_DIR: path.join(dir, 'mail'),
    GATEWAY_URL: `http://${closed.host}`,
  }

  const asked = await reset([], env)
  t.equal(asked.code, 2, 'without --yes: refused')
  t.match(asked.err, new RegExp(`the database "${dbName}"`))
  t.match(asked.err, /Nothing was wiped: add --yes/)
  t.ok(await dbExists(), 'database kept')
  t.ok(fs.existsSync(env.EMULATOR_DATA_DIR) && fs.existsSync(env.MAIL_DIR), 'folders kept')

  const gateway = await standIn()
  t.teardown(gateway.close)
  const running = await reset(['--yes'], { ...env, GATEWAY_URL: `http://${gateway.host}` })
  t.equal(running.code, 1, 'refused while a gateway answers')
  t.match(running.err, /The platform is running/)
  t.ok(await dbExists(), 'database kept')

  const done = await reset(['--yes'], env)
  t.equal(done.code, 0, done.err)
  t.match(done.out, new RegExp(`Dropped the database "${dbName}"`))
  t.match(done.out, /Removed the emulators' saved data: .* \(2 Auth accounts and the Firestore export\)/)
  t.match(done.out, /Removed the mail sink's messages: .* \(2 messages\)/)
  t.notOk(await dbExists(), 'database dropped')
  t.notOk(fs.existsSync(env.EMULATOR_DATA_DIR), 'emulator data removed')
  t.same(fs.readdirSync(path.join(dir, 'emulators')), [], 'an interrupted export is removed too')
  t.notOk(fs.existsSync(env.MAIL_DIR), 'mail removed')

  const again = await reset(['--yes'], env)
  t.equal(again.code, 0, 'a second reset finds nothing and says so')
  t.match(again.out, /did not exist/)

  const auth = await standIn()
  const firestore = await standIn()
  t.teardown(() => (auth.close(), firestore.close()))
  const live = await reset(['--yes', '--emulators'], { ...env, FIREBASE_AUTH_EMULATOR_HOST: auth.host, FIRESTORE_EMULATOR_HOST: firestore.host, FIREBASE_PROJECT_ID: 'demo-sunbae' })
  t.equal(live.code, 0, live.err)
  t.same(auth.seen, ['DELETE /emulator/v1/projects/demo-sunbae/accounts'])
  t.same(firestore.seen, ['DELETE /emulator/v1/projects/demo-sunbae/databases/(default)/documents'])
  t.match(live.out, /Cleared the running Auth emulator/)

  const real = await reset(['--yes', '--emulators'], { ...env, FIREBASE_PROJECT_ID: 'my-prod' })
  t.equal(real.code, 1, 'never a real project')
  t.match(real.err, /Refusing to clear project "my-prod"/)
})
