// npm run bench:web — Lighthouse (mobile defaults, as issue 24 measured) on the production build of the
// web app, served as production serves it: nginx with deploy/nginx/nginx.conf (precompressed files,
// caching, security headers) where nginx and its brotli module are installed, else `vite preview`; /api
// goes to the running stack's gateway (GATEWAY_URL, default http://127.0.0.1:8080: `npm start` first).
//
//   npm run bench:web                      # /, /?q=python and a mentor's page
//   RUNS=3 npm run bench:web               # the median of 3 runs per page, with the lowest–highest
//
// Prints, per page: the four category scores, FCP, LCP, TBT, CLS, Speed Index and the JavaScript the
// page transferred; then the first page's JavaScript by file (web/bundle.ts). Chromium is Debian's
// (/usr/bin/chromium, CHROMIUM_PATH), headless; nothing leaves 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { kb, LANDING_BUDGET_BYTES, landingFiles } from '../../web/bundle.ts'

const ROOT = path.resolve(import.meta.dirname, '..', '..')
const WEB = path.join(ROOT, 'web')
const GATEWAY = new URL(process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const RUNS = Math.max(1, Number(process.env.RUNS ?? 1))
const BROTLI_MODULE = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so'
const say = (s = '') => process.stdout.write(`${s}\n`)

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as net.AddressInfo
  await new Promise((resolve) => srv.close(resolve))
  return port
}

const nginxBin = ['/usr/sbin/nginx', 'nginx'].find((b) => spawnSync(b, ['-v']).status === 0) ?? null

// 1. the production build
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-bench-web-'))
fs.chmodSync(work, 0o755)
const dist = path.join(work, 'html')
const require = createRequire(path.join(WEB, 'package.json'))
const vitePkg = require.resolve('vite/package.json')
const viteBin = path.join(path.dirname(vitePkg), (JSON.parse(fs.readFileSync(vitePkg, 'utf8')) as { bin: { vite: string } }).bin.vite)
say(`building web/ into ${dist} …`)
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITE_')))
const build = spawnSync(process.execPath, [viteBin, 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: WEB, env: { ...env, NODE_ENV: 'production' }, stdio: 'inherit' })
if (build.status !== 0) throw new Error('vite build failed')

