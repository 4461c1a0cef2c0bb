// End-to-end: paying for a session, in headless Chromium against the stack `npm start` runs, shared by
// the journey files (browser.ts), with a mentor of this file's own (accounts.ts). One story:
//   1. the mentor's schedule offers paid 60-minute sessions (30,000원 an hour; set through the
//      API, the editor has its own journey in meetings.test.ts);
//   2. a new user asks the mentor for a chat and the mentor accepts (a match allows booking);
//   3. the mentee books a slot: it is held, and "pay now" opens the pay page — booking summary,
//      server price, hold countdown, the sandbox test cards; they pay with tok_success and see the
//      result; the session becomes confirmed; the payment is in their payments (phone too);
//   4. a declined card explains itself; a card asking for extra authentication is approved and paid;
//   5. the mentor sees the earnings (gross, 10 % fee, net) of the two paid sessions;
//   6. the admin lists the payments and filters the failed ones (phone);
//   7. the mentee pays another slot with a card through Stripe's Payment Element, completing 3-D Secure,
//      and one through the Toss Payments widget; each session ends confirmed.
// Screenshots go to web/test/artifacts/payments/; every page is checked for unlabeled fields and
// console errors (browser.ts).
//
// Step 7 uses STAND-INS: the browser cannot load Stripe.js (js.stripe.com) or the Toss SDK
// (js.tosspayments.com) here, so the journey serves it local stand-ins of each SDK's documented surface
// (standins/stripe.js, standins/toss.js) through playwright's context.route, and routes what those
// scripts send to api.stripe.com / api.tosspayments.com to the providers' API stand-ins the stack runs
// (@sunbae/testing/provider-apis), which payment itself talks to server-side.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import type { BrowserContext, Page } from 'playwright-core'
import { ADMIN_EMAIL, createMentor, DEMO_PASSWORD, idToken } from './accounts.ts'
import { bookOnceMatched, browserSuite, handoff, type Session } from './browser.ts'

const STANDINS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'standins')

/** The SDK scripts from their stand-ins, and their API calls to the providers' API stand-ins. */
async function routePaymentSdks(context: BrowserContext, apis: { stripe: { url: string }; toss: { url: string } }): Promise<void> {
  const script = (file: string) => fs.readFileSync(path.join(STANDINS, file), 'utf8')
  await context.route('https://js.stripe.com/**', (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: script('stripe.js') }))
  await context.route('https://js.tosspayments.com/**', (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: script('toss.js') }))
  for (const [origin, target] of [['https://api.stripe.com', apis.stripe.url], ['https://api.tosspayments.com', apis.toss.url]] as const) {
    await context.route(`${origin}/**`, async (route) => {
      const url = new URL(route.request().url())
      await route.fulfill({ response: await route.fetch({ url: `${target}${url.pathname}${url.search}` }) })
    })
  }
}

/** meeting confirms the booking on payment.succeeded (an event): look in my sessions until it has. */
async function waitConfirmed(page: Page, booked: string): Promise<string> {
  const until = Date.now() + 30_000
  const confirmed = page.getByTestId('sessions-upcoming').getByTestId('session').filter({ hasText: '확정' }).filter({ hasText: booked })
  for (;;) {
    await page.goto('/me?tab=sessions')
    await page.getByTestId('sessions-upcoming').waitFor()
    if (await confirmed.count()) return (await confirmed.first().textContent()) ?? ''
    if (Date.now() > until) throw new Error(`the session at ${booked} was not confirmed after payment`)
    await page.waitForTimeout(1_000)
  }
}

const SEOUL = { timezoneId: 'Asia/Seoul' }

