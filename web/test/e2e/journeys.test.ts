// End-to-end: the web app in headless Chromium (Debian's chromium driven by playwright-core) against
// the stack as `npm start` runs it, seeded by `npm run seed`, with a mentor of this file's own
// (accounts.ts). One story, in the order it happens:
//   1. a new user signs up, searches with a Korean keyword, opens the mentor, sends a request,
//      saves preferences and gets recommendations with reasons, changes their name, and applies to
//      become a mentor;
//   2. the mentor signs in, sees the request under the new name, and accepts it; they upload a photo,
//      cropped, and it shows on their card in search (the initials before);
//   3. the new user sees the match ("mentors matched with me") and the recommendations' reasons;
//   4. they exchange chat messages, each appearing for the other in realtime (Firestore), the mentee's
//      room list with the mentor's photo;
//   5. the admin approves the new user's application and finds the searched keyword in the dashboard.
// Every page visited is screenshotted to web/test/artifacts/journeys/ (git-ignored) and checked for the
// accessibility basics: every visible form field has an accessible name; no console errors at all.
import type { Page } from 'playwright-core'
import { ADMIN_EMAIL, createMentor, DEMO_PASSWORD, verifyEmailInBrowser } from './accounts.ts'
import { browserSuite } from './browser.ts'

const KEYWORD = '면접 코칭'

