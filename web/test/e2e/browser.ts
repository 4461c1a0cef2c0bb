// What every browser journey file shares: the stack of the test run (scripts/lib/e2e-stack.ts, started
// once by scripts/test.ts for all journey files), headless Chromium with the flags this machine needs,
// the artifacts folder, one browser session per person with the accessibility, console and
// Content-Security-Policy checks, signing in, and journeys that stop after the first failure with screenshots.
import t, { type Test } from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import type { E2eHandoff, E2eStack } from '../../../scripts/lib/e2e-stack.ts'
import { firebaseTargets } from '../../src/lib/firebase-targets.ts'
import { verifyEmailInBrowser } from './accounts.ts'
import { cspDirectives, parsePolicy } from '../../security-headers.ts'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
/** E2E_ENV of scripts/lib/e2e-stack.ts */
const E2E_ENV = 'SUNBAE_E2E_STACK'

/** The stack the test runner started for this run, or why there is none. */
export function handoff(): E2eHandoff {
  const raw = process.env[E2E_ENV]
  if (!raw) return { error: `no e2e stack (${E2E_ENV} is not set): run the journeys through \`npm test\` or \`node scripts/test.ts <file>\`, which start the stack they share` }
  return JSON.parse(raw) as E2eHandoff
}

/** the run's stack, as the journeys see it (scripts/test.ts stops it); `logDir` also locates its mail sink */
export type Stack = Pick<E2eStack, 'webUrl' | 'gatewayUrl' | 'logDir'>

/** How long a page must have had no request in flight (but Firestore's streams) to count as settled. */
const QUIET_MS = 300

/**
 * Firestore's WebChannel streams (Listen, Write): a live listener keeps a long poll open for as long as
 * the page lives, and its short sends are part of the same conversation. Not what a page waits on.
 */
const isLongLived = (url: string): boolean => url.includes('/google.firestore.v1.Firestore/')

/** antd's `md` breakpoint: below it the account (and `whoami`) lives in the menu drawer */
const DESKTOP_MIN_WIDTH = 768

export interface SessionOptions {
  viewport?: { width: number; height: number }
  timezoneId?: string
  acceptDownloads?: boolean
  /** a Chromium of its own (as a second person's computer), launched like the suite's */
  ownBrowser?: boolean
}

/** A browser session of one person. */
export interface Session {
  page: Page
  /**
   * Screenshot, then the checks every page passes: axe-core finds no serious or critical violation (once
   * per page state: `pageState` of the URL, per session, since people of other roles see other pages),
   * every visible form field has an accessible name,
   * no console errors — except `expected` ones this step causes on purpose (the browser logs
   * every 4xx answer) — and no Content-Security-Policy violation (never expected).
   */
  visit(t: Test, name: string, expected?: RegExp[]): Promise<void>
  /** Signs in through the login page; with `t`, the login page and the signed-in one pass `visit`'s checks. */
  login(email: string, password: string, t?: Test): Promise<void>
  /**
   * Creates an account through the sign-up page and waits until it is signed in; then opens the link
   * of the verification email sign-up sent (1:1 requests and payments need a verified address), unless
   * `verify: false` keeps the address unverified.
   */
  signUp(account: { name: string; email: string; password: string }, opts?: { verify?: boolean }): Promise<void>
  /** CSP violations not yet checked by `visit` (a journey's end checks them too) */
  cspViolations: string[]
  /** Where the page is, the text it shows and its last failed API calls (for a failing journey's report). */
  report(): Promise<string>
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
  /** this file's folder under web/test/artifacts (files run in parallel: each empties only its own) */
  artifacts: string
  /** Chromium flags beyond the usual ones (e.g. the fake camera and microphone of the video room) */
  launchArgs?: string[]
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

/** The impacts a journey fails on (axe-core's four: minor, moderate, serious, critical). */
const AXE_FAILING_IMPACTS = new Set(['serious', 'critical'])

/**
 * A page state for the accessibility check: the path with its ids as `:id` (a number, a UUID or a
 * Firebase/Firestore id) and the `tab` the page shows, so `/mentors/12` and `/mentors/40` are one state,
 * `/me?tab=sessions` and `/me?tab=payments` two.
 */
export function pageState(url: string): string {
  const u = new URL(url)
  const path = u.pathname.split('/').map((seg) => /^\d+$|^[0-9a-f-]{32,36}$|^(?=.*\d)[A-Za-z0-9_-]{16,}$/i.test(seg) ? ':id' : seg).join('/')
  const tab = u.searchParams.get('tab')
  return tab ? `${path}?tab=${tab}` : path
}

/**
 * axe-core on the page as it is: its serious and critical violations, one line each with the rule, what
 * it asks for, the elements (CSS selectors) that break it and what axe found on the first of them.
 */
async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze()
  return results.violations
    .filter((v) => AXE_FAILING_IMPACTS.has(v.impact ?? ''))
    .map((v) => {
      const where = `${v.nodes.map((n) => n.target.join(' ')).slice(0, 8).join(', ')}${v.nodes.length > 8 ? ` and ${v.nodes.length - 8} more` : ''}`
      // what axe says of the first element (e.g. the contrast it measured, with both colours)
      const first = v.nodes[0] ? ` [${v.nodes[0].html.slice(0, 120)}: ${(v.nodes[0].failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 200)}]` : ''
      return `${v.impact} ${v.id}: ${v.help} — ${where}${first} (${v.helpUrl})`
    })
}

