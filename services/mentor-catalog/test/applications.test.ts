import t from 'tap'
import { randomUUID } from 'node:crypto'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { authEmulatorMissing, emulatorProjectId, emulatorToken } from '@sunbae/testing'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { account, adminHeaders, application, fields } from './accounts.ts'

const skip = authEmulatorMissing()

/** The role claim inside an ID token (the emulator signs with alg none; reading the payload is enough here). */
const claimOf = (idToken: string) => JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()).role as string | undefined

t.test('application → approval → a fresh token carries the mentor claim → the profile is public', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  const firebase = initializeApp({ projectId: emulatorProjectId() }, `apps-test-${randomUUID()}`)
  t.teardown(async () => {
    await app.close()
    await nc.close()
    await deleteApp(firebase)
  })
  const applicant = await account(app, { name: '박멘토' })
  const before = await getAuth(firebase).getUser(applicant.uid)
  await new Promise((r) => setTimeout(r, 1100)) // tokensValidAfterTime has one-second resolution

  const applied = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: applicant.headers, payload: application() })
  t.equal(applied.statusCode, 201, applied.body)
  const appId = applied.json().id
  t.match(applied.json(), { uid: applicant.uid, status: 'pending', reason: null, skills: ['python', 'django', '면접'], applicant: { displayName: '박멘토' } })

  const again = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: applicant.headers, payload: application() })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'APPLICATION_PENDING')

  const mine = await app.inject({ method: 'GET', url: '/api/mentors/applications/me', headers: applicant.headers })
  t.same(mine.json().map((a: { id: string }) => a.id), [appId])

  const admin = adminHeaders()
  const queue = await app.inject({ method: 'GET', url: '/api/admin/mentors/applications?status=pending&pageSize=100', headers: admin })
  t.equal(queue.statusCode, 200)
  t.ok(queue.json().items.some((a: { id: string }) => a.id === appId), 'listed for admins')

  const approved = await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${appId}/approve`, headers: admin })
  t.equal(approved.statusCode, 200, approved.body)
  const mentor = approved.json().mentor
  t.match(approved.json(), { application: { status: 'approved' }, mentor: { uid: applicant.uid, displayName: '박멘토', status: 'active', rating: 0, reviewCount: 0 } })

  const twice = await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${appId}/approve`, headers: admin })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().error.code, 'APPLICATION_DECIDED')

  // Firebase: claim set, refresh tokens revoked; a fresh sign-in carries the claim.
  const after = await getAuth(firebase).getUser(applicant.uid)
  t.equal(after.customClaims?.role, 'mentor')
  t.ok(Date.parse(after.tokensValidAfterTime!) > Date.parse(before.tokensValidAfterTime!), 'refresh tokens revoked')
  const fresh = await emulatorToken(applicant.user)
  t.equal(claimOf(fresh.idToken), 'mentor', 'a fresh ID token carries the mentor claim')
  const me = await app.inject({ method: 'GET', url: '/api/me', headers: applicant.as('mentor') })
  t.equal(me.json().role, 'mentor', 'mirror updated')

  const page = await app.inject({ method: 'GET', url: `/api/mentors/${mentor.id}` })
  t.equal(page.statusCode, 200)
  t.match(page.json(), { id: mentor.id, displayName: '박멘토', headline: application().headline, hourlyRate: 50000, languages: ['ko', 'en'], rating: 0, reviewCount: 0, recentReviews: [] })
  t.notOk('uid' in page.json(), 'the Firebase uid is not public')

  const applyAsMentor = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: applicant.as('mentor'), payload: application() })
  t.equal(applyAsMentor.statusCode, 409)
  t.equal(applyAsMentor.json().error.code, 'ALREADY_MENTOR')

  const [submitted] = await readEvents(nc, 'CATALOG', 'catalog.application.submitted', (e) => e.data.applicationId === appId)
  t.match(submitted, { actor: { type: 'user', id: applicant.uid }, data: { uid: applicant.uid } })
  const [approvedEvent] = await readEvents(nc, 'CATALOG', 'catalog.mentor.approved', (e) => e.data.id === mentor.id)
  t.match(approvedEvent, {
    subject: { type: 'mentor', id: mentor.id },
    data: { id: mentor.id, uid: applicant.uid, displayName: '박멘토', skills: ['python', 'django', '면접'], status: 'active', timezone: 'Asia/Seoul', links: ['https://github.com/example'] },
  })
  const [roleChanged] = await readEvents(nc, 'CATALOG', 'catalog.user.role_changed', (e) => e.data.uid === applicant.uid)
  t.match(roleChanged, { data: { from: 'mentee', to: 'mentor' } })
})

