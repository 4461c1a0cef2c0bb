// A mentor whose Firebase account is gone is not left searchable (issue 21): `npm run seed` runs
// src/cli/reconcile-accounts.ts, which suspends such mentors the usual way. Real Auth emulator,
// Postgres, NATS; the CLI as its own process, as the seed runs it.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { authEmulatorMissing, emulatorProjectId } from '@sunbae/testing'
import { ORPHAN_REASON } from '../src/mentors/orphans.service.ts'
import { adminHeaders, approvedMentor } from './accounts.ts'
import { buildCatalog, natsConnect, readEvents, testEnv } from './helpers.ts'

const cli = fileURLToPath(new URL('../src/cli/reconcile-accounts.ts', import.meta.url))
const run = () => spawnSync(process.execPath, [cli], { env: testEnv(), encoding: 'utf8', timeout: 120_000 })

t.test('mentors whose Firebase account is gone are suspended and leave search; the rest stay', { skip: authEmulatorMissing() }, async (t) => {
  const firebase = initializeApp({ projectId: emulatorProjectId() }, `reconcile-test-${randomUUID()}`)
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
    await deleteApp(firebase)
  })
  const word = `orphan${randomUUID().slice(0, 8)}`
  const kept = await approvedMentor(app, { headline: `${word} kept mentor` })
  const orphan = await approvedMentor(app, { headline: `${word} orphan mentor` })
  const search = async () => (await app.inject({ method: 'GET', url: `/api/mentors?q=${word}` })).json() as { total: number; items: Array<{ id: string }> }
  while ((await search()).total !== 2) await new Promise((r) => setTimeout(r, 100))

  await getAuth(firebase).deleteUser(orphan.acct.uid)
  const res = run()
  t.equal(res.status, 0, res.stderr)
  t.match(res.stdout, new RegExp(`1 of \\d+ mentors had no Firebase account any more and were suspended .*${orphan.mentorId} \\(uid ${orphan.acct.uid}\\)`))

  const admin = await app.inject({ method: 'GET', url: `/api/admin/mentors/${orphan.mentorId}`, headers: adminHeaders() })
  t.match(admin.json(), { id: orphan.mentorId, status: 'suspended' })
  t.equal((await app.inject({ method: 'GET', url: `/api/mentors/${orphan.mentorId}` })).statusCode, 404, 'its page is gone')
  t.equal((await app.inject({ method: 'GET', url: `/api/mentors/${kept.mentorId}` })).statusCode, 200, 'the other mentor stays')
  const [event] = await readEvents(nc, 'CATALOG', 'catalog.mentor.suspended', (e) => e.data.id === orphan.mentorId)
  t.match(event, { data: { reason: ORPHAN_REASON }, actor: { type: 'system', id: 'cli:reconcile-accounts' } }, 'suspended the usual way, with the reason')
  // search follows the catalog's own event: wait on it
  let found = await search()
  while (found.total !== 1) {
    await new Promise((r) => setTimeout(r, 100))
    found = await search()
  }
  t.same(found.items.map((m) => m.id), [kept.mentorId], 'search shows only the mentor with an account')

  const again = run()
  t.equal(again.status, 0, again.stderr)
  t.match(again.stdout, /^All \d+ mentors with an account still have their Firebase account\.$/m, 'idempotent')
})
