// deploy/nginx/nginx.conf: `nginx -t` accepts it, and a real nginx started from it (temp prefix,
// the `gateway` upstream pointed at a local echo server) serves what the web image promises: long
// cache for hashed assets, the SPA fallback, /api proxied with X-Forwarded-*, security headers (the
// Content-Security-Policy of web/security-headers.ts on the page and its files, HSTS over HTTPS only),
// the build's precompressed .br/.gz files sent as they are, gzip on the fly otherwise, robots.txt as text.
import t from 'tap'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { setTimeout as sleep } from 'node:timers/promises'
import { readText, run, which } from './lib.ts'
import { contentSecurityPolicy, HSTS, nginxSnippet, parsePolicy, PAYMENT_SDK_ORIGINS } from '../../web/security-headers.ts'
import { firebaseTargets } from '../../web/src/lib/firebase-targets.ts'

const nginx = which('nginx') ?? (fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null)
/** nginx.conf loads it (brotli_static); Debian packages it apart from nginx */
const BROTLI_MODULE = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so'
const missing = !nginx ? 'nginx is not installed (apt-get install nginx-light libnginx-mod-http-brotli-static)'
  : !fs.existsSync(BROTLI_MODULE) ? `nginx's brotli module is not installed (${BROTLI_MODULE}: apt-get install libnginx-mod-http-brotli-static)`
  : false

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as net.AddressInfo
  await new Promise((resolve) => srv.close(resolve))
  return port
}

/** The config with paths under `dir`, the upstream and listen port replaced; everything else as shipped. */
function localConfig(dir: string, upstream: string, port: number): string {
  const conf = readText('deploy/nginx/nginx.conf')
  const out = conf
    .replaceAll('/tmp/', `${dir}/`)
    .replace('access_log /dev/stdout json;', `access_log ${dir}/access.log json;`)
    .replace('server gateway:8080;', `server ${upstream};`)
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('root /usr/share/nginx/html;', `root ${dir}/html;`)
  if (out === conf) throw new Error('nothing replaced')
  return out
}

/** nginx.conf as localConfig makes it, and the security-headers.conf it includes beside it (as in the image). */
function writeConfig(dir: string, upstream: string, port: number): void {
  fs.writeFileSync(path.join(dir, 'nginx.conf'), localConfig(dir, upstream, port))
  fs.copyFileSync(path.join(ROOT_NGINX, 'security-headers.conf'), path.join(dir, 'security-headers.conf'))
}
const ROOT_NGINX = path.resolve(import.meta.dirname, '..', 'nginx')

/** What a production build with no VITE_FIREBASE_* variables talks to (Google's Firebase endpoints). */
const productionPolicy = contentSecurityPolicy({ firebase: firebaseTargets({}) })

t.test('security-headers.conf is rendered from web/security-headers.ts, and the image renders it for its build', async (t) => {
  t.equal(readText('deploy/nginx/security-headers.conf'), nginxSnippet({}),
    'the checked-in snippet is `node web/security-headers.ts` for a build without VITE_FIREBASE_* (regenerate it after changing the definition)')
  const dockerfile = readText('deploy/web.Dockerfile')
  t.match(dockerfile, /RUN node web\/security-headers\.ts > \/app\/security-headers\.conf/, 'the build stage renders it with the build args')
  t.match(dockerfile, /COPY --from=build \/app\/security-headers\.conf \/etc\/nginx\/security-headers\.conf/, 'beside nginx.conf in the image')
  const conf = readText('deploy/nginx/nginx.conf')
  t.equal(conf.match(/include security-headers\.conf;/g)?.length, 1 + (conf.match(/^\s*add_header /gm)?.length ?? 0), 'included by the server and by each location that sets headers')
  t.match(conf, `https "${HSTS}";`, 'the HSTS value nginx maps https to is the definition\'s')
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-nginx-'))
  fs.chmodSync(dir, 0o755) // workers run unprivileged when the test runs as root
  return dir
}

t.test('nginx -t accepts deploy/nginx/nginx.conf', { skip: missing }, async (t) => {
  const dir = tempDir()
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'html'))
  writeConfig(dir, '127.0.0.1:8080', 8080)
  const res = run(nginx!, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')])
  t.equal(res.status, 0, res.stderr)
  t.match(res.stderr, /test is successful/)
})

