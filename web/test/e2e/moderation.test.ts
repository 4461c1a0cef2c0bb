// End-to-end: the admin's moderation tools, in headless Chromium against the stack `npm start` runs,
// shared by the journey files (browser.ts), with a mentor of this file's own (accounts.ts). One story:
//   1. the admin finds the mentor in the list of all mentors and suspends them with a reason;
//      the mentor is listed as suspended with the reason, and their public page is gone;
//   2. the admin reinstates them with a reason; the suspended filter no longer lists them and the page is back;
//   3. a real server fault (tracking's test-only route) shows up as an error group whose detail has
//      the count, first/last seen, sample ids and the scrubbed stack — on a phone-sized screen.
// Screenshots go to web/test/artifacts/moderation/; every page is checked for unlabeled fields and
// console errors (browser.ts).
import { ADMIN_EMAIL, createMentor, DEMO_PASSWORD, idToken } from './accounts.ts'
import { browserSuite } from './browser.ts'

browserSuite('web e2e: admin moderation', { artifacts: 'moderation' }, async (t, { stack, session }) => {
  const { gatewayUrl } = stack
  const stamp = Date.now().toString(36)
  const theMentor = await createMentor(gatewayUrl, { name: `정선배 ${stamp}`, email: `e2e-mod-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-mentor` }, '백엔드 10년차 · 면접 코칭')
  const mentorName = theMentor.name
  const admin = await session('admin')
  let mentorPath = ''

  await t.test('the admin suspends a mentor with a reason; the lists and the public page follow', async (t) => {
    const { page, visit, login } = admin
    await login(ADMIN_EMAIL, DEMO_PASSWORD, t)
    await page.goto('/admin?tab=mentors')
    await page.getByLabel('이름, 이메일, 소개로 멘토 검색').fill(mentorName)
    await page.getByLabel('이름, 이메일, 소개로 멘토 검색').press('Enter')
    const row = page.getByTestId('admin-mentors').locator('tr', { hasText: mentorName })
    await row.getByText('활동 중', { exact: true }).waitFor()
    mentorPath = (await row.getByRole('link', { name: mentorName }).getAttribute('href')) ?? ''
    t.match(mentorPath, /^\/mentors\/[0-9a-f-]{36}$/)
    await visit(t, 'mentors')

    await row.getByRole('button', { name: '정지' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('정지하면 멘토 페이지와 검색').waitFor()
    // the reason is required: the dialog refuses to go on without one
    await dialog.getByRole('button', { name: '정지' }).click()
    await dialog.getByText('입력해 주세요').waitFor()
    await dialog.getByLabel('정지 사유').fill('e2e: 신고 접수로 확인 중')
    await visit(t, 'suspend-dialog')
    await dialog.getByRole('button', { name: '정지' }).click()
    await page.getByText('멘토를 정지했습니다').waitFor()
    await row.getByText('정지됨', { exact: true }).waitFor()
    await row.getByText('e2e: 신고 접수로 확인 중').waitFor()
    await visit(t, 'suspended')

    await page.goto(mentorPath)
    await page.getByText('No such mentor').waitFor()
    await visit(t, 'mentor-gone', [/status of 404/])
  })

  await t.test('the admin reinstates the mentor with a reason', async (t) => {
    const { page, visit } = admin
    await page.goto('/admin?tab=mentors')
    await page.locator('.ant-segmented').getByText('정지됨', { exact: true }).click()
    const suspended = page.getByTestId('admin-mentors').locator('tr', { hasText: mentorName })
    await suspended.getByRole('button', { name: '정지 해제' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('다시 검색에 나타납니다').waitFor()
    await dialog.getByLabel('사유 (감사 기록에 남습니다)').fill('e2e: 소명 확인')
    await visit(t, 'reinstate-confirm')
    await dialog.getByRole('button', { name: '정지 해제' }).click()
    await page.getByText('정지를 해제했습니다').waitFor()
    await suspended.waitFor({ state: 'detached' })
    t.equal(await page.getByTestId('admin-mentors').locator('tr', { hasText: mentorName }).count(), 0, 'no longer among the suspended')
    await visit(t, 'reinstated')
    await page.goto(mentorPath)
    await page.getByRole('heading', { level: 1, name: mentorName }).waitFor()
    // the mentor has set no schedule: the slot picker's query is a 404 (NO_AVAILABILITY) it explains
    await visit(t, 'mentor-back', [/status of 404/])
  })

  await t.test('a server fault becomes an error group with its detail (phone layout)', async (t) => {
    // a real 5xx through the gateway (tracking's fault route, which the e2e stack enables), as the admin
    const token = await idToken(ADMIN_EMAIL, DEMO_PASSWORD)
    const marker = `e2e-${Date.now().toString(36)}`
    const fault = await fetch(`${gatewayUrl}/api/tracking/test/fail?marker=${marker}`, { headers: { authorization: `Bearer ${token}` } })
    t.equal(fault.status, 500, 'the fault route failed for real')

    const phone = await session('admin-phone', { viewport: { width: 390, height: 844 } })
    await phone.login(ADMIN_EMAIL, DEMO_PASSWORD, t)
    // the report travels over NATS into tracking: poll the errors tab until it is there
    const deadline = Date.now() + 45_000
    let row = phone.page.getByTestId('error-groups').locator('tr', { hasText: 'test fault' })
    while (Date.now() < deadline) {
      await phone.page.goto('/admin?tab=errors')
      await Promise.race([phone.page.getByTestId('error-groups').waitFor().catch(() => {}), phone.page.getByText('아직 아무것도 없습니다').first().waitFor().catch(() => {})])
      row = phone.page.getByTestId('error-groups').locator('tr', { hasText: 'test fault' })
      if (await row.count()) break
      await new Promise((r) => setTimeout(r, 1500))
    }
    await row.first().waitFor({ timeout: 1_000 })
    await phone.visit(t, 'errors')
    await row.first().getByRole('button', { name: '상세' }).click()
    const detail = phone.page.getByTestId('error-detail')
    await detail.waitFor()
    // the drawer slides in: screenshot it in place, full width on a phone
    await phone.page.waitForFunction(() => {
      const el = document.querySelector('.ant-drawer-content-wrapper')
      return !!el && Math.abs(el.getBoundingClientRect().left) < 1
    })
    await detail.getByText('처음 발생').waitFor()
    await detail.getByText('샘플 trace ID').waitFor()
    const text = await detail.innerText()
    t.match(text, /test fault/, 'the message of the latest occurrence')
    t.match(text, /at /, 'the stack of the latest occurrence')
    t.notMatch(text, /hunter2/, 'the secret in the message was scrubbed before it was stored')
    await phone.visit(t, 'error-detail')
    await phone.close()
  })

  await admin.close()
})
