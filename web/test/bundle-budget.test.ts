// The production build's first page stays small: builds the app (vite build, as the web image does,
// into a temporary folder) and checks what the landing and search page downloads — the entry chunk and
// its static imports (bundle.ts) — against the gzipped budget, and that the heavy parts are chunks of
// their own that the first page does not load: Firebase Auth, Firestore, antd (the search page and a
// mentor's first screen draw without it), the admin area with its charts, the payment pages and the
// chat. Also: every text file has its .gz and .br beside it (nginx serves them as they are), robots.txt
// is a file of the build, and no chunk passes Vite's default 500 kB warning except the Firestore SDK
// (one module, loaded by the chat and the notification bell only).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { kb, LANDING_BUDGET_BYTES, landingFiles, readManifest, staticGraph } from '../bundle.ts'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'

const WEB = path.resolve(import.meta.dirname, '..')
const require = createRequire(path.join(WEB, 'package.json'))
const vitePkg = require.resolve('vite/package.json')
const viteBin = path.join(path.dirname(vitePkg), (JSON.parse(fs.readFileSync(vitePkg, 'utf8')) as { bin: { vite: string } }).bin.vite)

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-web-dist-'))
t.teardown(() => fs.rmSync(dist, { recursive: true, force: true }))

// a production build without VITE_FIREBASE_* from this environment (as the default image)
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITE_')))
const build = spawnSync(process.execPath, [viteBin, 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: WEB, env: { ...env, NODE_ENV: 'production' }, encoding: 'utf8', timeout: 150_000 })

t.test('vite build succeeds', async (t) => {
  t.equal(build.status, 0, `vite build: ${build.stderr}`)
})

t.test('the landing and search page: within the budget, without the heavy parts', { skip: build.status !== 0 && 'no build' }, async (t) => {
  const manifest = readManifest(dist)
  const files = landingFiles(dist, manifest)
  const total = files.reduce((n, f) => n + (f.file.endsWith('.js') ? f.gzip : 0), 0)
  t.comment(files.map((f) => `${f.file} ${kb(f.bytes)} (${kb(f.gzip)} gzip)`).join('\n'))
  t.ok(total <= LANDING_BUDGET_BYTES, `landing JavaScript ${kb(total)} gzipped ≤ ${kb(LANDING_BUDGET_BYTES)}`)

  const landing = new Set(staticGraph(manifest, 'index.html'))
  t.ok(manifest['index.html']!.isEntry, 'index.html is the entry')
  // the pages other than search are chunks of their own, reached from the first page only by import()
  for (const src of ['src/pages/admin/show.tsx', 'src/pages/payments/pay.tsx', 'src/pages/payments/show.tsx', 'src/pages/chat/list.tsx', 'src/pages/mentors/extras.tsx', 'src/pages/auth/login.tsx', 'src/pages/me/show.tsx', 'src/components/NotificationBell.tsx', 'src/components/Feedback.tsx', 'src/pages/not-found.tsx']) {
    const chunk = manifest[src]
    t.ok(chunk?.isDynamicEntry, `${src} is a chunk of its own`)
    if (chunk) t.notOk([...landing].some((k) => manifest[k]!.file === chunk.file), `the first page does not load ${chunk.file}`)
  }
  // the libraries, by strings only their code has (they survive minification)
  const landingCode = files.filter((f) => f.file.endsWith('.js')).map((f) => fs.readFileSync(path.join(dist, f.file), 'utf8')).join('\n')
  // one language's words: Korean on the first page, English a chunk of its own (src/i18n/index.tsx)
  t.ok(landingCode.includes(ko.tagline), 'the first page has the Korean words')
  t.notOk(landingCode.includes(en.tagline), 'the first page does not load the English words')
  t.ok(manifest['src/i18n/en/index.ts']?.isDynamicEntry, 'the English words are a chunk of their own')
  for (const [what, marker] of LIBRARY_MARKERS) {
    t.ok(chunkWith(marker), `the build has ${what} (found by ${JSON.stringify(marker)})`)
    t.notOk(landingCode.includes(marker), `the first page does not load ${what}`)
  }
  // a mentor's page: its first screen is in the first page's files; its antd parts come later, and a
  // visitor who never signed in gets no Firebase with them
  const mentorParts = staticGraph(manifest, 'src/pages/mentors/extras.tsx').map((k) => fs.readFileSync(path.join(dist, manifest[k]!.file), 'utf8')).join('\n')
  t.notOk(mentorParts.includes(FIREBASE_AUTH), "a mentor page's later parts do not load Firebase Auth")
})

/** Strings that only each heavy library's code carries. */
const FIREBASE_AUTH = 'identitytoolkit.googleapis.com'
const LIBRARY_MARKERS: [string, string][] = [
  ['Firebase Auth', FIREBASE_AUTH],
  ['Firestore', 'firestore.googleapis.com'],
  ['the admin charts (recharts)', 'recharts-wrapper'],
  // the search page and a mentor's first screen are drawn without antd (src/lib/theme.ts)
  ["antd's CSS-in-JS", 'data-token-hash'],
]
const chunkWith = (marker: string): string | undefined =>
  fs.readdirSync(path.join(dist, 'assets')).find((f) => f.endsWith('.js') && fs.readFileSync(path.join(dist, 'assets', f), 'utf8').includes(marker))

t.test('precompressed files, robots.txt, chunk sizes', { skip: build.status !== 0 && 'no build' }, async (t) => {
  const assets = fs.readdirSync(path.join(dist, 'assets'))
  const big = assets.filter((f) => /\.(js|css)$/.test(f) && fs.statSync(path.join(dist, 'assets', f)).size >= 1024)
  t.ok(big.length > 0)
  for (const f of big) {
    t.ok(assets.includes(`${f}.gz`) && assets.includes(`${f}.br`), `${f}: .gz and .br beside it`)
  }
  t.ok(fs.existsSync(path.join(dist, 'index.html.gz')) || fs.statSync(path.join(dist, 'index.html')).size < 1024, 'index.html precompressed (when over 1 KB)')
  const robots = fs.readFileSync(path.join(dist, 'robots.txt'), 'utf8')
  t.match(robots, /^User-agent: \*$/m, 'robots.txt is a file of the build')
  // which rule decides for a path: the longest that matches it (RFC 9309, as crawlers and Lighthouse read it)
  const rules = [...robots.matchAll(/^(Allow|Disallow):\s*(\S+)/gm)].map((m) => ({ kind: m[1], prefix: m[2]! }))
  const decides = (p: string) => rules.filter((r) => p.startsWith(r.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0]?.kind
  t.equal(decides('/mentors/01a2508b-cc6b-71aa-a596-d6560e6f8c7a'), 'Allow', 'robots.txt lets crawlers into the mentor pages')
  t.equal(decides('/'), 'Allow', 'and the search page')
  for (const p of ['/me', '/admin', '/chat', '/api/mentors']) t.equal(decides(p), 'Disallow', `not into ${p}`)
  const firestore = chunkWith('firestore.googleapis.com')
  for (const f of assets.filter((a) => a.endsWith('.js') && a !== firestore)) {
    const size = fs.statSync(path.join(dist, 'assets', f)).size
    t.ok(size <= 500 * 1000, `${f}: ${kb(size)} within Vite's default chunk-size warning (500 kB)`)
  }
})
