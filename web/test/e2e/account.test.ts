// End-to-end: the account's lifecycle, in headless Chromium against the shared stack (browser.ts),
// with an account of this file's own. Forgot password → Firebase's reset email (the Auth emulator
// keeps the out-of-band code instead of mailing it: read from its REST API, as the link in the mail
// would carry it) → our action page (/auth/action?mode=resetPassword&oobCode=…) → a new password →
// sign in with it; the old password and a second use of the link are refused. Sign-up sends
// Firebase's verification email; my page says the address is not verified and sends it again on
// request; the newest code, on the same action page, verifies the address and the notice goes.
// Delete my account: typed confirmation on my page → signed out on the home page with a notice; the
// old token is refused, the account cannot sign in, and the mentor it wrote to no longer sees its name.
import type { Test } from 'tap'
import { ADMIN_EMAIL, api, DEMO_PASSWORD, demoMentorId, identityToolkit, idToken, until } from './accounts.ts'
import { browserSuite } from './browser.ts'

const authEmulator = () => process.env.FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099'
const project = () => process.env.FIREBASE_PROJECT_ID ?? 'demo-sunbae'

interface OobCode {
  email: string
  oobCode: string
  oobLink: string
  requestType: string
}

/** The Auth emulator's out-of-band codes (what its emails would carry), newest last. */
async function oobCodes(): Promise<OobCode[]> {
  const res = await fetch(`http://${authEmulator()}/emulator/v1/projects/${project()}/oobCodes`)
  return ((await res.json()) as { oobCodes: OobCode[] }).oobCodes
}