// 2. served as production does
const port = await freePort()
let server: ChildProcess
let servedBy: string
if (nginxBin && fs.existsSync(BROTLI_MODULE)) {
  const conf = fs.readFileSync(path.join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8')
    .replaceAll('/tmp/', `${work}/`)
    .replace('access_log /dev/stdout json;', 'access_log off;')
    .replace('error_log stderr warn;', `error_log ${work}/error.log warn;`)
    .replace('server gateway:8080;', `server ${GATEWAY.hostname}:${GATEWAY.port || 80};`)
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('root /usr/share/nginx/html;', `root ${dist};`)
  fs.writeFileSync(path.join(work, 'nginx.conf'), conf)
  fs.copyFileSync(path.join(ROOT, 'deploy/nginx/security-headers.conf'), path.join(work, 'security-headers.conf'))
  server = spawn(nginxBin, ['-p', work, '-c', path.join(work, 'nginx.conf'), '-e', path.join(work, 'error.log'), '-g', 'daemon off;'], { stdio: 'inherit' })
  servedBy = 'nginx (deploy/nginx/nginx.conf)'
} else {
  server = spawn(process.execPath, [viteBin, 'preview', '--outDir', dist, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: WEB, env: { ...process.env, GATEWAY_URL: GATEWAY.href }, stdio: 'ignore' })
  servedBy = `vite preview (${nginxBin ? 'nginx has no brotli module' : 'no nginx'})`
}
const base = `http://127.0.0.1:${port}`
let chrome: chromeLauncher.LaunchedChrome | null = null
const stop = async () => {
  await chrome?.kill()
  server.kill('SIGTERM')
  fs.rmSync(work, { recursive: true, force: true })
}
process.on('SIGINT', () => void stop().then(() => process.exit(130)))

try {
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/`).then((r) => r.ok, () => false)) break
    if (i > 100 || server.exitCode !== null) throw new Error(`${servedBy} did not start`)
    await sleep(100)
  }
  // a mentor page: the first hit for python, else the first mentor (the stack must be running and seeded)
  const first = (q: string) => fetch(`${base}/api/mentors?${q}pageSize=1`).then((r) => (r.ok ? (r.json() as Promise<{ items: { id: string }[] }>) : null), () => null)
  const mentorId = (await first('q=python&'))?.items[0]?.id ?? (await first(''))?.items[0]?.id
  if (!mentorId) say(`(no mentor found through ${GATEWAY.origin}: is the stack running and seeded? the mentor page is left out)`)
  const pages = ['/', '/?q=python', ...(mentorId ? [`/mentors/${mentorId}`] : [])]

  chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  say(`served by ${servedBy} at ${base}; Lighthouse ${RUNS} run(s) a page, mobile defaults (simulated slow 4G, 4× CPU slowdown)`)
  say()
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const rows: string[][] = []
  for (const page of pages) {
    const runs: Record<string, number>[] = []
    for (let r = 0; r < RUNS; r++) {
      const result = await lighthouse(`${base}${page}`, { port: chrome.port, output: 'json', logLevel: 'error' })
      const lhr = result!.lhr
      const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN
      const js = (lhr.audits['network-requests']?.details as { items?: { resourceType?: string; transferSize?: number }[] } | undefined)?.items
        ?.filter((x) => x.resourceType === 'Script').reduce((n, x) => n + (x.transferSize ?? 0), 0) ?? NaN
      runs.push({
        performance: (lhr.categories.performance?.score ?? NaN) * 100,
        accessibility: (lhr.categories.accessibility?.score ?? NaN) * 100,
        'best-practices': (lhr.categories['best-practices']?.score ?? NaN) * 100,
        seo: (lhr.categories.seo?.score ?? NaN) * 100,
        fcp: num('first-contentful-paint'),
        lcp: num('largest-contentful-paint'),
        tbt: num('total-blocking-time'),
        cls: num('cumulative-layout-shift'),
        si: num('speed-index'),
        js,
      })
      const failing = Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual' && a.scoreDisplayMode !== 'notApplicable')
      if (r === RUNS - 1 && failing.length) say(`${page}: audits below 0.9: ${failing.map((a) => `${a.id} (${a.score})`).join(', ')}`)
    }
    // the median, and with more than one run the spread (lowest–highest) beside it
    // (a run Lighthouse could not score, NaN, is left out and counted)
    const ok = (k: string) => runs.map((x) => x[k]!).filter(Number.isFinite)
    const m = (k: string) => (ok(k).length ? median(ok(k)) : NaN)
    const mr = (k: string, f: (v: number) => string) => {
      const xs = ok(k)
      const lost = runs.length - xs.length
      return (RUNS > 1 && xs.length ? `${f(m(k))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : f(m(k))) + (lost ? ` [${lost} unscored]` : '')
    }
    const s = (v: number) => `${(v / 1000).toFixed(2)} s`
    rows.push([page, ...['performance', 'accessibility', 'best-practices', 'seo'].map((k) => mr(k, (v) => v.toFixed(0))),
      mr('fcp', s), mr('lcp', s), mr('tbt', (v) => `${v.toFixed(0)} ms`), mr('cls', (v) => v.toFixed(3)), mr('si', s), kb(m('js'))])
  }
  say()
  const head = ['page', 'perf', 'a11y', 'best pr.', 'SEO', 'FCP', 'LCP', 'TBT', 'CLS', 'SI', 'JS transferred']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  for (const r of [head, ...rows]) say(r.map((c, i) => c.padEnd(widths[i]!)).join('  '))

  const files = landingFiles(dist)
  const total = files.filter((f) => f.file.endsWith('.js')).reduce((n, f) => n + f.gzip, 0)
  say()
  say(`first page's JavaScript (entry + static imports, gzip -9): ${kb(total)} of the ${kb(LANDING_BUDGET_BYTES)} budget`)
  for (const f of files.sort((a, b) => b.gzip - a.gzip)) say(`  ${f.file.padEnd(44)} ${kb(f.bytes).padStart(9)} ${kb(f.gzip).padStart(9)} gzip`)
} finally {
  await stop()
}
