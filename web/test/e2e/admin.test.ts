// End-to-end: the operator's day on the admin page (issue 21), in headless Chromium against the stack
// `npm start` runs, shared by the journey files (browser.ts), with accounts of this file's own
// (accounts.ts). One story:
//   1. a mentor suspended two months ago (seeded: suspended through the API, its status timestamp
//      moved back in the catalog's table of the test stack) is found in the list of all mentors with
//      the suspended filter — the old audit-trail list stopped at 31 days — and reinstated with a reason;
//   2. the admin disables a user with a reason: the user's existing ID token is refused at once;
//   3. the reviews tab takes the time range from the URL (?range=7d), and keeps it across tabs.
//   (H5's steps — refund a booking partially, look at last week's traffic — go after step 3, marked below.)
// Screenshots go to web/test/artifacts/admin/; every page is checked for unlabeled fields, console
// errors and CSP violations (browser.ts).
import pg from 'pg'
import { ADMIN_EMAIL, api, createMentor, DEMO_PASSWORD, identityToolkit, idToken, until } from './accounts.ts'
import { browserSuite } from './browser.ts'

/** the stack's database: scripts/lib/e2e-stack.ts names it `<TEST_DATABASE_URL's database>_e2e` */
function stackDatabaseUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae_test')
  url.pathname = `/${`${url.pathname.slice(1) || 'sunbae_test'}_e2e`.replace(/[^\w-]/g, '_')}`
  return url.toString()
}

browserSuite('web e2e: the admin page', { artifacts: 'admin' }, async (t, { stack, session, journey }) => {
  const { gatewayUrl } = stack
  const stamp = Date.now().toString(36)
  const adminToken = await idToken(ADMIN_EMAIL, DEMO_PASSWORD)
  const twoMonthsAgo = new Date(Date.now() - 61 * 24 * 3600_000)
  const oldMentor = await createMentor(gatewayUrl, { name: `옛정지 ${stamp}`, email: `e2e-admin-old-${stamp}@sunbae.test`, password: `pw-${stamp}-old` }, '프론트엔드 8년차 · 포트폴리오 리뷰')
  const suspended = await api(gatewayUrl, 'POST', `/api/admin/mentors/${oldMentor.id}/suspend`, adminToken, { reason: 'e2e: 두 달 전 정지' })
  if (suspended.status !== 200) throw new Error(`suspend: ${suspended.status} ${JSON.stringify(suspended.json)}`)
  const db = new pg.Client({ connectionString: stackDatabaseUrl() })
  await db.connect()
  try {
    const moved = await db.query('update mentor_catalog.mentors set status_changed_at = $1 where id = $2', [twoMonthsAgo, oldMentor.id])
    if (moved.rowCount !== 1) throw new Error('the suspended mentor is not in the stack database')
  } finally {
    await db.end()
  }
  const user = { name: `비활성 후배 ${stamp}`, email: `e2e-admin-user-${stamp}@sunbae.test`, password: `pw-${stamp}-user` }
  let userToken = await identityToolkit('accounts:signUp', { email: user.email, password: user.password, displayName: user.name })
  await until(`${user.email} registered`, async () => {
    const r = await api(gatewayUrl, 'PUT', '/api/me', userToken, { displayName: user.name })
    if (r.status === 401) userToken = await idToken(user.email, user.password)
    return r.status === 200 || r.status === 201
  }, 30_000)

  const admin = await session('admin')

  await journey('the admin finds a mentor suspended two months ago and reinstates them', async (t) => {
    const { page, visit, login } = admin
    await login(ADMIN_EMAIL, DEMO_PASSWORD, t)
    await page.goto('/admin?tab=mentors')
    await page.locator('.ant-segmented').getByText('정지됨', { exact: true }).click()
    await page.getByLabel('이름, 이메일, 소개로 멘토 검색').fill(oldMentor.email)
    await page.getByLabel('이름, 이메일, 소개로 멘토 검색').press('Enter')
    const row = page.getByTestId('admin-mentors').locator('tr', { hasText: oldMentor.name })
    await row.getByText('e2e: 두 달 전 정지').waitFor()
    t.match(await row.textContent(), twoMonthsAgo.getFullYear().toString(), 'the suspension date is shown')
    await visit(t, 'old-suspension')
    await row.getByRole('button', { name: '정지 해제' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('사유 (감사 기록에 남습니다)').fill('e2e: 소명 확인')
    await visit(t, 'reinstate-dialog')
    await dialog.getByRole('button', { name: '정지 해제' }).click()
    await page.getByText('정지를 해제했습니다').waitFor()
    await row.waitFor({ state: 'detached' })
    const back = await api(gatewayUrl, 'GET', `/api/mentors/${oldMentor.id}`, null)
    t.equal(back.status, 200, 'the mentor page is public again')
    await visit(t, 'reinstated')
  })

  await journey('the admin disables a user with a reason; the user is signed out at once', async (t) => {
    const { page, visit } = admin
    t.equal((await api(gatewayUrl, 'GET', '/api/me', userToken)).status, 200, "the user's token works before")
    // from the mentors tab the first journey left open, as an operator moves between tabs
    await page.getByRole('tab', { name: '사용자와 역할' }).click()
    await page.waitForURL(/tab=users/)
    await page.getByLabel('이메일 또는 이름으로 검색').fill(user.email)
    await page.getByLabel('이메일 또는 이름으로 검색').press('Enter')
    const row = page.getByTestId('admin-users').locator('tr', { hasText: user.email })
    await row.getByText('사용 중', { exact: true }).waitFor()
    await row.getByRole('button', { name: '비활성화' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: '비활성화' }).click()
    await dialog.getByText('입력해 주세요').waitFor()
    await dialog.getByLabel('사유 (감사 기록에 남습니다)').fill('e2e: 스팸 신고')
    await visit(t, 'disable-dialog')
    await dialog.getByRole('button', { name: '비활성화' }).click()
    await page.getByText('계정을 비활성화했습니다').waitFor()
    await row.getByText('비활성', { exact: true }).waitFor()
    await row.getByText('e2e: 스팸 신고').waitFor()
    await visit(t, 'disabled')
    const refused = await until('the disabled token refused', async () => {
      const r = await api(gatewayUrl, 'GET', '/api/me', userToken)
      return r.status === 401 ? r : null
    }, 10_000)
    t.equal(refused.json.error.code, 'ACCOUNT_DISABLED', "the user's existing token is refused")
    await t.rejects(idToken(user.email, user.password), /USER_DISABLED/, 'and the user cannot sign in again')
  })

  await journey('the reviews tab takes its time range from the URL and keeps it across tabs', async (t) => {
    const { page, visit } = admin
    await page.goto('/admin?tab=reviews&range=7d')
    const range = page.getByTestId('time-range')
    await range.waitFor()
    t.equal(await range.locator('.ant-segmented-item-selected').textContent(), '7일', 'the range of the URL is selected')
    await visit(t, 'reviews-7d')
    await range.getByText('30일', { exact: true }).click()
    await page.waitForURL(/range=30d/)
    await page.getByRole('tab', { name: '멘토 관리' }).click()
    await page.waitForURL(/tab=mentors/)
    t.match(page.url(), /range=30d/, 'the range stays in the URL on another tab')
  })

  // ── H5: "refund a booking partially" and "look at last week's traffic" go here, as further
  //    journey(...) steps with the same `admin` session.

  await admin.close()
})
