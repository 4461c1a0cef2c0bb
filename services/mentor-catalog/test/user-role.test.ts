import t from 'tap'
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { authEmulatorMissing, createEmulatorUser, emulatorProjectId } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildCatalog, natsConnect, readEvents, testEnv } from './helpers.ts'

const cli = fileURLToPath(new URL('../src/cli/user-role.ts', import.meta.url))
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env: testEnv(), encoding: 'utf8', timeout: 60_000 })

t.test('user:role sets the claim, updates the mirror, revokes refresh tokens and publishes the change', { skip: authEmulatorMissing() }, async (t) => {
  const firebase = initializeApp({ projectId: emulatorProjectId() }, `user-role-test-${randomUUID()}`)
  const auth = getAuth(firebase)
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
    await deleteApp(firebase)
  })

  const email = `admin-${randomUUID()}@example.com`
  const user = await createEmulatorUser({ email, password: 'correct horse battery', displayName: '관리자' })
  const before = await auth.getUser(user.uid)
  // tokensValidAfterTime has one-second resolution
  await new Promise((r) => setTimeout(r, 1100))

  const res = run(email, 'admin')
  t.equal(res.status, 0, res.stderr)
  t.match(res.stdout, new RegExp(`${email}: mentee → admin`))

  const after = await auth.getUser(user.uid)
  t.equal(after.customClaims?.role, 'admin', 'custom claim set')
  t.ok(Date.parse(after.tokensValidAfterTime!) > Date.parse(before.tokensValidAfterTime!), 'refresh tokens revoked')

  // The mirror row was created from the Firebase record even though the user never called PUT /api/me.
  const me = await app.inject({ method: 'GET', url: '/api/me', headers: identityHeaders({ uid: user.uid, role: 'admin' }) })
  t.equal(me.statusCode, 200)
  t.match(me.json(), { uid: user.uid, email, displayName: '관리자', role: 'admin' })

  const events = await readEvents(nc, 'CATALOG', 'catalog.user.role_changed', (e) => e.data.uid === user.uid)
  t.match(events[0], { data: { uid: user.uid, from: 'mentee', to: 'admin' }, actor: { type: 'system', id: 'cli:user-role' } })

  // Running it again converges without a second event, and without signing the account out again
  // (npm run seed runs it for the demo admin every time: a revocation would end that admin's sessions).
  await new Promise((r) => setTimeout(r, 1100))
  t.equal(run(email, 'admin').status, 0)
  const again = await readEvents(nc, 'CATALOG', 'catalog.user.role_changed', (e) => e.data.uid === user.uid, { count: 1, settleMs: 1500 })
  t.equal(again.length, 1, 'no event when nothing changed')
  t.equal((await auth.getUser(user.uid)).tokensValidAfterTime, after.tokensValidAfterTime, 'sessions kept when the role is already the claim')
})

t.test('user:role explains unknown users and bad arguments', { skip: authEmulatorMissing() }, async (t) => {
  const unknown = run(`nobody-${randomUUID()}@example.com`, 'admin')
  t.equal(unknown.status, 1)
  t.match(unknown.stderr, /No Firebase user with email/)
  t.notMatch(unknown.stderr, /\n\s+at /, 'no stack trace')

  const usage = run('someone@example.com', 'superuser')
  t.equal(usage.status, 2)
  t.match(usage.stderr, /usage: npm run user:role -- <email> <mentee\|mentor\|admin>/)
})