t.test('nginx serves the site, the SPA fallback and /api as promised', { skip: missing }, async (t) => {
  const dir = tempDir()
  const html = path.join(dir, 'html')
  fs.mkdirSync(path.join(html, 'assets'), { recursive: true })
  // the app's own index.html (its SSI block for mentor pages), and a precompressed copy as the build writes
  const indexHtml = readText('web/index.html')
  fs.writeFileSync(path.join(html, 'index.html'), indexHtml)
  fs.writeFileSync(path.join(html, 'index.html.gz'), zlib.gzipSync(indexHtml))
  fs.writeFileSync(path.join(html, 'assets', 'index-3f2a9c.js'), `console.log(${JSON.stringify('x'.repeat(8000))})\n`)
  // a build's precompressed pair (vite.config.ts writes them): what nginx sends must be these very bytes
  const js = `console.log(${JSON.stringify('y'.repeat(8000))})\n`
  fs.writeFileSync(path.join(html, 'assets', 'main-9b1e77.js'), js)
  fs.writeFileSync(path.join(html, 'assets', 'main-9b1e77.js.br'), zlib.brotliCompressSync(js))
  fs.writeFileSync(path.join(html, 'assets', 'main-9b1e77.js.gz'), zlib.gzipSync(js, { level: 9 }))
  fs.writeFileSync(path.join(html, 'robots.txt'), 'User-agent: *\nAllow: /\n')
  for (const p of [dir, html, path.join(html, 'assets')]) fs.chmodSync(p, 0o755)

  // the gateway stand-in: echoes what reached it
  const upstream = http.createServer((req, res) => {
    // mentor-catalog's head fragment: a known mentor (ids starting 0) or 404
    const head = /^\/api\/mentors\/([0-9a-f-]{36})\/head\?origin=(.*)$/.exec(req.url ?? '')
    if (head) {
      if (!head[1]!.startsWith('0')) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"MENTOR_NOT_FOUND"}}')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>Mentor ${head[1]}</title><link rel="canonical" href="${decodeURIComponent(head[2]!)}/mentors/${head[1]}" />`)
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ url: req.url, headers: req.headers }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const upstreamPort = (upstream.address() as net.AddressInfo).port
  const port = await freePort()
  writeConfig(dir, `127.0.0.1:${upstreamPort}`, port)
  const child = spawn(nginx!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    upstream.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break
    await sleep(50)
  }
  t.equal(child.exitCode, null, `nginx is running ${stderr}`)

  const security = (res: Response, what: string) => {
    t.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`)
    t.equal(res.headers.get('x-frame-options'), 'DENY', `${what}: no framing`)
    t.ok(res.headers.get('referrer-policy'), `${what}: referrer policy`)
  }
  // the page and its files: the production policy, HSTS only when the load balancer says https
  const document = async (url: string, what: string) => {
    const plain = await fetch(url)
    await plain.arrayBuffer()
    const csp = plain.headers.get('content-security-policy')
    t.equal(csp, productionPolicy, `${what}: the Content-Security-Policy of web/security-headers.ts`)
    const d = parsePolicy(csp ?? '')
    t.same(d['script-src'], ["'self'", ...PAYMENT_SDK_ORIGINS.script], `${what}: script-src 'self' and the payment SDKs' (Stripe.js, Toss) only`)
    t.same(d['frame-ancestors'], ["'none'"], `${what}: frame-ancestors 'none'`)
    t.same(d['connect-src'], ["'self'", 'https://identitytoolkit.googleapis.com', 'https://securetoken.googleapis.com', 'https://firestore.googleapis.com', ...PAYMENT_SDK_ORIGINS.connect],
      `${what}: connect-src is the API's origin, Firebase's and the payment providers' APIs`)
    t.equal(plain.headers.get('strict-transport-security'), null, `${what}: no HSTS over plain http`)
    const tls = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } })
    await tls.arrayBuffer()
    t.equal(tls.headers.get('strict-transport-security'), HSTS, `${what}: HSTS when the client came over HTTPS`)
    t.equal(tls.headers.get('content-security-policy'), productionPolicy, `${what}: the same policy over HTTPS`)
  }
  await document(`${base}/`, 'index.html')
  await document(`${base}/mentors/42`, 'an app route')
  await document(`${base}/assets/index-3f2a9c.js`, 'a hashed asset')
  await document(`${base}/healthz`, 'the health check')

  const asset = await fetch(`${base}/assets/index-3f2a9c.js`, { headers: { 'accept-encoding': 'gzip' } })
  t.equal(asset.status, 200)
  t.match(asset.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/, 'hashed assets are cached for a year')
  t.equal(asset.headers.get('content-encoding'), 'gzip', 'gzip')
  security(asset, 'asset')
  t.equal((await fetch(`${base}/assets/missing-1234.js`)).status, 404, 'a missing asset is a 404, not index.html')

  // precompressed files as they are (undici's fetch would decode: node:http gets the raw bytes)
  const raw = (p: string, encoding: string) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get(`${base}${p}`, { headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject)
  })
  const br = await raw('/assets/main-9b1e77.js', 'gzip, deflate, br')
  t.equal(br.headers['content-encoding'], 'br', 'brotli for a client that accepts it')
  t.same(br.body, fs.readFileSync(path.join(html, 'assets', 'main-9b1e77.js.br')), 'the precompressed .br file, as it is')
  t.equal(zlib.brotliDecompressSync(br.body).toString(), js)
  t.match(br.headers['cache-control'] ?? '', /max-age=31536000.*immutable/, 'a precompressed asset is cached for good too')
  t.match(br.headers['vary'] ?? '', /Accept-Encoding/i, 'Vary: Accept-Encoding')
  t.equal(br.headers['content-security-policy'], productionPolicy, 'and carries the security headers')
  const gz = await raw('/assets/main-9b1e77.js', 'gzip')
  t.equal(gz.headers['content-encoding'], 'gzip', 'gzip for a client without brotli')
  t.same(gz.body, fs.readFileSync(path.join(html, 'assets', 'main-9b1e77.js.gz')), 'the precompressed .gz file, as it is')
  const identity = await raw('/assets/main-9b1e77.js', '')
  t.equal(identity.headers['content-encoding'], undefined, 'no encoding for a client that accepts none')
  t.equal(identity.body.toString(), js)

  const robots = await fetch(`${base}/robots.txt`)
  t.equal(robots.status, 200)
  t.match(robots.headers.get('content-type') ?? '', /^text\/plain/, 'robots.txt is text/plain, not the SPA\'s HTML')
  t.equal(await robots.text(), 'User-agent: *\nAllow: /\n')

  const route = await fetch(`${base}/mentors/42?tab=reviews`)
  t.equal(route.status, 200)
  t.match(await route.text(), /id="root"/, 'an app route falls back to index.html')
  t.equal(route.headers.get('cache-control'), 'no-cache', 'index.html is revalidated')
  security(route, 'page')

  // a mentor page: index.html with the catalog's head in place of the site's title (SSI), the SPA's root kept
  const known = '01900000-0000-7000-8000-00000000abcd'
  const mentorPage = await fetch(`${base}/mentors/${known}`, { headers: { 'x-forwarded-proto': 'https' } })
  t.equal(mentorPage.status, 200)
  const mentorHtml = await mentorPage.text()
  t.match(mentorHtml, `<title>Mentor ${known}</title>`, "the mentor's head is included")
  t.match(mentorHtml, `<link rel="canonical" href="https://127.0.0.1:${port}/mentors/${known}" />`, 'with the origin the client came to')
  t.equal(mentorHtml.match(/<title>/g)?.length, 1, 'one title: the default one is left out')
  t.match(mentorHtml, /<div id="root"><\/div>/, 'the SPA is there as on every page')
  t.equal(mentorPage.headers.get('cache-control'), 'no-cache')
  t.equal(mentorPage.headers.get('content-security-policy'), productionPolicy, 'with the security headers')
  const unknown = await (await fetch(`${base}/mentors/91900000-0000-7000-8000-00000000abcd`)).text()
  t.match(unknown, '<title>선배 Sunbae</title>', 'an unknown mentor (404 from the catalog) gets the site title')
  t.notMatch(unknown, 'MENTOR_NOT_FOUND', 'and not the error body')
  t.equal(unknown.match(/<title>/g)?.length, 1)
  const home = await (await fetch(`${base}/`)).text()
  t.match(home, '<title>선배 Sunbae</title>', 'other pages: the site title')
  t.equal(home.match(/<title>/g)?.length, 1)

  const sitemap = await fetch(`${base}/sitemap.xml`, { headers: { 'x-forwarded-proto': 'https' } })
  t.equal(sitemap.status, 200)
  t.equal(((await sitemap.json()) as { url: string }).url, `/api/mentors/sitemap.xml?origin=https://127.0.0.1:${port}`, "/sitemap.xml is the catalog's, for this origin")

  const api = await fetch(`${base}/api/mentors?q=%EB%A9%B4%EC%A0%91`, { headers: { 'x-forwarded-proto': 'https' } })
  t.equal(api.status, 200)
  const echoed = (await api.json()) as { url: string; headers: Record<string, string> }
  t.equal(echoed.url, '/api/mentors?q=%EB%A9%B4%EC%A0%91', '/api is proxied unchanged')
  t.equal(echoed.headers['x-forwarded-for'], '127.0.0.1', 'X-Forwarded-For')
  t.equal(echoed.headers['x-forwarded-proto'], 'https', "X-Forwarded-Proto keeps the load balancer's scheme")
  t.equal(echoed.headers['x-forwarded-host'], `127.0.0.1:${port}`.replace(`:${port}`, ''), 'X-Forwarded-Host')
  t.ok(echoed.headers['x-request-id'], 'a request id')
  security(api, 'api')

  const plain = await fetch(`${base}/api/x`)
  t.equal(((await plain.json()) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'http', 'X-Forwarded-Proto defaults to the connection scheme')
})
