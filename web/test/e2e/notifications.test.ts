// End-to-end: notifications, in headless Chromium against the stack `npm start` runs (browser.ts), with
// a mentor and a mentee of this file's own (accounts.ts) and the stack's SMTP sink (scripts/start.ts
// writes every email to <the stack's run dir>/mail/*.eml). Not the seeded demo accounts: the Auth and
// Firestore emulators outlive a stack and are shared by every stack on the machine, so a seeded
// account keeps its uid — and the notifications other stacks wrote to users/{uid}/notifications —
// across runs, and the bell would count those too. One story:
//   1. the mentor starts from a read feed ("mark all read" on /notifications: the bell shows 0);
//   2. the mentee sends a 1:1 request → the mentor's bell shows 1 and the feed lists it, without a
//      reload; the sink holds the mentor's email, in Korean, with the mentee's message;
//   3. the mentor opens the notification (marked read, taken to the inbox) and accepts → the mentee's
//      bell goes up, live;
//   4. a paid booking (sandbox success card, through the API: payments.test.ts drives those pages) is
//      confirmed → both get an email whose .ics invite starts when the booking does; the mentee's
//      notification opens the session, confirmed;
//   5. the mentee switches chat email off and sets quiet hours on my page (receipts cannot be off);
//   6. the unsubscribe link of the mentor's email: the page says what it stops and does it; a
//      tampered link is refused.
// Every page visited is screenshotted to web/test/artifacts/notifications/ and checked (browser.ts).
import { randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { Page } from 'playwright-core'
import { api, createMentor, idToken, until } from './accounts.ts'
import { browserSuite } from './browser.ts'

const SEOUL = { timezoneId: 'Asia/Seoul' }
/** the bound of a wait for events between services (the stack is warm by then: createMentor waited for it) */
const EVENTS = 60_000

/**
 * The emails the sink stored since `since`, parsed (a file still being written fails to parse and is
 * read again next time). The folder outlives a run: its files are named `<ISO time>-<uuid>.eml`
 * (notification's mail/sink.ts), so older runs' are left out by name.
 */
async function mails(dir: string, since: Date): Promise<ParsedMail[]> {
  const from = since.toISOString().replace(/[:.]/g, '-')
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml') && f >= from)
  const parsed = await Promise.all(files.map((f) => readFile(path.join(dir, f)).then((b) => simpleParser(b)).catch(() => null)))
  return parsed.filter((m): m is ParsedMail => m !== null)
}

const recipients = (m: ParsedMail): string[] => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''))

/** The calendar entries a mail carries (the invite is sent as the text/calendar alternative and attached as an .ics). */
const calendars = (m: ParsedMail): string[] =>
  m.attachments.filter((a) => a.contentType.startsWith('text/calendar') || a.filename?.endsWith('.ics')).map((a) => a.content.toString('utf8'))

/** An instant as an iCalendar UTC date-time: 2026-12-10T06:00:00.000Z → 20261210T060000Z */
const icalUtc = (iso: string): string => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

/** The bell's unread count once its first Firestore snapshot has come. */
async function bellCount(page: Page): Promise<number> {
  const bell = page.getByTestId('notification-bell')
  await bell.and(page.locator('[data-unread]:not([data-unread=""])')).waitFor()
  return Number(await bell.getAttribute('data-unread'))
}

/** Waits until the bell shows `n` unread (Firestore pushes it: the page is not reloaded). */
const bellShows = (page: Page, n: number) => page.locator(`[data-testid="notification-bell"][data-unread="${n}"]`).waitFor()

/** Marks the document so a later check can tell the page was not reloaded in between. */
const markDocument = (page: Page) => page.evaluate(() => ((window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument = true))
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument === true)