/**
 * The policy the dev server sent with the app's page must be production's (web/security-headers.ts):
 * every directive the same, script-src exactly production's ('self' and the payment SDKs; the journeys
 * run without HMR, so without the dev preamble), except connect-src, which names the emulators' origins instead of Google's.
 */
function checkPolicy(t: Test, header: string | undefined): void {
  t.ok(header, 'the web app is served with a Content-Security-Policy')
  const served = parsePolicy(header ?? '')
  const production = cspDirectives({ firebase: firebaseTargets({}) })
  t.same(served['script-src'], production['script-src'], "script-src: 'self' and the payment SDKs, as production (no dev preamble)")
  t.same({ ...served, 'connect-src': [] }, { ...production, 'connect-src': [] }, 'every directive but connect-src is production\'s')
  t.equal(served['connect-src']?.[0], "'self'", 'connect-src: the API on the page\'s origin')
  t.comment(`connect-src under test: ${served['connect-src']?.join(' ')}`)
}

/** A CSP violation as the page reported it (the securitypolicyviolation event). */
const CSP_BINDING = '__sunbaeCspViolation'

/**
 * One browser test file's suite: skipped (saying why) without Chromium; else the run's stack,
 * Chromium, an emptied artifacts folder and a warmed-up dev server, Chromium living exactly as long
 * as `body`. Files run in parallel on the one stack: each makes its own accounts.
 */
