import t from 'tap'
import { randomUUID } from 'node:crypto'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { authEmulatorMissing, emulatorProjectId } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { account, adminHeaders, approvedMentor, fields } from './accounts.ts'

const skip = authEmulatorMissing()

t.test('a mentor edits only their own profile; the change is published', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const a = await approvedMentor(app)
  const b = await approvedMentor(app, { headline: 'B의 헤드라인' })

  const mine = await app.inject({ method: 'GET', url: '/api/mentors/me', headers: a.acct.headers })
  t.equal(mine.statusCode, 200)
  t.match(mine.json(), { id: a.mentorId, uid: a.acct.uid, status: 'active' })

  const patched = await app.inject({
    method: 'PATCH',
    url: '/api/mentors/me',
    headers: a.acct.headers,
    payload: { headline: 'Staff engineer · system design', hourlyRate: 80000, company: null, timezone: 'America/New_York' },
  })
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json(), { id: a.mentorId, headline: 'Staff engineer · system design', hourlyRate: 80000, company: null, timezone: 'America/New_York' })

  // There is no id in the path: whatever a mentor sends, only their own row changes. A body
  // naming another mentor is refused outright, and B's profile is untouched.
  const sneaky = await app.inject({ method: 'PATCH', url: '/api/mentors/me', headers: a.acct.headers, payload: { id: b.mentorId, headline: 'hijacked' } })
  t.equal(sneaky.statusCode, 400)
  t.same(fields(sneaky.json()), ['body/id'])
  t.equal((await app.inject(`/api/mentors/${b.mentorId}`)).json().headline, 'B의 헤드라인', "B's profile unchanged")
  // Editing someone else exists only as admin actions under /api/admin, which a mentor cannot call.
  const viaAdmin = await app.inject({ method: 'POST', url: `/api/admin/mentors/${b.mentorId}/suspend`, headers: a.acct.headers, payload: { reason: 'x' } })
  t.equal(viaAdmin.statusCode, 403)
  t.equal((await app.inject({ method: 'PATCH', url: `/api/mentors/${b.mentorId}`, headers: a.acct.headers, payload: { headline: 'x' } })).statusCode, 404, 'no such route')

  const mentee = await app.inject({ method: 'PATCH', url: '/api/mentors/me', headers: a.acct.as('mentee'), payload: { headline: 'x' } })
  t.equal(mentee.statusCode, 403, 'a mentee token cannot edit')
  const noProfile = await app.inject({ method: 'GET', url: '/api/mentors/me', headers: identityHeaders({ uid: `u-${randomUUID()}`, role: 'mentor' }) })
  t.equal(noProfile.statusCode, 404)

  const [updated] = await readEvents(nc, 'CATALOG', 'catalog.mentor.updated', (e) => e.data.id === a.mentorId)
  t.match(updated, { actor: { id: a.acct.uid }, data: { headline: 'Staff engineer · system design', hourlyRate: 80000, company: null, status: 'active' } })
  const others = await readEvents(nc, 'CATALOG', 'catalog.mentor.updated', (e) => e.data.id === b.mentorId, { count: 1, timeoutMs: 1500 })
  t.equal(others.length, 0, 'nothing published about B')
})

t.test('bad profile edits get 400 with field details', { skip }, async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const { acct } = await approvedMentor(app)
  const cases: [Record<string, unknown>, string[]][] = [
    [{ hourlyRate: -1 }, ['body/hourlyRate']],
    [{ languages: ['klingon'] }, ['body/languages/0']],
    [{ skills: Array.from({ length: 100 }, (_, i) => `s${i}`) }, ['body/skills']],
    [{ timezone: 'Asia/Nowhere' }, ['body/timezone']],
    [{ skills: [] }, ['body/skills']],
  ]
  for (const [payload, expected] of cases) {
    const res = await app.inject({ method: 'PATCH', url: '/api/mentors/me', headers: acct.headers, payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 50))
    t.same([...new Set(fields(res.json()))], expected)
  }
  const empty = await app.inject({ method: 'PATCH', url: '/api/mentors/me', headers: acct.headers, payload: {} })
  t.equal(empty.statusCode, 400, 'an empty patch is refused')
})