browserSuite('web e2e: notifications', { artifacts: 'notifications' }, async (t, { stack, session, journey }) => {
  const { gatewayUrl } = stack
  // scripts/start.ts: MAIL_DIR, else <the parent of its log folder>/mail (the e2e stack sets no MAIL_DIR)
  const mailDir = path.join(path.dirname(stack.logDir), 'mail')
  const started = new Date()
  const stamp = started.getTime().toString(36)
  const MENTOR = await createMentor(gatewayUrl, { name: `알림선배 ${stamp}`, email: `e2e-notif-mentor-${stamp}@sunbae.test`, password: `pw-${stamp}-mentor` }, '백엔드 10년차 · 면접 코칭')
  const MENTEE = { name: `알림후배 ${stamp}`, email: `e2e-notif-${stamp}@sunbae.test`, password: `pw-${stamp}-secret` }
  const requestMessage = `알림 여정: 시스템 디자인 면접을 준비하고 있어요 (${stamp})`
  const mentor = await session('mentor', SEOUL)
  const me = await session('mentee', SEOUL)
  const mentorId = MENTOR.id

  await journey('the mentor offers paid sessions and starts from a read feed (bell: 0)', async (t) => {
    const token = await idToken(MENTOR.email, MENTOR.password)
    const day = [{ start: '09:00', end: '18:00' }]
    const availability = { timezone: 'Asia/Seoul', weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }, overrides: [], durations: [60], pricePerHour: 30_000 }
    const published = await api(gatewayUrl, 'PUT', '/api/meetings/availability', token, availability)
    t.equal(published.status, 200, JSON.stringify(published.json))
    // being approved is the mentor's first notification: the count below starts after it
    await until('the approval notification', async () => (await api(gatewayUrl, 'GET', '/api/notifications', token)).json?.items?.some((n: { type: string }) => n.type === 'catalog.mentor.approved'), EVENTS)

    const { page, visit } = mentor
    await mentor.login(MENTOR.email, MENTOR.password, t)
    await page.getByTestId('notification-bell').click()
    await page.waitForURL('**/notifications')
    await page.getByTestId('notification').first().waitFor()
    await visit(t, 'feed-before')
    await page.getByRole('button', { name: '모두 읽음으로 표시' }).click()
    await page.getByTestId('notifications-unread').filter({ hasText: '모두 읽었습니다' }).waitFor()
    // the read mark reaches Firestore through the feed sync, and the bell follows
    await bellShows(page, 0)
    t.equal(await page.locator('[data-testid="notification"][data-unread="true"]').count(), 0, 'nothing unread in the feed')
    await visit(t, 'feed-all-read')
    await markDocument(page)
  })

  let menteeUnread = 0
  let unsubscribePath = ''
  await journey("the mentee sends a request: the mentor's bell shows 1 without a reload, and a Korean email holds the message", async (t) => {
    const { page, visit } = me
    await me.signUp(MENTEE)
    await page.goto(`/mentors/${mentorId}`)
    await page.getByRole('button', { name: '1:1 채팅 요청' }).click()
    await page.getByLabel('멘토에게 보낼 메시지').fill(requestMessage)
    await page.getByRole('dialog').getByRole('button', { name: '보내기' }).click()
    await page.getByText('요청을 보냈습니다').waitFor()
    menteeUnread = await bellCount(page)
    await markDocument(page)

    const m = mentor.page
    await bellShows(m, 1)
    // the open feed refreshes as the count changes
    const row = m.getByTestId('notification').filter({ hasText: '새 1:1 요청' })
    await row.filter({ hasText: stamp }).waitFor()
    t.equal(await row.first().getAttribute('data-unread'), 'true', 'marked unread')
    t.ok(await sameDocument(m), 'the mentor did not reload')
    await mentor.visit(t, 'bell-1')

    const mail = await until("the mentor's email in the sink", async () =>
      (await mails(mailDir, started)).find((x) => recipients(x).includes(MENTOR.email) && (x.text ?? '').includes(requestMessage)),
      EVENTS,
    )
    t.match(mail.subject, /새 1:1 요청/, 'a Korean subject')
    t.match(mail.text, /1:1 요청을 보냈습니다/, 'a Korean text')
    t.match(mail.html, /<html lang="ko">/)
    t.ok((mail.html || '').includes(requestMessage), "the mentee's message in the HTML too")
    // (mailparser folds List-* headers into an object of its own: the raw line says what was sent)
    t.match(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line, /: List-Unsubscribe=One-Click$/, 'one-click unsubscribe (RFC 8058)')
    unsubscribePath = /\/unsubscribe\?token=[^\s]+/.exec(mail.text ?? '')?.[0] ?? ''
    t.ok(unsubscribePath, "the footer's unsubscribe link")
    await visit(t, 'requested')
  })

  await journey("the mentor opens the notification and accepts: the mentee's bell goes up, live", async (t) => {
    const { page, visit } = mentor
    await page.getByTestId('notification').filter({ hasText: stamp }).click()
    // /me?tab=requests: the inbox
    await page.waitForURL((u) => u.pathname === '/me')
    const inboxRow = page.getByTestId('inbox').locator('tr', { hasText: stamp })
    await inboxRow.waitFor()
    await bellShows(page, 0)
    await visit(t, 'inbox')
    await inboxRow.getByRole('button', { name: '수락' }).click()
    await inboxRow.getByText('수락됨').waitFor()

    await bellShows(me.page, menteeUnread + 1)
    t.ok(await sameDocument(me.page), 'the mentee did not reload')
    await me.visit(t, 'accepted-bell')
  })

  await journey('a paid booking is confirmed: both get an invite whose DTSTART is the booking’s start', async (t) => {
    const token = await idToken(MENTEE.email, MENTEE.password)
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString()
    const to = new Date(Date.now() + 9 * 86_400_000).toISOString()
    const slots = await api(gatewayUrl, 'GET', `/api/meetings/mentors/${mentorId}/slots?from=${from}&to=${to}&duration=60`, token)
    const slot = (slots.json as { slots: { start: string }[] }).slots[0]
    t.ok(slot, 'a free slot')
    // meeting learns of the match from an event: NO_ACTIVE_MATCH until then
    const booking = await until('the booking', async () => {
      const r = await api(gatewayUrl, 'POST', '/api/meetings/bookings', token, { mentorId, start: slot!.start, duration: 60 })
      if (r.status !== 201 && r.json?.error?.code !== 'NO_ACTIVE_MATCH') throw new Error(`booking answered ${r.status}: ${JSON.stringify(r.json)}`)
      return r.status === 201 ? (r.json as { id: string; start: string }) : null
    }, EVENTS)
    const keyed = async (url: string, body: unknown) => {
      const res = await fetch(`${gatewayUrl}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(body),
      })
      return { status: res.status, json: (await res.json()) as { id?: string; state?: string; error?: { code: string } } }
    }
    // payment learns of the held booking from an event: BOOKING_NOT_FOUND until then
    const payment = await until('the payment', async () => {
      const r = await keyed('/api/payments', { bookingId: booking.id })
      if (r.status >= 300 && r.json.error?.code !== 'BOOKING_NOT_FOUND') throw new Error(`payment answered ${r.status}: ${JSON.stringify(r.json)}`)
      return r.status < 300 ? r.json : null
    }, EVENTS)
    const paid = await keyed(`/api/payments/${payment.id}/confirm`, { cardToken: 'tok_success' })
    t.equal(paid.json.state, 'succeeded', JSON.stringify(paid.json))
    await until('the booking confirmed', async () => (await api(gatewayUrl, 'GET', `/api/meetings/bookings/${booking.id}`, token)).json?.state === 'confirmed', EVENTS)

    const dtstart = `DTSTART:${icalUtc(booking.start)}`
    for (const who of [MENTOR.email, MENTEE.email]) {
      const invite = await until(`${who}'s invite`, async () =>
        (await mails(mailDir, started)).flatMap((m) => (recipients(m).includes(who) ? calendars(m) : [])).find((c) => c.includes(`UID:${booking.id}@sunbae`) && c.includes('METHOD:REQUEST')),
        EVENTS,
      )
      t.ok(invite.includes(dtstart), `${who}: ${dtstart}`)
    }

    // the mentee is told live (the confirmation, and the payment's receipt), and the notification opens the session
    const { page, visit } = me
    await until('the confirmation on the bell', async () => (await bellCount(page)) >= menteeUnread + 3, 30_000)
    t.ok(await sameDocument(page), 'the mentee did not reload')
    await page.getByTestId('notification-bell').click()
    const confirmed = page.getByTestId('notification').filter({ hasText: '세션이 확정되었습니다' }).first()
    await confirmed.click()
    await page.waitForURL((u) => u.pathname === '/me' && u.searchParams.get('tab') === 'bookings')
    await page.getByTestId('sessions-upcoming').getByTestId('session').filter({ hasText: '확정' }).first().waitFor()
    await visit(t, 'session-confirmed')
  })

  await journey('the mentee turns chat email off and sets quiet hours in my page › 알림 (receipts stay on)', async (t) => {
    const { page, visit } = me
    await page.goto('/me?tab=notifications')
    const switches = page.getByTestId('notification-switches')
    const receipts = switches.getByRole('switch', { name: '결제 영수증·환불 이메일' })
    await receipts.waitFor()
    t.ok(await receipts.isDisabled(), 'receipts cannot be switched off')
    t.ok(await receipts.isChecked())
    // the language and zone Sunbae writes in: the account's, Korean and Seoul by default
    await page.getByText('알림 언어와 시간대').waitFor()
    await visit(t, 'settings')
    await switches.getByRole('switch', { name: '채팅 이메일' }).click()
    // quiet hours: an empty window is refused in the page, a night one is saved
    await page.getByRole('switch', { name: '방해 금지 시간' }).click()
    await page.getByLabel('시작').fill('22:00')
    await page.getByLabel('끝').fill('22:00')
    await page.getByTestId('notification-settings-save').click()
    await page.getByTestId('quiet-hours-problem').filter({ hasText: '시작과 끝이 같으면' }).waitFor()
    await page.getByLabel('끝').fill('07:30')
    await page.getByTestId('notification-settings-save').click()
    await page.getByText('저장했습니다').waitFor()
    const prefs = await api(gatewayUrl, 'GET', '/api/notifications/preferences', await idToken(MENTEE.email, MENTEE.password))
    t.match(prefs.json.items.find((i: { category: string }) => i.category === 'chat'), { inApp: true, email: false })
    t.same(prefs.json.quietHours, { start: '22:00', end: '07:30' })
    // on a phone the bell stays in the header (the menu moves to a drawer)
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('notification-bell').click()
    await page.getByTestId('notifications').waitFor()
    await visit(t, 'feed-phone')
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  await journey("the email's unsubscribe link: the page says what it stops and does it; a tampered link is refused", async (t) => {
    const { page, visit } = mentor
    await page.goto(unsubscribePath)
    await page.getByTestId('unsubscribe-confirm').filter({ hasText: '1:1 요청' }).waitFor()
    await visit(t, 'unsubscribe')
    await page.getByRole('button', { name: '수신 거부' }).click()
    await page.getByTestId('unsubscribe-done').waitFor()
    await visit(t, 'unsubscribed')
    const prefs = await api(gatewayUrl, 'GET', '/api/notifications/preferences', await idToken(MENTOR.email, MENTOR.password))
    t.match(prefs.json.items.find((i: { category: string }) => i.category === 'requests'), { inApp: true, email: false }, 'only that email is off')
    // the first character of the signed claim changed (a last base64 character can differ only in unused bits)
    const tampered = unsubscribePath.replace(/token=(.)/, (_, c: string) => `token=${c === 'A' ? 'B' : 'A'}`)
    await page.goto(tampered)
    await page.getByTestId('unsubscribe-invalid').waitFor()
    await visit(t, 'unsubscribe-tampered', [/status of 400/])
  })
})