/** The account's emailVerified, as Firebase Auth holds it (the emulator's admin API). */
async function emailVerified(email: string): Promise<boolean> {
  const res = await fetch(`http://${authEmulator()}/identitytoolkit.googleapis.com/v1/projects/${project()}/accounts:lookup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
    body: JSON.stringify({ email: [email] }),
  })
  return ((await res.json()) as { users: Array<{ emailVerified?: boolean }> }).users[0]?.emailVerified === true
}

browserSuite('web e2e: account lifecycle', { artifacts: 'account' }, async (t, { stack, session, journey }) => {
  const stamp = Date.now().toString(36)
  const USER = { name: `재설정 ${stamp}`, email: `e2e-reset-${stamp}@sunbae.test`, password: `pw-${stamp}-old` }
  const NEW_PASSWORD = `pw-${stamp}-new`
  await identityToolkit('accounts:signUp', { email: USER.email, password: USER.password, displayName: USER.name })
  const me = await session('user')

  const NEWCOMER = { name: `확인 ${stamp}`, email: `e2e-verify-${stamp}@sunbae.test`, password: `pw-${stamp}-verify` }
  const newcomer = await session('newcomer')
  await journey('sign-up sends the verification email; my page sends it again; its link verifies the address', async (t: Test) => {
    const { page, visit } = newcomer
    const codes = async () => (await oobCodes()).filter((c) => c.email === NEWCOMER.email && c.requestType === 'VERIFY_EMAIL')
    await newcomer.signUp(NEWCOMER, { verify: false })
    await until('the verification code sent at sign-up', async () => (await codes()).length === 1 || null, 60_000)
    t.equal(await emailVerified(NEWCOMER.email), false, 'not verified before the link')

    // browsing is open, a 1:1 request is not: the dialog says why, and where to verify (403 EMAIL_UNVERIFIED)
    const mentorPath = `/mentors/${await demoMentorId(stack.gatewayUrl)}`
    const requestMessage = `확인 전 요청 (${stamp})`
    await page.goto(mentorPath)
    await page.getByRole('button', { name: '1:1 채팅 요청' }).click()
    await page.getByLabel('멘토에게 보낼 메시지').fill(requestMessage)
    await page.getByRole('dialog').getByRole('button', { name: '보내기' }).click()
    const gate = page.getByRole('dialog').getByTestId('verify-required')
    await gate.getByText('이메일 주소를 확인해야 1:1 요청을 보내거나 결제할 수 있습니다.').waitFor()
    t.equal(await gate.getByRole('link', { name: '마이페이지에서 확인하기' }).getAttribute('href'), '/me', 'the way to verify')
    t.equal(await page.getByText('요청을 보냈습니다').count(), 0, 'not sent')
    // "I've opened the link" before opening it: the session asks Firebase again and says it is not verified yet
    await gate.getByRole('button', { name: '링크를 눌렀어요' }).click()
    await page.getByText('아직 확인되지 않았어요. 메일의 링크를 눌러 주세요.').waitFor()
    await visit(t, 'request-unverified', [/status of 403/])

    await page.goto('/me')
    const notice = page.getByTestId('verify-email')
    await notice.getByText('이메일 주소가 아직 확인되지 않았습니다.', { exact: false }).waitFor()
    await visit(t, 'me-unverified')
    await notice.getByRole('button', { name: '확인 메일 다시 보내기' }).click()
    await page.getByText(`${NEWCOMER.email} 주소로 확인 메일을 보냈습니다.`).waitFor()
    const again = await until('the second verification code', async () => {
      const all = await codes()
      return all.length >= 2 ? all.at(-1)! : null
    }, 60_000)

    await page.goto(`/auth/action?mode=verifyEmail&oobCode=${encodeURIComponent(again.oobCode)}`)
    await page.getByText('이메일 주소를 확인했습니다.').waitFor()
    await visit(t, 'verified')
    t.equal(await emailVerified(NEWCOMER.email), true, 'verified in Firebase Auth')
    await page.goto('/me')
    await page.getByText(NEWCOMER.email).first().waitFor()
    t.equal(await page.getByTestId('verify-email').count(), 0, 'my page no longer asks')

    // verified: the same request goes
    await page.goto(mentorPath)
    await page.getByRole('button', { name: '1:1 채팅 요청' }).click()
    await page.getByLabel('멘토에게 보낼 메시지').fill(requestMessage)
    await page.getByRole('dialog').getByRole('button', { name: '보내기' }).click()
    await page.getByText('요청을 보냈습니다').waitFor()
  })

  await journey('forgot password → the emailed code → a new password → sign in with it', async (t: Test) => {
    const { page, visit } = me
    await page.goto('/login')
    await page.getByRole('link', { name: '비밀번호를 잊으셨나요?' }).click()
    await page.waitForURL('**/forgot-password')
    await visit(t, 'forgot')
    await page.getByLabel('이메일').fill(USER.email)
    await page.getByRole('button', { name: '재설정 링크 보내기' }).click()
    await page.getByText(`${USER.email} 주소로 가입된 계정이 있으면`).waitFor()
    await visit(t, 'forgot-sent')

    const sent = await until('the reset code in the Auth emulator', async () =>
      (await oobCodes()).filter((c) => c.email === USER.email && c.requestType === 'PASSWORD_RESET').at(-1),
    60_000)
    t.match(sent.oobLink, /mode=resetPassword/, 'the emailed link is a password reset')
    t.match(decodeURIComponent(sent.oobLink), /continueUrl=http:\/\/127\.0\.0\.1:\d+\/login/, 'and leads back to our login page')

    const action = `/auth/action?mode=resetPassword&oobCode=${encodeURIComponent(sent.oobCode)}`
    await page.goto(action)
    await page.getByText(`${USER.email} 계정의 새 비밀번호를 입력하세요.`).waitFor()
    await visit(t, 'reset')
    await page.getByLabel('새 비밀번호').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: '비밀번호 바꾸기' }).click()
    await page.getByText('비밀번호를 바꿨습니다. 새 비밀번호로 로그인하세요.').waitFor()
    await visit(t, 'reset-done')

    // the code works once
    await page.goto(action)
    await page.getByText('이 링크는 만료되었거나 이미 사용되었습니다').waitFor()
    await visit(t, 'reset-used', [/status of 400/])

    await t.rejects(idToken(USER.email, USER.password), /INVALID_LOGIN_CREDENTIALS|INVALID_PASSWORD/, 'the old password no longer signs in')
    await me.login(USER.email, NEW_PASSWORD, t)
    t.pass('signed in with the new password')
  })

  // Delete my account (issue 21, PIPA / GDPR): the verified newcomer above sent the demo mentor a
  // request, so the mentor's inbox, their notifications and the admin's user list name them; after
  // the deletion none of them does, the old token is refused and the account cannot sign in.
  await journey('delete my account: confirmed by typing, signed out to the home page, gone everywhere', async (t: Test) => {
    const { page, visit } = newcomer
    const mentorToken = await idToken('mentor@sunbae.test', DEMO_PASSWORD)
    const adminToken = await idToken(ADMIN_EMAIL, DEMO_PASSWORD)
    const named = async () => {
      const inbox = await api(stack.gatewayUrl, 'GET', '/api/matching/requests?box=inbox&pageSize=100', mentorToken)
      const feed = await api(stack.gatewayUrl, 'GET', '/api/notifications?limit=100', mentorToken)
      const users = await api(stack.gatewayUrl, 'GET', `/api/admin/users?q=${encodeURIComponent(NEWCOMER.email)}`, adminToken)
      const text = JSON.stringify([inbox.json, feed.json, users.json])
      return { inbox: JSON.stringify(inbox.json).includes(NEWCOMER.name), feed: JSON.stringify(feed.json).includes(NEWCOMER.name), any: text.includes(NEWCOMER.name) || text.includes(NEWCOMER.email) }
    }
    await until("the mentor's inbox and feed name the newcomer", async () => {
      const n = await named()
      return (n.inbox && n.feed) || null
    }, 60_000)
    const oldToken = await idToken(NEWCOMER.email, NEWCOMER.password)

    await page.goto('/me')
    const zone = page.getByTestId('danger-zone')
    await zone.getByRole('button', { name: '계정 삭제' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('확인을 위해 DELETE 를 입력하세요.').waitFor()
    const ok = dialog.getByRole('button', { name: '영구 삭제' })
    t.ok(await ok.isDisabled(), 'nothing happens until the word is typed')
    await dialog.getByTestId('delete-account-word').fill('delete')
    t.ok(await ok.isDisabled(), 'the word must be exact')
    await visit(t, 'delete-confirm')
    await dialog.getByTestId('delete-account-word').fill('DELETE')
    await ok.click()
    await page.getByTestId('account-deleted').waitFor()
    t.equal(new URL(page.url()).pathname, '/', 'on the home page')
    t.equal(await page.getByTestId('whoami').count(), 0, 'signed out')
    // requests of my page that met the refused token while the deletion went on
    await visit(t, 'deleted', [/status of 401/, /status of 410/])

    const refused = await api(stack.gatewayUrl, 'GET', '/api/me', oldToken)
    t.equal(refused.status, 401, 'the token from before the deletion is refused at once')
    await t.rejects(idToken(NEWCOMER.email, NEWCOMER.password), /EMAIL_NOT_FOUND|USER_NOT_FOUND|INVALID_LOGIN_CREDENTIALS/, 'the account can no longer sign in')
    await until('no service answers with the name or email any more', async () => !(await named()).any || null, 60_000)
    t.pass("the mentor's inbox and notifications and the admin's user list no longer show the name or email")
  })
})