browserSuite('web e2e: paying for a session', { artifacts: 'payments' }, async (t, { stack, session, journey }) => {
  const { gatewayUrl } = stack
  const stamp = Date.now().toString(36)
  const theMentor = await createMentor(gatewayUrl, { name: `최선배 ${stamp}`, email: `e2e-pay-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-mentor` }, '백엔드 10년차 · 면접 코칭')
  const mentorName = theMentor.name
  const mentee = { name: `결제 후배 ${stamp}`, email: `e2e-pay-${stamp}@sunbae.test`, password: `pw-${stamp}-secret` }
  const mentor = await session('mentor', SEOUL)
  const me = await session('mentee', SEOUL)

  await journey('the mentor offers paid sessions (30,000원 an hour) every day', async (t) => {
    // the mentor's token from the Auth emulator's REST API, as scripts/seed.ts signs in
    const token = await idToken(theMentor.email, theMentor.password)
    const day = [{ start: '09:00', end: '18:00' }]
    const res = await fetch(`${gatewayUrl}/api/meetings/availability`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        timezone: 'Asia/Seoul',
        weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
        overrides: [],
        durations: [60],
        pricePerHour: 30_000,
      }),
    })
    t.equal(res.status, 200, await res.clone().text())
    await mentor.login(theMentor.email, theMentor.password)
  })

  let mentorPath = ''
  await journey('a new user asks for a chat and the mentor accepts', async () => {
    const { page } = me
    await me.signUp(mentee)
    await page.goto(`/?q=${encodeURIComponent('면접 코칭')}`)
    await page.getByTestId('mentor-card').filter({ hasText: mentorName }).getByRole('link', { name: mentorName }).click()
    await page.getByRole('heading', { level: 1, name: mentorName }).waitFor()
    mentorPath = new URL(page.url()).pathname
    await page.getByRole('button', { name: '1:1 채팅 요청' }).click()
    await page.getByLabel('멘토에게 보낼 메시지').fill(`유료 세션 예약하고 싶어요 (${stamp})`)
    await page.getByRole('dialog').getByRole('button', { name: '보내기' }).click()
    await page.getByText('요청을 보냈습니다').waitFor()
    await mentor.page.goto('/me')
    const row = mentor.page.getByTestId('inbox').locator('tr', { hasText: stamp })
    await row.getByRole('button', { name: '수락' }).click()
    await row.getByText('수락됨').waitFor()
  })

  /** The mentee books the first free time of the `day`-th day offered; answers the time booked. */
  const bookSlot = async (t: Test, day: number, who: Session = me) => {
    const { page } = who
    await page.goto(mentorPath)
    const book = page.getByTestId('book-session')
    await book.getByTestId('book-unavailable').waitFor({ state: 'detached' })
    // the picker opens by itself for a matched mentee once the matches are known; else on request
    const days = book.getByTestId('slot-days').getByRole('button')
    const show = book.getByRole('button', { name: '예약 가능한 시간 보기' })
    // (the button shows while the matches load, then goes: click it only if the days do not come)
    if (!(await days.first().waitFor({ timeout: 8_000 }).then(() => true, () => false))) await show.click({ timeout: 5_000 }).catch(() => {})
    await days.nth(day).click()
    const time = book.getByTestId('slot-times').getByRole('button').first()
    const booked = (await time.textContent())!.trim()
    await time.click()
    await book.getByTestId('slot-selected').waitFor()
    await bookOnceMatched(t, page, book)
    return { book, booked }
  }

  /**
   * The mentee, in a browser of their own (`who`) whose Stripe.js and Toss SDK are the stand-ins, books
   * the `day`-th day's first slot and chooses `provider` on the pay page. Answers the payer and the time booked.
   */
  const choosePaymentSdk = async (t: Test, who: string, day: number, provider: string) => {
    const h = handoff()
    if (!('providerApis' in h)) throw new Error('the stack runs no provider API stand-ins')
    const payer = await session(who, SEOUL)
    await routePaymentSdks(payer.page.context(), h.providerApis)
    await payer.login(mentee.email, mentee.password)
    const { book, booked } = await bookSlot(t, day, payer)
    await book.getByTestId('pay-now').click()
    await payer.page.getByTestId('sandbox-notice').waitFor()
    await payer.page.getByTestId('payment-providers').getByText(provider).click()
    return { payer, booked }
  }

  await journey('the mentee books a paid slot, pays with the sandbox success card and sees the session confirmed', async (t) => {
    const { page, visit } = me
    const { book, booked } = await bookSlot(t, 1)
    await book.getByTestId('booking-outcome').filter({ hasText: '결제 대기' }).waitFor()
    await visit(t, 'held', [/status of 403/])

    await book.getByTestId('pay-now').click()
    await page.waitForURL(/\/payments\/booking\//)
    const summary = page.getByTestId('payment-summary')
    await summary.getByText(mentorName).waitFor()
    t.match(await summary.textContent(), new RegExp(`${booked}.*60분.*30,000원`), 'mentor, time in my zone, length, the server price')
    await page.getByTestId('hold-countdown').filter({ hasText: /남은 시간 \d+:\d\d/ }).waitFor()
    await page.getByTestId('sandbox-notice').filter({ hasText: '테스트 결제 (샌드박스)' }).waitFor()
    t.ok(await page.getByRole('radio', { name: /성공하는 카드/ }).isChecked(), 'the success card is chosen first')
    // the payment is created from meeting's held event: a first 404 BOOKING_NOT_FOUND is retried
    await visit(t, 'pay-page', [/status of 404/])
    await page.getByTestId('pay-button').filter({ hasText: '30,000원 결제하기' }).click()
    await page.getByTestId('payment-result').filter({ hasText: '결제가 완료되었습니다' }).waitFor()
    await visit(t, 'paid')

    // meeting confirms the booking on payment.succeeded (an event): look until it has
    const until = Date.now() + 30_000
    const confirmed = page.getByTestId('sessions-upcoming').getByTestId('session').filter({ hasText: '확정' })
    for (;;) {
      await page.goto('/me?tab=sessions')
      await page.getByTestId('sessions-upcoming').waitFor()
      if (await confirmed.count()) break
      if (Date.now() > until) throw new Error('the session was not confirmed after payment')
      await page.waitForTimeout(1_000)
    }
    t.match(await confirmed.first().textContent(), new RegExp(`${booked}.*확정.*60분`))
    // the video room opens 10 minutes before the start (room.test.ts joins one): no Join link days ahead
    t.equal(await confirmed.first().getByRole('link', { name: '화상 회의 참여' }).count(), 0, 'no join link before the room opens')
    await visit(t, 'confirmed')

    await page.goto('/me?tab=payments')
    const paid = page.getByTestId('my-payments').getByTestId('my-payment').first()
    await paid.waitFor()
    t.match(await paid.textContent(), /30,000원.*결제 완료/, 'my payments: amount and state')
    await page.setViewportSize({ width: 390, height: 844 })
    await visit(t, 'payments-phone')
    await paid.getByRole('button', { name: '자세히' }).click()
    await page.getByTestId('payment-result').filter({ hasText: '결제가 완료되었습니다' }).waitFor()
    await visit(t, 'payment-detail-phone')
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  await journey('a declined card: the failure is explained and the slot is released', async (t) => {
    const { page, visit } = me
    const { book } = await bookSlot(t, 2)
    await book.getByTestId('pay-now').click()
    await page.getByTestId('pay-button').waitFor()
    await page.getByRole('radio', { name: /거절되는 카드/ }).check()
    await page.getByTestId('pay-button').click()
    const result = page.getByTestId('payment-result')
    await result.filter({ hasText: '결제하지 못했습니다' }).waitFor()
    t.match(await result.textContent(), /카드가 거절되었습니다.*자리는 풀립니다/)
    await visit(t, 'declined', [/status of 404/])
    await page.goto('/me?tab=payments')
    await page.getByTestId('my-payment').filter({ hasText: '실패' }).waitFor()
  })

  await journey('a card that needs extra authentication: the challenge is shown, approving pays', async (t) => {
    const { page, visit } = me
    const { book } = await bookSlot(t, 3)
    await book.getByTestId('pay-now').click()
    await page.getByTestId('pay-button').waitFor()
    await page.getByRole('radio', { name: /추가 인증이 필요한 카드/ }).check()
    await page.getByTestId('pay-button').click()
    const challenge = page.getByTestId('payment-authenticate')
    await challenge.waitFor()
    await page.getByTestId('payment-state').filter({ hasText: '인증 필요' }).waitFor()
    await visit(t, 'authenticate', [/status of 404/])
    await challenge.getByRole('button', { name: '인증 승인' }).click()
    await page.getByTestId('payment-result').filter({ hasText: '결제가 완료되었습니다' }).waitFor()
    await visit(t, 'authenticated')
    await me.close()
  })

  await journey('the mentor sees the earning: gross, the 10 % platform fee and the net', async (t) => {
    const { page, visit } = mentor
    await page.goto('/me?tab=earnings')
    const totals = page.getByTestId('earnings-totals')
    await totals.waitFor()
    t.match(await totals.textContent(), /결제액.*60,000원.*플랫폼 수수료.*6,000원.*환불액.*0원.*정산 예정액.*54,000원/)
    t.equal(await page.getByTestId('earnings').locator('tbody tr.ant-table-row').count(), 2, 'the two paid sessions, not the declined one')
    await visit(t, 'earnings')
    await mentor.close()
  })

  await journey('the admin lists every payment and filters them by state (phone)', async (t) => {
    const admin = await session('admin', SEOUL)
    const { page, visit } = admin
    await admin.login(ADMIN_EMAIL, DEMO_PASSWORD)
    // the name is in the drawer menu on phones: sign in on a desktop-sized window first
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto('/admin?tab=payments')
    const rows = page.getByTestId('admin-payments').locator('tbody tr.ant-table-row')
    await rows.first().waitFor()
    t.ok((await rows.count()) >= 3, 'the three payments of this story at least')
    await visit(t, 'payments')
    const failed = page.waitForResponse((r) => r.url().includes('/api/admin/payments') && r.url().includes('state=failed'))
    await page.getByLabel('상태로 거르기').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^실패$/ }).click()
    await failed
    await page.getByTestId('admin-payments').getByText('card_declined').first().waitFor()
    for (const row of await rows.all()) t.match(await row.textContent(), /실패/, 'only failed payments')
    await page.keyboard.press('Escape')
    await visit(t, 'payments-failed')
    await admin.close()
  })
  await journey('Stripe: the Payment Element (stand-in) takes a card, 3-D Secure is completed, the session is confirmed', async (t) => {
    t.comment('Stripe.js and the Toss SDK are local stand-ins of their documented surface (web/test/e2e/standins), served through context.route: the real scripts cannot be loaded here')
    const { payer, booked } = await choosePaymentSdk(t, 'mentee-sdk', 4, '해외 카드 (Stripe)')
    const { page, visit } = payer
    const form = page.getByTestId('stripe-form')
    await form.getByLabel('Card number').fill('4000 0025 0000 3155')
    await form.getByLabel('Expiration date').fill('12 / 34')
    await form.getByLabel('Security code').fill('123')
    await visit(t, 'stripe-form', [/status of 404/])
    await form.getByTestId('pay-button').filter({ hasText: '30,000원 결제하기' }).click()
    // Stripe.js's handleNextAction: the issuer's challenge
    const challenge = page.getByRole('dialog', { name: '3D Secure 2 Test Page' })
    await challenge.waitFor()
    await page.getByTestId('payment-state').filter({ hasText: '인증 필요' }).waitFor()
    await challenge.getByRole('button', { name: 'Complete' }).click()
    await page.getByTestId('payment-result').filter({ hasText: '결제가 완료되었습니다' }).waitFor()
    await visit(t, 'stripe-paid')
    t.match(await waitConfirmed(page, booked), /확정.*60분/, 'the session is confirmed')
    await payer.close()
  })

  await journey('Toss Payments: the widget (stand-in) goes to Toss and back, our server confirms, the session is confirmed', async (t) => {
    t.comment('the Toss SDK is a local stand-in of its documented surface (web/test/e2e/standins/toss.js), served through context.route')
    const { payer, booked } = await choosePaymentSdk(t, 'mentee-toss', 5, '토스페이먼츠')
    const { page, visit } = payer
    const form = page.getByTestId('toss-form')
    await form.getByRole('radio', { name: '신용·체크카드' }).waitFor()
    await visit(t, 'toss-widget', [/status of 404/])
    await form.getByTestId('pay-button').filter({ hasText: '30,000원 결제하기' }).click()
    // Toss' payment window sends the payer to our success page, which confirms, then shows the outcome
    await page.waitForURL(/\/payments\/booking\//)
    await page.getByTestId('payment-result').filter({ hasText: '결제가 완료되었습니다' }).waitFor()
    await visit(t, 'toss-paid')
    t.match(await waitConfirmed(page, booked), /확정.*60분/, 'the session is confirmed')
    await payer.close()
  })
})
