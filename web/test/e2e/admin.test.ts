// End-to-end: the operator's day on the admin page (issue 21), in headless Chromium against the stack
// `npm start` runs, shared by the journey files (browser.ts), with accounts of this file's own
// (accounts.ts). One story:
//   1. a mentor suspended two months ago (seeded: suspended through the API, its status timestamp
//      moved back in the catalog's table of the test stack) is found in the list of all mentors with
//      the suspended filter — the old audit-trail list stopped at 31 days — and reinstated with a reason;
//   2. the admin disables a user with a reason: the user's existing ID token is refused at once;
//   3. the reviews tab takes the time range from the URL (?range=7d), and keeps it across tabs;
//   4. a paid booking (set up through the API) is refunded in part from the payments tab, with a
//      reason: the payment becomes partially refunded through the provider, and the audit trail has it;
//   5. the traffic dashboard shows last week (?range=7d), from the picker and from the URL alone.
// Screenshots go to web/test/artifacts/admin/; every page is checked for unlabeled fields, console
// errors and CSP violations (browser.ts).
import pg from 'pg'
import { ADMIN_EMAIL, api, createMentor, DEMO_PASSWORD, identityToolkit, idToken, until, verifyEmail } from './accounts.ts'
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

  await journey('the admin refunds a paid booking partially, with a reason', async (t) => {
    const { page, visit } = admin
    // a paid, confirmed session through the API: a mentor's paid schedule, a match, a booking, tok_success
    const mentor = await createMentor(gatewayUrl, { name: `환불선배 ${stamp}`, email: `e2e-admin-refund-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-rm` }, '데이터 엔지니어 · 환불 테스트')
    const mentorToken = await idToken(mentor.email, mentor.password)
    const day = [{ start: '00:00', end: '24:00' }]
    const avail = await api(gatewayUrl, 'PUT', '/api/meetings/availability', mentorToken, {
      timezone: 'Asia/Seoul', weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }, overrides: [], durations: [60], pricePerHour: 40_000,
    })
    t.equal(avail.status, 200, JSON.stringify(avail.json))
    const payer = { name: `환불 후배 ${stamp}`, email: `e2e-admin-refund-${stamp}@sunbae.test`, password: `pw-${stamp}-payer` }
    let payerToken = await identityToolkit('accounts:signUp', { email: payer.email, password: payer.password, displayName: payer.name })
    await until(`${payer.email} registered`, async () => {
      const r = await api(gatewayUrl, 'PUT', '/api/me', payerToken, { displayName: payer.name })
      if (r.status === 401) payerToken = await idToken(payer.email, payer.password)
      return r.status === 200 || r.status === 201
    }, 30_000)
    // a 1:1 request and paying need a verified address
    payerToken = await verifyEmail(payer.email, payer.password)
    const request = await until('the request sent', async () => {
      const r = await api(gatewayUrl, 'POST', '/api/matching/requests', payerToken, { mentorId: mentor.id, message: `환불 테스트 세션 (${stamp})` })
      return r.status === 201 ? r.json : null
    }, 60_000)
    t.equal((await api(gatewayUrl, 'POST', `/api/matching/requests/${request.id}/accept`, mentorToken)).status, 200)
    const from = new Date(Date.now() + 3 * 24 * 3600_000).toISOString()
    const to = new Date(Date.now() + 5 * 24 * 3600_000).toISOString()
    const booking = await until('a booking held', async () => {
      const slots = await api(gatewayUrl, 'GET', `/api/meetings/mentors/${mentor.id}/slots?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, payerToken)
      const slot = slots.json?.slots?.[0]
      if (!slot) return null
      const b = await api(gatewayUrl, 'POST', '/api/meetings/bookings', payerToken, { mentorId: mentor.id, start: slot.start, duration: 60 })
      return b.status === 201 ? b.json : null
    }, 60_000)
    const payment = await until("the booking's payment", async () => {
      const r = await api(gatewayUrl, 'POST', '/api/payments', payerToken, { bookingId: booking.id })
      return r.status === 200 || r.status === 201 ? r.json : null
    }, 60_000)
    const paid = await api(gatewayUrl, 'POST', `/api/payments/${payment.id}/confirm`, payerToken, { cardToken: 'tok_success' })
    t.equal(paid.json.state, 'succeeded', JSON.stringify(paid.json))

    await page.goto('/admin?tab=payments')
    const row = page.getByTestId('admin-payments').locator('tr', { hasText: booking.id.slice(0, 8) })
    await row.getByText('40,000원').waitFor()
    await row.getByRole('button', { name: '환불' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('환불 가능: 40,000원').waitFor()
    await dialog.getByLabel('환불 금액').fill('15000')
    await dialog.getByLabel('사유 (감사 기록에 남습니다)').fill('e2e: 세션 일부만 진행')
    await visit(t, 'refund-dialog')
    await dialog.getByRole('button', { name: '환불' }).click()
    await page.getByText('환불을 요청했습니다').waitFor()
    const refunded = await until('the payment partially refunded', async () => {
      const r = await api(gatewayUrl, 'GET', `/api/payments/${payment.id}`, adminToken)
      return r.json?.state === 'partially_refunded' ? r.json : null
    }, 30_000)
    t.match(refunded, { refundedAmount: 15_000, refunds: [{ amount: 15_000, state: 'succeeded', reason: 'e2e: 세션 일부만 진행' }] })
    await page.reload()
    await row.getByText('15,000원').waitFor()
    await visit(t, 'refunded')
    const audit = await until('the refund in the audit trail', async () => {
      const r = await api(gatewayUrl, 'GET', `/api/admin/tracking/audit?type=payment.refund.requested&entityType=payment&entityId=${payment.id}`, adminToken)
      return r.json?.items?.[0]
    }, 30_000)
    t.match(audit, { actor: { role: 'admin' }, payload: { refundAmount: 15_000, reason: 'e2e: 세션 일부만 진행' } })
  })

  /**
   * The requests chart has drawn its data: recharts 3 draws a line's curve and dots in a layer of
   * their own (its `.recharts-line` group stays empty), and a run's traffic may fill only one or two
   * one-hour buckets of the week, whose points the page draws as dots.
   */
  const TRAFFIC_DRAWN = ':is(.recharts-line-curve, .recharts-line-dot) >> visible=true'
  await journey("the admin looks at last week's traffic; the range is in the URL", async (t) => {
    const { page, visit } = admin
    await page.goto('/admin?tab=traffic')
    const range = page.getByTestId('time-range')
    await range.getByText('7일', { exact: true }).click()
    await page.waitForURL(/range=7d/)
    await page.getByTestId('chart-requests').locator(TRAFFIC_DRAWN).first().waitFor()
    await visit(t, 'traffic-7d')
    // the URL alone brings the same view back
    await page.goto('/admin?tab=traffic&range=7d')
    t.equal(await range.locator('.ant-segmented-item-selected').textContent(), '7일', 'the range of the URL is selected')
    await page.getByTestId('chart-requests').locator(TRAFFIC_DRAWN).first().waitFor()
    // another dashboard keeps it
    await page.getByRole('tab', { name: '요청 기록' }).click()
    await page.waitForURL(/tab=requests/)
    t.match(page.url(), /range=7d/)
  })


  await admin.close()
})
