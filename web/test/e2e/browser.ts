// What every browser journey file shares: the stack (stack.ts), headless Chromium with the flags this
// machine needs, the artifacts folder, one browser session per person with the accessibility and
// console checks, signing in, and journeys that stop after the first failure with screenshots.
import t, { type Test } from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { REPO_ROOT, startStack, type Stack } from './stack.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
/** the password of every seeded demo account (scripts/seed.ts) */
export const DEMO_PASSWORD = 'sunbae-demo-1234'
/** the seeded mentor's display name */
export const MENTOR_NAME = '김선배 Mentor'

/** antd's `md` breakpoint: below it the account (and `whoami`) lives in the menu drawer */
const DESKTOP_MIN_WIDTH = 768

export interface SessionOptions {
  viewport?: { width: number; height: number }
  timezoneId?: string
  acceptDownloads?: boolean
}

/** A browser session of one person. */
export interface Session {
  page: Page
  /**
   * Screenshot, then the checks every page passes: every visible form field has an accessible name,
   * and no console errors — except `expected` ones this step causes on purpose (the browser logs
   * every 4xx answer).
   */
  visit(t: Test, name: string, expected?: RegExp[]): Promise<void>
  /** Signs in through the login page; with `t`, the login page and the signed-in one pass `visit`'s checks. */
  login(email: string, password: string, t?: Test): Promise<void>
  /** Creates an account through the sign-up page and waits until it is signed in. */
  signUp(account: { name: string; email: string; password: string }): Promise<void>
  close(): Promise<void>
}

export interface BrowserSuite {
  stack: Stack
  browser: Browser
  /** where this file's screenshots go (emptied at the start) */
  artifacts: string
  session(who: string, opts?: SessionOptions): Promise<Session>
  /**
   * A step of the story: each builds on the one before, so after a failure the rest are skipped, not
   * timed out. A failing step leaves a screenshot of every open session in the artifacts.
   */
  journey(name: string, fn: (t: Test) => Promise<void>): Promise<void>
}

export interface SuiteOptions {
  /** folder under web/test/artifacts ('' for the folder itself) */
  artifacts: string
  /**
   * Files start together and stacks take turns (stack.ts): a pause lets the files that should go
   * first take the stack first.
   */
  startDelayMs?: number
  /** set before the stack starts (e.g. test-only routes a journey needs) */
  env?: Record<string, string>
}

/** Every visible form field without an accessible name, as HTML (runs in the page). */
function unlabeledFields(): string[] {
  const bad: string[] = []
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('input, textarea, select, [role="combobox"], [role="textbox"]'))) {
    if ((el as HTMLInputElement).type === 'hidden') continue
    const style = getComputedStyle(el)
    if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) continue
    const by = (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join('')
    const forLabel = el.id ? Array.from(document.querySelectorAll('label')).find((l) => l.htmlFor === el.id)?.textContent ?? '' : ''
    const name = [el.getAttribute('aria-label'), by, forLabel, el.closest('label')?.textContent, el.getAttribute('title')].find((x) => x && x.trim())
    if (!name) bad.push(el.outerHTML.slice(0, 200))
  }
  return bad
}

/**
 * One browser test file's suite: skipped (saying why) without Chromium; else the stack as `npm start`
 * runs it, Chromium, an emptied artifacts folder and a warmed-up dev server, all living exactly as
 * long as `body`.
 */