export function browserSuite(title: string, opts: SuiteOptions, body: (t: Test, suite: BrowserSuite) => Promise<void>): void {
  const given = handoff()
  if ('skip' in given) {
    t.test(title, { skip: given.skip }, async () => {})
    return
  }
  // A journey drives many pages and waits for events between services: on a busy 2-core machine a
  // file takes minutes (a top-level setTimeout also extends tap's per-file limit).
  t.setTimeout(600_000)
  t.test(title, async (t) => {
    if ('error' in given) throw new Error(given.error)
    const { chromium } = await import('playwright-core')
    const started = Date.now()
    let browser: Browser | null = null
    /** sessions' own Chromiums (ownBrowser) */
    const others: Browser[] = []
    t.teardown(async () => {
      await Promise.all([browser, ...others].map((b) => b?.close()))
      t.comment(`${title} took ${((Date.now() - started) / 1000).toFixed(1)} s`)
    })
    const stack: Stack = { webUrl: given.webUrl, gatewayUrl: given.gatewayUrl, logDir: given.logDir }
    const launch = () => chromium.launch({ executablePath: given.chromium, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...(opts.launchArgs ?? [])] })
    browser = await launch()
    const artifacts = path.join(REPO_ROOT, 'web', 'test', 'artifacts', opts.artifacts)
    fs.rmSync(artifacts, { recursive: true, force: true })
    fs.mkdirSync(artifacts, { recursive: true })
    const { webUrl } = stack
    // The dev server compiles on first request: one warm-up load before any journey is timed.
    {
      const warm = await browser.newPage()
      const res = await warm.goto(webUrl, { waitUntil: 'networkidle', timeout: 60_000 })
      checkPolicy(t, res?.headers()['content-security-policy'])
      await warm.close()
    }

    const open = new Map<string, Session>()
    const session = async (who: string, so: SessionOptions = {}): Promise<Session> => {
      const viewport = so.viewport ?? { width: 1280, height: 900 }
      let own: Browser | null = null
      if (so.ownBrowser) others.push((own = await launch()))
      const context: BrowserContext = await (own ?? browser!).newContext({
        locale: 'ko-KR',
        viewport,
        baseURL: webUrl,
        ...(so.timezoneId ? { timezoneId: so.timezoneId } : {}),
        ...(so.acceptDownloads ? { acceptDownloads: true } : {}),
      })
      // A step's bound: CI runs the journeys beside the unit suites on two cores, where a page's first
      // render after a navigation (dev server, Firebase session restore, API calls) took over 20 s.
      context.setDefaultTimeout(30_000)
      // Every CSP violation, from the page's own event: a journey fails on one even when the console
      // error it also causes is expected.
      const cspViolations: string[] = []
      await context.exposeBinding(CSP_BINDING, (_source, line: string) => void cspViolations.push(line))
      await context.addInitScript((binding: string) => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const report = (window as unknown as Record<string, (line: string) => void>)[binding]
          report?.(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || e.documentURI}:${e.lineNumber}`)
        }, true)
      }, CSP_BINDING)
      const page: Page = await context.newPage()
      const consoleErrors: string[] = []
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text())
      })
      page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`))
      // The API calls that failed or answered an error, kept for the report of a failing journey.
      const apiTrouble: string[] = []
      const keep = (line: string) => {
        apiTrouble.push(`${new Date().toISOString().slice(11, 23)} ${line}`)
        if (apiTrouble.length > 12) apiTrouble.shift()
      }
      page.on('response', (res) => {
        if (res.url().includes('/api/') && res.status() >= 400) keep(`${res.request().method()} ${res.url()} → ${res.status()}`)
      })
      page.on('requestfailed', (req) => {
        if (req.url().includes('/api/')) keep(`${req.method()} ${req.url()} failed: ${req.failure()?.errorText ?? '?'}`)
      })
      // The page's requests in flight, but Firestore's streams: a signed-in page (the bell's listener)
      // always holds one open, so it never goes network-idle and Playwright's 'networkidle' waited its
      // whole bound on every such visit (3 s × ~120 visits of the journeys).
      const inFlight = new Set<Request>()
      let lastChange = Date.now()
      const settled = (req: Request) => {
        if (inFlight.delete(req)) lastChange = Date.now()
      }
      page.on('request', (req) => {
        if (isLongLived(req.url())) return
        inFlight.add(req)
        lastChange = Date.now()
      })
      page.on('requestfinished', settled)
      page.on('requestfailed', settled)
      /** Loaded, and no request but Firestore's streams for QUIET_MS (bounded: 3 s). */
      const settle = async () => {
        const deadline = Date.now() + 3_000
        await page.waitForLoadState('load', { timeout: 3_000 }).catch(() => {})
        while (Date.now() < deadline && (inFlight.size > 0 || Date.now() - lastChange < QUIET_MS)) await sleep(25)
      }
      let n = 0
      const axeChecked = new Set<string>()
      const visit = async (tt: Test, name: string, expected: RegExp[] = []) => {
        await settle()
        // JPEG: encoding the ~130 visits' full pages as PNG cost Chromium ~0.15 CPU-s each, twice JPEG's
        await page.screenshot({ path: path.join(artifacts, `${who}-${String(++n).padStart(2, '0')}-${name}.jpg`), type: 'jpeg', quality: 70, fullPage: true })
        const state = pageState(page.url())
        if (!axeChecked.has(state)) {
          axeChecked.add(state)
          tt.same(await axeViolations(page), [], `${who}/${name}: axe-core finds no serious or critical violation on ${state}`)
        }
        tt.same(await page.evaluate(unlabeledFields), [], `${who}/${name}: every form field has an accessible name`)
        tt.same(consoleErrors.splice(0).filter((e) => !expected.some((x) => x.test(e))), [], `${who}/${name}: no console errors`)
        tt.same(cspViolations.splice(0), [], `${who}/${name}: no Content-Security-Policy violations`)
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
      const signUp = async (account: { name: string; email: string; password: string }, { verify = true }: { verify?: boolean } = {}) => {
        await page.goto('/signup')
        await page.getByLabel('이름').fill(account.name)
        await page.getByLabel('이메일').fill(account.email)
        await page.getByLabel('비밀번호').fill(account.password)
        await page.getByRole('button', { name: '가입하기' }).click()
        await page.getByTestId('whoami').filter({ hasText: account.name }).waitFor()
        if (verify) await verifyEmailInBrowser(page, account.email)
      }
      const s: Session = {
        page,
        visit,
        login,
        signUp,
        cspViolations,
        report: async () => {
          const text = await page.locator('main').first().innerText({ timeout: 2_000 }).catch(() => '(no main element)')
          return [
            `${who} at ${page.url()}`,
            `  shows: ${text.replace(/\s+/g, ' ').slice(0, 500)}`,
            ...apiTrouble.map((l) => `  api: ${l}`),
            ...consoleErrors.slice(-8).map((l) => `  console: ${l.slice(0, 300)}`),
            ...cspViolations.map((l) => `  CSP violation: ${l}`),
          ].join('\n')
        },
        close: async () => {
          open.delete(who)
          await context.close()
          await own?.close()
        },
      }
      open.set(who, s)
      return s
    }

    const journey = async (name: string, fn: (t: Test) => Promise<void>): Promise<void> => {
      await t.test(name, t.passing() ? {} : { skip: 'an earlier journey failed' }, async (tt) => {
        try {
          await fn(tt)
          // what happened after a session's last visit
          for (const [who, s] of open) tt.same(s.cspViolations.splice(0), [], `${who}: no Content-Security-Policy violations`)
        } catch (err) {
          // what the pages showed when it failed
          const slug = name.slice(0, 40).replace(/\W+/g, '-')
          for (const [who, s] of open) {
            await s.page.screenshot({ path: path.join(artifacts, `FAILED-${who}-${slug}.png`), fullPage: true }).catch(() => {})
            // what each page showed, and its failed API calls, in the TAP output itself (CI keeps no files)
            for (const line of (await s.report()).split('\n')) tt.comment(line)
          }
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
