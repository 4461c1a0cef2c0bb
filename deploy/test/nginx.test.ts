// deploy/nginx/nginx.conf: `nginx -t` accepts it, and a real nginx started from it (temp prefix,
// the `gateway` upstream pointed at a local echo server) serves what the web image promises: long
// cache for hashed assets, the SPA fallback, /api proxied with X-Forwarded-*, security headers (the
// Content-Security-Policy of web/security-headers.ts on the page and its files, HSTS over HTTPS only), gzip.
import t from 'tap'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { readText, run, which } from './lib.ts'
import { contentSecurityPolicy, HSTS, nginxSnippet, parsePolicy } from '../../web/security-headers.ts'
import { firebaseTargets } from '../../web/src/lib/firebase-targets.ts'

const nginx = which('nginx') ?? (fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null)
const missing = nginx ? false : 'nginx is not installed (apt-get install nginx-light)'

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
  t.equal(conf.match(/include security-headers\.conf;/g)?.length, 3, 'included by the server and by each location that sets headers')
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
  fs.writeFileSync(path.join(html, 'index.html'), '<!doctype html><div id="root">sunbae</div>')
  fs.writeFileSync(path.join(html, 'assets', 'index-3f2a9c.js'), `console.log(${JSON.stringify('x'.repeat(8000))})\n`)
  for (const p of [dir, html, path.join(html, 'assets')]) fs.chmodSync(p, 0o755)

  // the gateway stand-in: echoes what reached it
  const upstream = http.createServer((req, res) => {
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
    t.same(d['script-src'], ["'self'"], `${what}: script-src 'self'`)
    t.same(d['frame-ancestors'], ["'none'"], `${what}: frame-ancestors 'none'`)
    t.same(d['connect-src'], ["'self'", 'https://identitytoolkit.googleapis.com', 'https://securetoken.googleapis.com', 'https://firestore.googleapis.com'],
      `${what}: connect-src is the API's origin and Firebase's`)
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

  const route = await fetch(`${base}/mentors/42?tab=reviews`)
  t.equal(route.status, 200)
  t.match(await route.text(), /id="root"/, 'an app route falls back to index.html')
  t.equal(route.headers.get('cache-control'), 'no-cache', 'index.html is revalidated')
  security(route, 'page')

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