export function browserSuite(title: string, opts: SuiteOptions, body: (t: Test, suite: BrowserSuite) => Promise<void>): void {
  if (!fs.existsSync(CHROMIUM)) {
    t.test(title, { skip: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` }, async () => {})
    return
  }
  // Starting seven services and the dev server takes about a minute on a busy machine, and the stack
  // may first wait for another file's to stop; a top-level setTimeout also extends tap's per-file limit.
  t.setTimeout(900_000)
  t.test(title, async (t) => {
    const { chromium } = await import('playwright-core')
    const started = Date.now()
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
    let stack: Stack | null = null
    let browser: Browser | null = null
    t.teardown(async () => {
      await browser?.close()
      await stack?.stop()
      t.comment(`${title} took ${elapsed()}`)
    })
    if (opts.startDelayMs) await new Promise((r) => setTimeout(r, opts.startDelayMs))
    Object.assign(process.env, opts.env ?? {})
    stack = await startStack((m) => t.comment(`${m} (${elapsed()})`))
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    const artifacts = path.join(REPO_ROOT, 'web', 'test', 'artifacts', opts.artifacts)
    fs.rmSync(artifacts, { recursive: true, force: true })
    fs.mkdirSync(artifacts, { recursive: true })
    const { webUrl } = stack
    // The dev server compiles on first request: one warm-up load before any journey is timed.
    {
      const warm = await browser.newPage()
      await warm.goto(webUrl, { waitUntil: 'networkidle', timeout: 60_000 })
      await warm.close()
    }

    const open = new Map<string, Session>()
    const session = async (who: string, so: SessionOptions = {}): Promise<Session> => {
      const viewport = so.viewport ?? { width: 1280, height: 900 }
      const context: BrowserContext = await browser!.newContext({
        locale: 'ko-KR',
        viewport,
        baseURL: webUrl,
        ...(so.timezoneId ? { timezoneId: so.timezoneId } : {}),
        ...(so.acceptDownloads ? { acceptDownloads: true } : {}),
      })
      context.setDefaultTimeout(20_000)
      const page: Page = await context.newPage()
      const consoleErrors: string[] = []
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text())
      })
      page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`))
      let n = 0
      const visit = async (tt: Test, name: string, expected: RegExp[] = []) => {
        // Bounded: a page with a live Firestore listener never goes network-idle.
        await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => {})
        await page.screenshot({ path: path.join(artifacts, `${who}-${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true })
        tt.same(await page.evaluate(unlabeledFields), [], `${who}/${name}: every form field has an accessible name`)
        tt.same(consoleErrors.splice(0).filter((e) => !expected.some((x) => x.test(e))), [], `${who}/${name}: no console errors`)
      }
      const login = async (email: string, password: string, tt?: Test) => {
        await page.goto('/login')
        if (tt) await visit(tt, 'login')
        await page.getByLabel('이메일').fill(email)
        await page.getByLabel('비밀번호').fill(password)
        await page.getByRole('button', { name: '로그인' }).click()
        // signed in: the login page moves on once the session is there
        await page.waitForURL((u) => u.pathname !== '/login')
        if (viewport.width >= DESKTOP_MIN_WIDTH) await page.getByTestId('whoami').waitFor()
        if (tt) await visit(tt, 'logged-in')
      }
      const signUp = async (account: { name: string; email: string; password: string }) => {
        await page.goto('/signup')
        await page.getByLabel('이름').fill(account.name)
        await page.getByLabel('이메일').fill(account.email)
        await page.getByLabel('비밀번호').fill(account.password)
        await page.getByRole('button', { name: '가입하기' }).click()
        await page.getByTestId('whoami').filter({ hasText: account.name }).waitFor()
      }
      const s: Session = {
        page,
        visit,
        login,
        signUp,
        close: async () => {
          open.delete(who)
          await context.close()
        },
      }
      open.set(who, s)
      return s
    }

    const journey = async (name: string, fn: (t: Test) => Promise<void>): Promise<void> => {
      await t.test(name, t.passing() ? {} : { skip: 'an earlier journey failed' }, async (tt) => {
        try {
          await fn(tt)
        } catch (err) {
          // what the pages showed when it failed
          const slug = name.slice(0, 40).replace(/\W+/g, '-')
          for (const [who, s] of open) await s.page.screenshot({ path: path.join(artifacts, `FAILED-${who}-${slug}.png`), fullPage: true }).catch(() => {})
          throw err
        }
      })
    }

    await body(t, { stack, browser, artifacts, session, journey })
  })
}

/**
 * Presses the slot picker's book button until the booking goes through. Meeting learns about a new
 * match from an event, so a moment after the mentor accepts the API may still refuse with "no active
 * match"; that refusal (and only that one) is retried for up to 45 s.
 */
export async function bookOnceMatched(t: Test, page: Page, book: Locator): Promise<void> {
  const deadline = Date.now() + 45_000
  const errors = page.locator('.ant-message-error')
  for (;;) {
    const before = await errors.count()
    await book.getByRole('button', { name: '예약하기' }).click()
    const outcome = await Promise.race([
      book.getByTestId('booking-outcome').waitFor().then(() => 'ok', () => 'timeout'),
      errors.nth(before).waitFor().then(() => 'error', () => 'timeout'),
    ])
    if (outcome === 'ok') return
    if (outcome === 'timeout') throw new Error('booking gave no answer')
    const text = await errors.nth(before).textContent()
    if (!/match/i.test(text ?? '') || Date.now() > deadline) throw new Error(`booking refused: ${text}`)
    t.comment(`not bookable yet (${text}), trying again`)
    await page.waitForTimeout(1_000)
  }
}