browserSuite('web e2e journeys', { artifacts: 'journeys' }, async (t, { stack, session, journey }) => {
  const stamp = Date.now().toString(36)
  const theMentor = await createMentor(stack.gatewayUrl, { name: `김선배 ${stamp}`, email: `e2e-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-mentor` }, `백엔드 10년차 · ${KEYWORD}`)
  const mentorName = theMentor.name
  const mentee = { name: `후배 ${stamp}`, email: `e2e-${stamp}@sunbae.test`, password: `pw-${stamp}-secret` }
  const oldName = mentee.name
  const requestMessage = `시스템 디자인 면접을 준비하고 있어요 (${stamp})`
  const me = await session('mentee')

  await journey('a new user signs up, searches in Korean, opens a mentor and sends a request', async (t) => {
    const { page, visit } = me
    await page.goto('/no-such-page')
    await page.getByText('페이지를 찾을 수 없습니다').waitFor()
    await visit(t, 'not-found')
    await page.goto('/')
    // English on request, Korean by default (and back).
    await page.getByText('English', { exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Ask a senior in your field, one to one' }).waitFor()
    await visit(t, 'home-en')
    await page.getByText('한국어', { exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '현업 선배에게 1:1로 묻고 배우세요' }).waitFor()
    await visit(t, 'home')
    await page.getByRole('link', { name: '회원가입' }).click()
    await visit(t, 'signup')
    await page.getByLabel('이름').fill(mentee.name)
    await page.getByLabel('이메일').fill(mentee.email)
    await page.getByLabel('비밀번호').fill(mentee.password)
    await page.getByRole('button', { name: '가입하기' }).click()
    await page.getByTestId('whoami').filter({ hasText: mentee.name }).waitFor()
    t.equal(new URL(page.url()).pathname, '/', 'back on the main page, signed in')
    // the link of the verification email sign-up sent: a 1:1 request needs a verified address
    await verifyEmailInBrowser(page, mentee.email)

    await page.getByLabel('멘토 검색').fill(KEYWORD)
    await page.getByLabel('멘토 검색').press('Enter')
    await page.waitForURL((u) => u.searchParams.get('q') === KEYWORD)
    const card = page.getByTestId('mentor-card').filter({ hasText: mentorName })
    await card.waitFor()
    t.ok(await card.locator('mark').count(), 'the matched terms are highlighted')
    t.match(await card.locator('mark').allTextContents(), [/면접|코칭/])
    await visit(t, 'search')

    await card.getByRole('link', { name: mentorName }).click()
    await page.getByRole('heading', { level: 1, name: mentorName }).waitFor()
    await visit(t, 'mentor')
    await page.getByRole('button', { name: '1:1 채팅 요청' }).click()
    await page.getByLabel('멘토에게 보낼 메시지').fill(requestMessage)
    await visit(t, 'request-dialog')
    await page.getByRole('dialog').getByRole('button', { name: '보내기' }).click()
    await page.getByText('요청을 보냈습니다').waitFor()
  })

  await journey('the new user saves preferences, gets recommendations with reasons, and applies as a mentor', async (t) => {
    const { page, visit } = me
    await page.goto('/me')
    await page.getByText(requestMessage).waitFor()
    await page.getByLabel('목표').fill('백엔드 시스템 디자인 면접과 이직 준비')
    await page.getByRole('button', { name: '저장' }).click()
    await page.getByText('저장했습니다').waitFor()
    const reasons = page.getByTestId('reasons').first().locator('li')
    await reasons.first().waitFor()
    t.ok((await reasons.count()) > 0, 'each recommendation lists its reasons')
    await visit(t, 'my-page')

    // a new name after the request was sent (issue 21): the header at once; the mentor's inbox, the
    // match lists and the chat once matching has catalog.user.updated (the next journey)
    const renamed = `새이름 ${stamp}`
    await page.getByTestId('rename').click()
    await page.getByRole('textbox', { name: '이름' }).fill(renamed)
    await page.getByTestId('rename-save').click()
    await page.getByTestId('whoami').filter({ hasText: renamed }).waitFor()
    await page.getByTestId('my-name').filter({ hasText: renamed }).waitFor()
    await visit(t, 'renamed')
    mentee.name = renamed

    await page.getByRole('link', { name: '멘토 지원' }).click()
    await page.getByLabel('한 줄 소개').waitFor()
    await page.getByLabel('한 줄 소개').fill('데이터 엔지니어 3년차')
    await page.getByLabel('자기소개').fill('데이터 파이프라인과 커리어 전환 경험을 나눕니다.')
    await page.getByLabel('기술').fill('airflow')
    await page.getByLabel('기술').press('Enter')
    await visit(t, 'apply')
    await page.getByRole('button', { name: '지원서 제출' }).click()
    await page.getByTestId('application-status').filter({ hasText: '검토 중' }).waitFor()
  })

  const mentor = await session('mentor')
  await journey('the mentor signs in and accepts the request', async (t) => {
    await mentor.login(theMentor.email, theMentor.password, t)
    await mentor.page.goto('/me')
    const row = mentor.page.getByTestId('inbox').locator('tr', { hasText: requestMessage })
    await row.waitFor()
    // the request was sent under the old name; the inbox shows the new one once matching has the rename
    for (let tries = 0; !(await row.filter({ hasText: mentee.name }).count()); tries++) {
      if (tries === 20) throw new Error(`the inbox does not show the new name ${mentee.name}`)
      await new Promise((r) => setTimeout(r, 500))
      await mentor.page.reload()
      await row.waitFor()
    }
    t.equal(await row.filter({ hasText: oldName }).count(), 0, 'the inbox shows the new name, not the old one')
    await mentor.visit(t, 'inbox')
    await row.getByRole('button', { name: '수락' }).click()
    await row.getByText('수락됨').waitFor()
    await mentor.page.getByTestId('matches-mentor').getByText(mentee.name).waitFor()
    await mentor.visit(t, 'accepted')
  })

  await journey('the mentor uploads a photo, cropped square, and it shows in search', async (t) => {
    const { page, visit } = mentor
    // before: search draws the mentor's initials, and requests no image
    await page.goto(`/?q=${encodeURIComponent(KEYWORD)}`)
    const card = page.getByTestId('mentor-card').filter({ hasText: mentorName })
    await card.getByTestId('avatar-initials').waitFor()
    t.equal(await card.getByRole('img', { name: mentorName }).textContent(), '김', 'the family name syllable')

    await page.goto('/me')
    const editor = page.getByTestId('photo-editor')
    await editor.getByTestId('avatar-initials').waitFor()
    // a real 640 × 480 JPEG drawn by the browser's canvas: a square of white on green, off centre
    const jpeg = await page.evaluate(async () => {
      const c = document.createElement('canvas')
      c.width = 640
      c.height = 480
      const g = c.getContext('2d')!
      g.fillStyle = '#22aa66'
      g.fillRect(0, 0, 640, 480)
      g.fillStyle = '#ffffff'
      g.fillRect(380, 120, 200, 200)
      const blob = await new Promise<Blob>((resolve) => c.toBlob((b) => resolve(b!), 'image/jpeg', 0.9))
      return Array.from(new Uint8Array(await blob.arrayBuffer()))
    })
    await page.getByTestId('photo-input').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpeg) })
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('photo-crop').locator('img').waitFor()
    // zoom in with the keyboard and drag the crop towards the white square
    const slider = dialog.getByRole('slider')
    for (let i = 0; i < 10; i++) await slider.press('ArrowRight')
    const area = (await dialog.getByTestId('photo-crop').boundingBox())!
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2)
    await page.mouse.down()
    await page.mouse.move(area.x + area.width / 2 - 60, area.y + area.height / 2, { steps: 5 })
    await page.mouse.up()
    await visit(t, 'photo-crop')
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/mentors/me/photo') && r.request().method() === 'PUT')
    await dialog.getByRole('button', { name: '이 영역으로 저장' }).click()
    const put = await saved
    t.equal(put.status(), 200, 'PUT /api/mentors/me/photo')
    t.equal(put.request().headers()['content-type'], 'image/jpeg', 'the cropped square, as a JPEG')
    await page.getByText('사진을 저장했습니다').waitFor()
    const mine = editor.getByTestId('avatar-photo')
    await mine.waitFor()
    await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await mine.elementHandle())
    await visit(t, 'photo-saved')

    // search's index follows catalog.mentor.updated: the card shows the photo, sized before it loads
    const photo = card.getByTestId('avatar-photo')
    for (let tries = 0; ; tries++) {
      await page.goto(`/?q=${encodeURIComponent(KEYWORD)}`)
      await card.waitFor()
      if (await photo.count()) break
      if (tries === 20) throw new Error('search does not show the photo')
      await new Promise((r) => setTimeout(r, 500))
    }
    t.match(await photo.evaluate((img: HTMLImageElement) => ({ width: img.getAttribute('width'), height: img.getAttribute('height'), loading: img.loading, decoding: img.decoding, alt: img.alt })),
      { width: '56', height: '56', loading: 'lazy', decoding: 'async', alt: mentorName })
    await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await photo.elementHandle())
    const served = await page.request.get(await photo.evaluate((img: HTMLImageElement) => img.currentSrc))
    t.equal(served.headers()['content-type'], 'image/webp')
    t.equal(served.headers()['cache-control'], 'public, max-age=31536000, immutable', 'through the gateway, cached as immutable')
    await visit(t, 'search-photo')
  })

  await journey('the new user sees the match and the reasons of the recommendations', async (t) => {
    const { page, visit } = me
    await page.goto('/me?tab=mentee')
    await page.getByTestId('matches-mentee').getByRole('link', { name: mentorName }).waitFor()
    const first = page.getByTestId('reasons').first().locator('li')
    await first.first().waitFor()
    t.ok((await first.count()) > 0, 'recommendations keep their reasons')
    await visit(t, 'matched')
    // A phone-sized look at the same page (drawer menu instead of the header menu).
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('button', { name: 'menu' }).waitFor()
    await visit(t, 'matched-phone')
  })

  await journey('mentee and mentor exchange chat messages that appear for the other in realtime', async (t) => {
    const { page, visit } = me
    await page.setViewportSize({ width: 1280, height: 900 })
    // The room opens when chat-bridge has handled the accepted request: poll the room list.
    const openRoom = async (p: Page, partner: string) => {
      const deadline = Date.now() + 30_000
      for (;;) {
        await p.goto('/chat')
        const link = p.getByTestId('chat-rooms').getByRole('button', { name: partner })
        if (await link.waitFor({ timeout: 3_000 }).then(() => true, () => false)) {
          await link.click()
          break
        }
        if (Date.now() > deadline) throw new Error(`no chat room with ${partner}`)
      }
      await p.getByLabel('메시지 입력').waitFor()
      t.comment(`room with ${partner} open after ${((Date.now() - deadline + 30_000) / 1000).toFixed(1)} s`)
    }
    await openRoom(mentor.page, mentee.name)
    await openRoom(page, mentorName)
    // the mentee's room list and the room's header draw the mentor's photo
    await page.getByTestId('chat-rooms').getByTestId('avatar-photo').waitFor()
    await visit(t, 'chat-room')

    const hello = `안녕하세요 선배님! (${stamp})`
    await page.getByLabel('메시지 입력').fill(hello)
    await page.getByLabel('메시지 입력').press('Enter')
    await mentor.page.getByTestId('chat-messages').getByText(hello).waitFor()
    t.pass('the mentor sees the message without reloading')
    const reply = `반가워요, 무엇이든 물어보세요 (${stamp})`
    await mentor.page.getByLabel('메시지 입력').fill(reply)
    await mentor.page.getByRole('button', { name: '보내기' }).click()
    await page.getByTestId('chat-messages').getByText(reply).waitFor()
    t.pass('the mentee sees the reply without reloading')
    await mentor.visit(t, 'chat')
    await visit(t, 'chat-reply')
    await mentor.close()
  })

  await journey('the admin approves the application and sees the searched keyword in the dashboard', async (t) => {
    const admin = await session('admin')
    await admin.login(ADMIN_EMAIL, DEMO_PASSWORD, t)
    await admin.page.goto('/admin?tab=applications')
    const row = admin.page.getByTestId('applications').locator('tr', { hasText: mentee.email })
    await row.waitFor()
    await admin.visit(t, 'applications')
    await row.getByRole('button', { name: '승인' }).click()
    await row.waitFor({ state: 'detached' })

    // The search reached tracking through the gateway's access log on NATS: poll until it shows.
    const deadline = Date.now() + 30_000
    let found = false
    while (!found && Date.now() < deadline) {
      await admin.page.goto('/admin?tab=keywords')
      const table = admin.page.getByTestId('top-keywords')
      await Promise.race([table.waitFor().catch(() => {}), admin.page.getByText('아직 아무것도 없습니다').first().waitFor().catch(() => {})])
      found = (await table.getByRole('cell', { name: '면접', exact: true }).count()) > 0
      if (!found) await new Promise((r) => setTimeout(r, 1500))
    }
    t.ok(found, 'the searched keyword is in the top keywords')
    await admin.visit(t, 'keywords')
    await admin.page.goto('/admin?tab=traffic')
    await admin.page.getByTestId('chart-requests').waitFor()
    await admin.visit(t, 'traffic')
    for (const tab of ['requests', 'audit', 'errors', 'slow']) {
      await admin.page.goto(`/admin?tab=${tab}`)
      await admin.page.getByRole('tab', { selected: true }).waitFor()
      await admin.visit(t, tab)
    }
    // The approval made the applicant a mentor: the users list says so.
    await admin.page.goto('/admin?tab=users')
    await admin.page.getByLabel('이메일 또는 이름으로 검색').fill(mentee.email)
    await admin.page.getByLabel('이메일 또는 이름으로 검색').press('Enter')
    const user = admin.page.getByRole('row').filter({ hasText: mentee.email })
    await user.getByText('멘토', { exact: true }).waitFor()
    await admin.visit(t, 'users')
    await admin.close()
  })

  await me.close()
})