t.test('rejection: the reason is visible to the applicant, who may apply again', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const applicant = await account(app)
  const appId = (await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: applicant.headers, payload: application() })).json().id

  const noReason = await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${appId}/reject`, headers: adminHeaders(), payload: {} })
  t.equal(noReason.statusCode, 400)
  t.same(fields(noReason.json()), ['body/reason'])

  const rejected = await app.inject({
    method: 'POST',
    url: `/api/admin/mentors/applications/${appId}/reject`,
    headers: adminHeaders(),
    payload: { reason: '경력 증빙 링크를 추가해 주세요' },
  })
  t.equal(rejected.statusCode, 200, rejected.body)
  t.match(rejected.json(), { status: 'rejected', reason: '경력 증빙 링크를 추가해 주세요' })

  const mine = (await app.inject({ method: 'GET', url: '/api/mentors/applications/me', headers: applicant.headers })).json()
  t.match(mine, [{ id: appId, status: 'rejected', reason: '경력 증빙 링크를 추가해 주세요' }])
  t.ok(mine[0].decidedAt)

  const approveRejected = await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${appId}/approve`, headers: adminHeaders() })
  t.equal(approveRejected.statusCode, 409)

  const retry = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: applicant.headers, payload: application() })
  t.equal(retry.statusCode, 201, 'a rejected applicant may apply again')

  const [event] = await readEvents(nc, 'CATALOG', 'catalog.application.rejected', (e) => e.data.applicationId === appId)
  t.match(event, { data: { uid: applicant.uid, reason: '경력 증빙 링크를 추가해 주세요' } })
})

t.test('only admins decide: a mentee or mentor calling approve gets 403, anonymous 401', { skip }, async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const applicant = await account(app)
  const appId = (await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: applicant.headers, payload: application() })).json().id
  for (const role of ['mentee', 'mentor'] as const) {
    const res = await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${appId}/approve`, headers: applicant.as(role) })
    t.equal(res.statusCode, 403, `${role} → 403`)
    t.equal(res.json().error.code, 'FORBIDDEN')
  }
  t.equal((await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${appId}/approve` })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/mentors/applications', headers: applicant.headers })).statusCode, 403)
  const mine = (await app.inject({ method: 'GET', url: '/api/mentors/applications/me', headers: applicant.headers })).json()
  t.equal(mine[0].status, 'pending', 'still pending')
  const unknown = await app.inject({ method: 'POST', url: `/api/admin/mentors/applications/${randomUUID()}/approve`, headers: adminHeaders() })
  t.equal(unknown.statusCode, 404)
  const malformed = await app.inject({ method: 'POST', url: '/api/admin/mentors/applications/nope/approve', headers: adminHeaders() })
  t.equal(malformed.statusCode, 400)
})

t.test('bad applications get 400 with field details', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const { identityHeaders } = await import('@sunbae/service-kit/testing')
  const who = identityHeaders({ uid: `u-${randomUUID()}` })
  const cases: [Record<string, unknown>, string[]][] = [
    [{ hourlyRate: -1 }, ['body/hourlyRate']],
    [{ languages: ['ko', 'xx'] }, ['body/languages/1']],
    [{ skills: Array.from({ length: 100 }, (_, i) => `skill${i}`) }, ['body/skills']],
    [{ yearsExperience: 71, headline: '' }, ['body/headline', 'body/yearsExperience']],
    [{ links: ['javascript:alert(1)'] }, ['body/links/0']],
    [{ bio: 'x'.repeat(4001) }, ['body/bio']],
    [{ role: 'admin' }, ['body/role']],
    [{ timezone: 'Mars/Olympus' }, ['body/timezone']],
  ]
  for (const [over, expected] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: who, payload: application(over) })
    t.equal(res.statusCode, 400, JSON.stringify(over).slice(0, 60))
    t.equal(res.json().error.code, 'VALIDATION_FAILED')
    t.same([...new Set(fields(res.json()))], expected, JSON.stringify(over).slice(0, 60))
  }
  const missing = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: who, payload: { headline: 'x' } })
  t.equal(missing.statusCode, 400)
  t.ok(fields(missing.json()).includes('body/bio'))
  t.equal((await app.inject({ method: 'POST', url: '/api/mentors/applications', payload: application() })).statusCode, 401)
})