t.test('suspended mentors vanish from the mentor page; reinstated ones come back; events published', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const { acct, mentorId } = await approvedMentor(app)
  const admin = adminHeaders()
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).statusCode, 200)

  const noReason = await app.inject({ method: 'POST', url: `/api/admin/mentors/${mentorId}/suspend`, headers: admin, payload: {} })
  t.equal(noReason.statusCode, 400)
  const suspended = await app.inject({ method: 'POST', url: `/api/admin/mentors/${mentorId}/suspend`, headers: admin, payload: { reason: '허위 경력' } })
  t.equal(suspended.statusCode, 200, suspended.body)
  t.equal(suspended.json().status, 'suspended')

  const page = await app.inject(`/api/mentors/${mentorId}`)
  t.equal(page.statusCode, 404)
  t.equal(page.json().error.code, 'MENTOR_NOT_FOUND')
  t.equal((await app.inject(`/api/mentors/${mentorId}/reviews`)).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/api/mentors/me', headers: acct.headers })).json().status, 'suspended', 'the mentor sees why')
  t.equal((await app.inject({ method: 'GET', url: `/api/admin/mentors/${mentorId}`, headers: admin })).json().status, 'suspended')

  const reinstated = await app.inject({ method: 'POST', url: `/api/admin/mentors/${mentorId}/reinstate`, headers: admin, payload: { reason: '소명 확인' } })
  t.equal(reinstated.statusCode, 200)
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).statusCode, 200)

  const [s] = await readEvents(nc, 'CATALOG', 'catalog.mentor.suspended', (e) => e.data.id === mentorId)
  t.match(s, { data: { status: 'suspended', reason: '허위 경력' } })
  const [r] = await readEvents(nc, 'CATALOG', 'catalog.mentor.reinstated', (e) => e.data.id === mentorId)
  t.match(r, { data: { status: 'active' } })

  t.equal((await app.inject({ method: 'POST', url: `/api/admin/mentors/${randomUUID()}/suspend`, headers: admin, payload: { reason: 'x' } })).statusCode, 404)
})

t.test('mentor page: unknown id 404, malformed id 400 (JSON errors)', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const unknown = await app.inject(`/api/mentors/${randomUUID()}`)
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'MENTOR_NOT_FOUND')
  const malformed = await app.inject('/api/mentors/not-a-uuid')
  t.equal(malformed.statusCode, 400)
  t.same(fields(malformed.json()), ['params/id'])
})

t.test('admins change roles and search accounts', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  const firebase = initializeApp({ projectId: emulatorProjectId() }, `roles-test-${randomUUID()}`)
  t.teardown(async () => {
    await app.close()
    await nc.close()
    await deleteApp(firebase)
  })
  const tag = randomUUID().slice(0, 8)
  const user = await account(app, { name: `검색대상 ${tag}` })
  const admin = adminHeaders()

  const forbidden = await app.inject({ method: 'PUT', url: `/api/admin/users/${user.uid}/role`, headers: user.headers, payload: { role: 'admin' } })
  t.equal(forbidden.statusCode, 403)
  const bad = await app.inject({ method: 'PUT', url: `/api/admin/users/${user.uid}/role`, headers: admin, payload: { role: 'root' } })
  t.equal(bad.statusCode, 400)
  t.same([...new Set(fields(bad.json()))], ['body/role'])

  const changed = await app.inject({ method: 'PUT', url: `/api/admin/users/${user.uid}/role`, headers: admin, payload: { role: 'admin' } })
  t.equal(changed.statusCode, 200, changed.body)
  t.equal(changed.json().role, 'admin')
  t.equal((await getAuth(firebase).getUser(user.uid)).customClaims?.role, 'admin')
  const [e] = await readEvents(nc, 'CATALOG', 'catalog.user.role_changed', (ev) => ev.data.uid === user.uid)
  t.match(e, { data: { from: 'mentee', to: 'admin' }, actor: { type: 'user', role: 'admin' } })

  const unknown = await app.inject({ method: 'PUT', url: '/api/admin/users/no-such-uid/role', headers: admin, payload: { role: 'mentor' } })
  t.equal(unknown.statusCode, 404)

  const byName = await app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent(tag)}`, headers: admin })
  t.equal(byName.statusCode, 200)
  t.same(byName.json().items.map((u: { uid: string }) => u.uid), [user.uid])
  const byEmail = await app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent(user.email.toUpperCase())}&role=admin`, headers: admin })
  t.same(byEmail.json().items.map((u: { uid: string }) => u.uid), [user.uid])
  const wrongRole = await app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent(tag)}&role=mentor`, headers: admin })
  t.equal(wrongRole.json().total, 0)
  const literal = await app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent('%')}&pageSize=1`, headers: admin })
  t.equal(literal.statusCode, 200, '% is searched literally')
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/users?pageSize=1000', headers: admin })).statusCode, 400)
})
