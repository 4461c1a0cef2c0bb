// End-to-end: booking a session, in headless Chromium against the stack `npm start` runs, shared by
// the journey files (browser.ts), with a mentor of this file's own (accounts.ts). One story:
//   1. the mentor opens their schedule (none yet), offers 30 and 60 minute sessions on
//      weekdays 09:00–18:00 Seoul time, free, and saves it;
//   2. a new user opens the mentor page: the slots show, but booking is refused with the reason (no
//      match yet); they request a chat and the mentor accepts;
//   3. the mentee picks a day and a time in their own zone and books; the free session is confirmed
//      at once and is in their upcoming sessions with its .ics entry (the video room opens later);
//   4. the mentor sees it in their sessions too (desktop and phone);
//   5. the mentee moves it to another day (the old one is in the past ones as rescheduled);
//   6. the mentee cancels with a reason, sees "nothing paid, nothing to refund" first, and the session
//      moves to the past ones as cancelled.
// Screenshots go to web/test/artifacts/meetings/; every page is checked for unlabeled fields and
// console errors (browser.ts).
import fs from 'node:fs'
import { createMentor } from './accounts.ts'
import { bookOnceMatched, browserSuite } from './browser.ts'

browserSuite('web e2e: booking a session', { artifacts: 'meetings' }, async (t, { stack, session, journey }) => {
  const stamp = Date.now().toString(36)
  const theMentor = await createMentor(stack.gatewayUrl, { name: `박선배 ${stamp}`, email: `e2e-meet-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-mentor` }, '백엔드 10년차 · 면접 코칭')
  const mentorName = theMentor.name
  const mentee = { name: `예약 후배 ${stamp}`, email: `e2e-meet-${stamp}@sunbae.test`, password: `pw-${stamp}-secret` }
  const mentor = await session('mentor', { timezoneId: 'Asia/Seoul', acceptDownloads: true })
  const me = await session('mentee', { timezoneId: 'Asia/Seoul', acceptDownloads: true })

  let mentorPath = ''
  await journey('the mentor sets up a schedule: weekdays 09:00–18:00 Seoul, 30 and 60 minutes, free', async (t) => {
    const { page, visit } = mentor
    await mentor.login(theMentor.email, theMentor.password)
    await page.goto('/me?tab=availability')
    await page.getByText('아직 예약 일정이 없습니다').waitFor()
    await page.getByTestId('weekly-mon').getByText('월요일').waitFor()
    t.equal(await page.getByTestId('weekly-sat').getByText('쉬는 날').count(), 1, 'weekends start as days off')
    // no schedule yet is a 404 NO_AVAILABILITY from the API
    await visit(t, 'availability-new', [/status of 404/])
    // a second length, and one date off (an override)
    await page.getByLabel('제공하는 세션 길이 (분)').click()
    // antd draws the options as divs (role=option only on an offscreen a11y copy)
    const option = (text: string) => page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${text}$`) })
    await option('30분').click()
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: '예외 날짜 추가' }).click()
    await page.getByTestId('overrides').locator('input[type=date]').fill('2030-01-01')
    // the client refuses hours that end before they start, before the server would
    await page.getByRole('button', { name: '시간 추가' }).first().click()
    await page.getByLabel('월요일 2 종료').click()
    // the list is virtual (scrolled to the current value): search for the time first
    await page.keyboard.type('00:15')
    await option('00:15').click()
    await page.getByTestId('weekly-mon').getByText('종료 시각이 시작 시각보다 늦어야 합니다').waitFor()
    await page.getByRole('button', { name: '월요일 2 삭제' }).click()
    t.equal(await page.getByTestId('weekly-mon').getByText('종료 시각이 시작 시각보다 늦어야 합니다').count(), 0, 'the problem goes with the row')
    await visit(t, 'availability-edit')
    await page.getByRole('button', { name: '저장' }).click()
    await page.getByText('저장했습니다').waitFor()
    await page.reload()
    await page.getByTestId('availability').getByText('30분').waitFor()
    t.equal(await page.getByText('아직 예약 일정이 없습니다').count(), 0, 'the saved schedule is loaded back')
    t.equal(await page.getByTestId('overrides').locator('input[type=date]').inputValue(), '2030-01-01')
    await visit(t, 'availability-saved')
  })

  await journey('a new user sees the slots but may not book before a match; the mentor accepts their request', async (t) => {
    const { page, visit } = me
    await me.signUp(mentee)
    await page.goto(`/?q=${encodeURIComponent('면접 코칭')}`)
    await page.getByTestId('mentor-card').filter({ hasText: mentorName }).getByRole('link', { name: mentorName }).click()
    await page.getByRole('heading', { level: 1, name: mentorName }).waitFor()
    mentorPath = new URL(page.url()).pathname
    const book = page.getByTestId('book-session')
    // not matched: the times load on request
    await book.getByRole('button', { name: '예약 가능한 시간 보기' }).click()
    await book.getByTestId('slot-times').getByRole('button').first().waitFor()
    await book.getByText('멘토의 시간대: Asia/Seoul').waitFor()
    // the same slots seen from New York: 09:00–17:00 in Seoul is 19:00–03:00 there (EST, -14 h)
    const firstTime = book.getByTestId('slot-times').getByRole('button').first()
    t.match((await firstTime.textContent())!.trim(), /^(09|1[0-7]):[0-5]\d$/, 'shown in the browser zone (Seoul) first')
    const newYork = page.waitForResponse((r) => r.url().includes('/slots') && r.url().includes('tz=America%2FNew_York'))
    await book.getByLabel('표시 시간대').click()
    await page.keyboard.type('America/New_York')
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^America\/New_York$/ }).click()
    await newYork
    await firstTime.filter({ hasText: /^(19|2[0-3]|0[0-3]):[0-5]\d$/ }).waitFor()
    t.pass('and in New York time once that zone is chosen')
    await book.getByTestId('book-unavailable').filter({ hasText: '매칭된 멘티만' }).waitFor()
    await book.getByTestId('slot-times').getByRole('button').first().click()
    t.ok(await book.getByRole('button', { name: '예약하기' }).isDisabled(), 'no booking without an active match')
    await visit(t, 'mentor-page-unmatched')

    await page.getByRole('button', { name: '1:1 채팅 요청' }).click()
    await page.getByLabel('멘토에게 보낼 메시지').fill(`세션 예약하고 싶어요 (${stamp})`)
    await page.getByRole('dialog').getByRole('button', { name: '보내기' }).click()
    await page.getByText('요청을 보냈습니다').waitFor()

    await mentor.page.goto('/me')
    const row = mentor.page.getByTestId('inbox').locator('tr', { hasText: stamp })
    await row.getByRole('button', { name: '수락' }).click()
    await row.getByText('수락됨').waitFor()
  })

  let booked = ''
  await journey('the matched mentee picks a day and a time in their zone and books a free session', async (t) => {
    const { page, visit } = me
    await page.goto(mentorPath)
    const book = page.getByTestId('book-session')
    // matched now: the times show without asking
    await book.getByTestId('slot-times').getByRole('button').first().waitFor()
    t.equal(await book.getByRole('button', { name: '예약 가능한 시간 보기' }).count(), 0)
    await book.getByTestId('book-unavailable').waitFor({ state: 'detached' })
    // the 60-minute length, the second day offered, its first time
    const sixty = page.waitForResponse((r) => r.url().includes('/slots') && r.url().includes('duration=60'))
    await book.getByText('60분').click()
    await sixty
    await book.getByTestId('slot-times').getByRole('button').first().waitFor()
    const days = book.getByTestId('slot-days').getByRole('button')
    await days.nth(1).click()
    const time = book.getByTestId('slot-times').getByRole('button').first()
    booked = (await time.textContent())!.trim()
    t.match(booked, /^(09|1[0-7]):[0-5]\d$/, 'a weekday time within 09:00–18:00 Seoul')
    await time.click()
    await book.getByTestId('slot-selected').waitFor()
    await visit(t, 'slot-picked')
    await bookOnceMatched(t, page, book)
    await book.getByTestId('booking-outcome').filter({ hasText: '예약이 확정되었습니다' }).waitFor()
    // refused attempts (403 NO_ACTIVE_MATCH) are logged by the browser
    await visit(t, 'booked', [/status of 403/])
    await book.getByRole('link', { name: '내 세션 보기' }).click()
    const item = page.getByTestId('sessions-upcoming').getByTestId('session').first()
    await item.waitFor()
    t.match(await item.textContent(), new RegExp(`${booked}.*확정.*멘티로 참여.*${mentorName.split(' ')[0]}.*60분.*무료`), 'upcoming: time, state, side, mentor, length, price')
    // the video room opens 10 minutes before the start (room.test.ts joins one)
    t.equal(await item.getByRole('link', { name: '화상 회의 참여' }).count(), 0, 'no join link days before the session')
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('button', { name: '캘린더에 추가 (.ics)' }).click()])
    const ics = fs.readFileSync((await download.path())!, 'utf8')
    t.match(ics, /BEGIN:VCALENDAR[\s\S]*BEGIN:VEVENT/, 'the .ics entry is a calendar event')
    await visit(t, 'sessions')
  })

  await journey('the mentor sees the session in their sessions, on desktop and phone', async (t) => {
    const { page, visit } = mentor
    await page.goto('/me?tab=sessions')
    const item = page.getByTestId('sessions-upcoming').getByTestId('session').filter({ hasText: mentee.name })
    await item.waitFor()
    t.match(await item.textContent(), new RegExp(`${booked}.*확정.*멘토로 진행`))
    await visit(t, 'sessions')
    await page.setViewportSize({ width: 390, height: 844 })
    await item.getByRole('button', { name: '세션 취소' }).waitFor()
    await visit(t, 'sessions-phone')
    await mentor.close()
  })

  await journey('the mentee moves the session to another day, with a reason', async (t) => {
    const { page, visit } = me
    await page.getByTestId('sessions-upcoming').getByTestId('session').first().getByRole('button', { name: '일정 변경' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('slot-days').getByRole('button').nth(2).click()
    t.equal(await dialog.getByText('세션 길이').count(), 0, 'a rescheduled session keeps its length')
    const time = dialog.getByTestId('slot-times').getByRole('button').first()
    const moved = (await time.textContent())!.trim()
    await time.click()
    await dialog.getByLabel('변경 사유 (상대에게 보입니다)').fill('회의가 생겼어요')
    await visit(t, 'reschedule-dialog')
    await dialog.getByRole('button', { name: '이 시간으로 변경' }).click()
    await page.getByText('일정을 변경했습니다').waitFor()
    const next = page.getByTestId('sessions-upcoming').getByTestId('session').filter({ hasText: '변경된 일정' })
    await next.waitFor()
    t.match(await next.textContent(), new RegExp(`${moved}.*확정`), 'the new time, confirmed')
    await page.getByTestId('sessions-past').getByTestId('session').filter({ hasText: '일정 변경됨' }).waitFor()
    t.equal(await page.getByTestId('sessions-upcoming').getByTestId('session').count(), 1, 'the old time left the upcoming ones')
    await visit(t, 'rescheduled')
  })

  await journey('the mentee cancels with a reason after seeing the refund outcome; the session moves to the past', async (t) => {
    const { page, visit } = me
    const item = page.getByTestId('sessions-upcoming').getByTestId('session').first()
    await item.getByRole('button', { name: '세션 취소' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('refund-preview').filter({ hasText: '결제된 금액이 없어' }).waitFor()
    await dialog.getByLabel('취소 사유 (상대에게 보입니다)').fill('일정이 겹쳤어요')
    await visit(t, 'cancel-dialog')
    await dialog.getByRole('button', { name: '세션 취소하기' }).click()
    await page.getByText('세션을 취소했습니다').waitFor()
    const past = page.getByTestId('sessions-past').getByTestId('session').filter({ hasText: '취소됨' })
    await past.waitFor()
    t.match(await past.textContent(), /멘티가 취소.*일정이 겹쳤어요/)
    await page.getByText('예정된 세션이 없습니다').waitFor()
    await visit(t, 'cancelled')
  })

  await me.close()
})
