// What the images run, without Docker: the Node image's recipe replayed on this machine — `turbo prune`
// of every deployable, `npm ci --omit=dev` (production dependencies only), the pruned sources compiled
// to JavaScript as the build stage compiles them (deploy/compile.ts) — then each service and the
// gateway started with the image's CMD (read from deploy/node.Dockerfile), in
// production mode, against a database and a NATS server of this test's own — run with the platform's
// NATS users (@sunbae/bus/nats-auth), each process signed in as its own. A smoke run through the
// gateway: sign-in with the Auth emulator, the account mirror, search, a request to another service;
// then the NATS server's log holds no permission violation.
//
// The installed dependencies are kept in .run/deploy-smoke/<test database>/, keyed by the pruned lockfile, so only the
// first run (or a dependency change) pays for `npm ci` (≈ 30 s here).
import t from 'tap'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DockerfileParser } from 'dockerfile-ast'
import pg from 'pg'
import { DEFAULT_ADMIN_URL, DEV_PASSWORD, databaseName, dropDatabase, serviceDatabaseUrl, withDatabase } from '@sunbae/db'
import { identityKey } from '@sunbae/service-kit/identity'
import { authEmulatorMissing, createEmulatorUser } from '@sunbae/testing'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { natsAuth } from '@sunbae/bus/nats-auth'
import { nodeDeployables, readText, ROOT, run } from './lib.ts'
import { compileWorkspaces } from '../compile.ts'
import budgets from '../../bench/footprint/budgets.json' with { type: 'json' }

const natsBinary = findNatsServer()
const skip = authEmulatorMissing() || (natsBinary ? false : 'nats-server is not installed (the smoke run starts a NATS of its own)')
const ADMIN_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_ADMIN_URL
// per test database, so two runs on one machine (each with its own TEST_DATABASE_URL) never share it
const CACHE = path.join(ROOT, '.run', 'deploy-smoke', databaseName(ADMIN_URL))
const READY_MS = Number(process.env.DEPLOY_SMOKE_READY_MS ?? 180_000)

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as net.AddressInfo
  await new Promise((resolve) => srv.close(resolve))
  return port
}

/** The CMD of the Node image's final stage, as argv. */
function imageCommand(): string[] {
  const df = DockerfileParser.parse(readText('deploy/node.Dockerfile'))
  const cmd = df.getCMDs().at(-1)
  if (!cmd) throw new Error('deploy/node.Dockerfile has no CMD')
  return JSON.parse(cmd.getArgumentsContent()!) as string[]
}

/** The NODE_OPTIONS the Node image's final stage sets (its V8 settings), or ''. */
function imageNodeOptions(): string {
  const df = DockerfileParser.parse(readText('deploy/node.Dockerfile'))
  const lastFrom = df.getFROMs().at(-1)!.getRange().start.line
  const env = df.getENVs().filter((e) => e.getRange().start.line > lastFrom).flatMap((e) => e.getProperties())
  return env.find((p) => p.getName() === 'NODE_OPTIONS')?.getValue() ?? ''
}

/** Replace a workspace folder's files with the pruned sources, keeping its installed node_modules. */
function syncSources(from: string, to: string) {
  fs.mkdirSync(to, { recursive: true })
  for (const e of fs.readdirSync(to)) if (e !== 'node_modules') fs.rmSync(path.join(to, e), { recursive: true, force: true })
  for (const e of fs.readdirSync(from)) fs.cpSync(path.join(from, e), path.join(to, e), { recursive: true })
}

// npm ci on a cold cache plus seven processes starting on a busy 2-core machine can pass the runner's
// 180 s per-file limit; a top-level setTimeout extends it.
t.setTimeout(480_000)
t.test('a production install of the images runs the platform through the gateway', { skip, timeout: 420_000 }, async (t) => {
  const started = Date.now()
  const deployables = await nodeDeployables()
  const workspaces = deployables.map((d) => (JSON.parse(readText(`${d.dir}/package.json`)) as { name: string }).name)

  // 1. turbo prune --docker, as the image's prune stage does
  const pruned = path.join(CACHE, 'pruned')
  fs.rmSync(pruned, { recursive: true, force: true })
  const prune = run(path.join(ROOT, 'node_modules', '.bin', 'turbo'), ['prune', ...workspaces, '--docker', '--out-dir', pruned], { timeout: 60_000 })
  t.equal(prune.status, 0, `turbo prune: ${prune.stderr}`)
  if (prune.status !== 0) return

  // 2. npm ci --omit=dev on the pruned manifests (cached by their hash)
  const app = path.join(CACHE, 'app')
  const hash = createHash('sha256')
  const manifests = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort()
  for (const f of manifests(path.join(pruned, 'json'))) hash.update(f.slice(pruned.length)).update(fs.readFileSync(f))
  const stamp = `${process.version} ${hash.digest('hex')}`
  const stampFile = path.join(app, '.sunbae-smoke-install')
  if (!fs.existsSync(stampFile) || fs.readFileSync(stampFile, 'utf8') !== stamp) {
    fs.rmSync(app, { recursive: true, force: true })
    fs.cpSync(path.join(pruned, 'json'), app, { recursive: true })
    const install = run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, timeout: 180_000 })
    t.equal(install.status, 0, `npm ci --omit=dev: ${install.stderr.slice(-2000)}`)
    if (install.status !== 0) return
    fs.writeFileSync(stampFile, stamp)
  }
  for (const e of fs.readdirSync(path.join(pruned, 'full'), { withFileTypes: true })) {
    const from = path.join(pruned, 'full', e.name)
    if (!e.isDirectory()) fs.cpSync(from, path.join(app, e.name))
    else if (e.name === 'gateway') syncSources(from, path.join(app, 'gateway'))
    else for (const ws of fs.readdirSync(from)) syncSources(path.join(from, ws), path.join(app, e.name, ws))
  }
  const rootDev = Object.keys((JSON.parse(readText('package.json')) as { devDependencies: Record<string, string> }).devDependencies)
  const installedDev = rootDev.filter((p) => !p.startsWith('@sunbae/') && fs.existsSync(path.join(app, 'node_modules', p)) && !isProdDependency(app, p))
  t.same(installedDev, [], 'no development-only dependency is installed')
  t.comment(`production install ready after ${((Date.now() - started) / 1000).toFixed(1)} s`)

  // 3. a database and a NATS of this test's own
  const dbUrl = withDatabase(ADMIN_URL, `${databaseName(ADMIN_URL)}_smoke`.slice(0, 63))
  await dropDatabase(dbUrl)
  // db:setup and migrate from the production install, as the tools image runs them (compose `setup`,
  // the k8s Job); production mode needs every role's password (the dev one: roles are cluster-wide)
  const services = deployables.filter((d) => d.schema)
  const setupEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    ...Object.fromEntries(services.map((d) => [`DB_PASSWORD_${d.schema!.toUpperCase()}`, DEV_PASSWORD])),
  }
  for (const script of ['db:setup', 'migrate']) {
    const res = spawnSync('npm', ['run', '--silent', script], { cwd: app, env: setupEnv, encoding: 'utf8', timeout: 120_000 })
    t.equal(res.status, 0, `npm run ${script} in the production install: ${res.stdout}${res.stderr}`.slice(0, 2000))
    if (res.status !== 0) return
  }
  // 3b. the image's build stage: the workspaces compiled to JavaScript (deploy/compile.ts), here with
  // this checkout's compiler (a production install has none); the tools above ran the TypeScript, as the
  // tools image does
  try {
    compileWorkspaces(app, path.join(ROOT, 'node_modules', '@typescript', 'native', 'lib', 'tsc.js'))
  } catch (err) {
    t.fail(`deploy/compile.ts in the production install: ${(err as Error).message}`)
    return
  }

  // the users and permissions production runs with (k8s: the sunbae-nats Secret), tracking's durables under this run's prefix
  const natsUsers = natsAuth(path.join(CACHE, 'nats-auth'), { trackingDurablePrefix: 'smoke' })
  const nats = await startPrivateNats(natsBinary!, path.join(CACHE, 'nats'), { config: natsUsers.configPath })
  const natsLog = path.join(CACHE, 'nats', 'nats.log')
  const procs: { name: string; child: ChildProcess; log: string[] }[] = []
  t.teardown(async () => {
    for (const p of procs.reverse()) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM')
    await Promise.all(procs.map((p) => (p.child.exitCode === null && p.child.signalCode === null ? new Promise((r) => p.child.once('exit', r)) : null)))
    await nats.stop()
    await dropDatabase(dbUrl).catch(() => {})
  })

  // 4. every service, then the gateway, with the image's command and production settings
  const argv = imageCommand()
  const identitySecret = randomBytes(32).toString('base64url')
  const common: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    NATS_URL: nats.url,
    LOG_LEVEL: 'info',
    FIREBASE_PROJECT_ID: 'demo-sunbae',
    FIREBASE_AUTH_EMULATOR_HOST: process.env.FIREBASE_AUTH_EMULATOR_HOST!,
    ...(process.env.FIRESTORE_EMULATOR_HOST ? { FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST } : { CHAT_SYNC_ENABLED: 'false' }),
    METADATA_SERVER_DETECTION: 'none',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    TRACKING_DURABLE_PREFIX: 'smoke',
  }
  // every process's output, kept after the run: .run/deploy-smoke/<test database>/logs/<name>.log
  const logDir = path.join(CACHE, 'logs')
  fs.rmSync(logDir, { recursive: true, force: true })
  fs.mkdirSync(logDir, { recursive: true })
  const ports = new Map<string, number>()
  for (const d of deployables) ports.set(d.name, await freePort())
  const start = (name: string, dir: string, env: Record<string, string>) => {
    const [cmd, ...args] = argv
    // The image's NODE_OPTIONS, and type stripping off: a process that still loaded a .ts file (an export or import the compile
    // missed, which would bring the stripper's memory back) fails to start instead of passing unseen.
    const noTypeScript = { NODE_OPTIONS: `${imageNodeOptions()} --no-experimental-strip-types`.trim() }
    const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, { cwd: path.join(app, dir), env: { ...common, ...env, ...noTypeScript }, stdio: ['ignore', 'pipe', 'pipe'] })
    const log: string[] = []
    const file = fs.createWriteStream(path.join(logDir, `${name}.log`))
    const keep = (d: Buffer) => {
      file.write(d)
      log.push(d.toString())
      if (log.length > 50) log.shift()
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    child.once('exit', () => file.end())
    procs.push({ name, child, log })
  }
  // Production has no sandbox: payment starts with a real provider, as the aws overlay's Secret gives it.
  // Stripe cannot be reached from a test, so its API is an address on this machine nobody listens on
  // (the smoke run makes no payment; payment needs the provider only for a payment).
  const provider = {
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: `sk_test_smoke_${randomBytes(12).toString('hex')}`,
    STRIPE_WEBHOOK_SECRET: `whsec_smoke_${randomBytes(12).toString('hex')}`,
    STRIPE_PUBLISHABLE_KEY: `pk_test_smoke_${randomBytes(12).toString('hex')}`,
    STRIPE_API_URL: `http://127.0.0.1:${await freePort()}`,
  }
  for (const d of services) {
    start(d.name, d.dir, {
      PORT: String(ports.get(d.name)),
      OTEL_SERVICE_NAME: d.name,
      DATABASE_URL: serviceDatabaseUrl(dbUrl, d.schema!),
      // as deployed: a service holds only its own identity key, the gateway the secret they derive from
      IDENTITY_KEY: identityKey(identitySecret, d.name),
      NATS_NKEY_SEED: natsUsers.seeds[d.name as keyof typeof natsUsers.seeds],
      ...(d.name === 'payment' ? provider : {}),
    })
  }
  const upstreams = Object.fromEntries(deployables.filter((x) => x.schema).map((d) => [`${d.schema!.toUpperCase()}_URL`, `http://127.0.0.1:${ports.get(d.name)}`]))
  // The gateway refuses the Auth emulator in production mode (as in docker-compose.yml, it runs in
  // development mode against the emulator); everything else is as deployed.
  start('gateway', 'gateway', { ...upstreams, NODE_ENV: 'development', PORT: String(ports.get('gateway')), OTEL_SERVICE_NAME: 'gateway', IDENTITY_SECRET: identitySecret, NATS_NKEY_SEED: natsUsers.seeds.gateway })

  const deadline = Date.now() + READY_MS
  for (const p of procs) {
    const url = `http://127.0.0.1:${ports.get(p.name)}/readyz`
    let ready = false
    while (!ready && Date.now() < deadline && p.child.exitCode === null) {
      ready = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)
      if (!ready) await sleep(250)
    }
    t.ok(ready, `${p.name} is ready`, ready ? {} : { exitCode: p.child.exitCode, signal: p.child.signalCode, url, log: p.log.join('').slice(-3000) })
    if (!ready) return
  }
  t.comment(`all ready after ${((Date.now() - started) / 1000).toFixed(1)} s`)

  // 5. the smoke run, through the gateway only
  const gw = `http://127.0.0.1:${ports.get('gateway')}`
  const user = await createEmulatorUser({ displayName: 'Smoke Test' })
  const auth = { authorization: `Bearer ${user.idToken}`, 'content-type': 'application/json' }
  t.equal((await fetch(`${gw}/api/me`)).status, 401, 'no token → 401')
  const put = await fetch(`${gw}/api/me`, { method: 'PUT', headers: auth, body: JSON.stringify({ displayName: 'Smoke Test' }) })
  t.equal(put.status, 201, 'PUT /api/me mirrors the emulator account')
  const me = (await (await fetch(`${gw}/api/me`, { headers: auth })).json()) as { email?: string }
  t.equal(me.email, user.email, 'GET /api/me is the signed-in user')
  const search = await fetch(`${gw}/api/mentors?q=${encodeURIComponent('면접')}`)
  t.equal(search.status, 200, 'public search')
  t.match(await search.json(), { items: Array, total: Number }, 'a search result')
  const prefs = await fetch(`${gw}/api/matching/preferences`, { headers: auth })
  t.equal(prefs.status, 200, 'a request to matching through the gateway')
  const trending = await fetch(`${gw}/api/tracking/keywords/trending`)
  t.equal(trending.status, 200, 'a public request to tracking')

  // RED metrics on every process (service-kit's plugin), scraped as Prometheus does: by the pod's
  // address, never through the gateway (it forwards /api/… only, so a service's /metrics is not public)
  for (const p of procs) {
    const res = await fetch(`http://127.0.0.1:${ports.get(p.name)}/metrics`)
    const text = await res.text()
    t.equal(res.status, 200, `${p.name}: /metrics answers`)
    t.match(text, /# TYPE http_server_request_duration_seconds histogram/, `${p.name}: request duration histogram`)
    t.match(text, /# TYPE http_server_errors_total counter/, `${p.name}: error counter`)
  }
  const catalogMetrics = await (await fetch(`http://127.0.0.1:${ports.get('mentor-catalog')}/metrics`)).text()
  t.match(catalogMetrics, /http_server_requests_total\{method="PUT",route="\/api\/me",status_code="201"\} 1/, 'mentor-catalog counted PUT /api/me by its route')
  t.match(catalogMetrics, /http_server_requests_total\{method="GET",route="\/api\/mentors",status_code="200"\} [1-9]/, 'and the search, without its query string')
  t.match(await (await fetch(`${gw}/metrics`)).text(), /http_server_errors_total\{method="GET",route="\/api\/me[^"]*",class="4xx"\} [1-9]/, "the gateway counted the 401 as its route's error")

  // JetStream under each service's own NATS user: the account's event left mentor-catalog's outbox and
  // notification's durable took it (created, pulled and acked as notification)
  const db = new pg.Client({ connectionString: dbUrl })
  await db.connect()
  try {
    let handled = 0
    for (const until = Date.now() + 60_000; handled === 0 && Date.now() < until; ) {
      const res = await db.query<{ n: string }>("select count(*) as n from notification.processed_events where consumer = 'notification_catalog'")
      handled = Number(res.rows[0]!.n)
      if (!handled) await sleep(250)
    }
    t.ok(handled > 0, "mentor-catalog's account event reached notification's durable over NATS")
  } finally {
    await db.end()
  }
  const violations = fs.readFileSync(natsLog, 'utf8').split('\n').filter((l) => /Violation/i.test(l))
  t.same(violations, [], 'the NATS server refused nothing any process did')

  // Memory against its budget (bench/footprint/budgets.json, workingRssMb: this run's figures on a quiet
  // machine): every process has served the run above; its resident set is read from /proc once — a
  // measurement of the real process, no timing involved. A regression beyond the margin fails here.
  for (const p of procs) {
    const budget = (budgets.workingRssMb as Record<string, number>)[p.name]
    if (!t.ok(budget, `${p.name} has a working-RSS budget`)) continue
    const status = fs.readFileSync(`/proc/${p.child.pid}/status`, 'utf8')
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
    const ceiling = budget! * (1 + budgets.marginRatio)
    t.ok(rss <= ceiling, `${p.name}: RSS after the run ${rss.toFixed(0)} MiB ≤ ${ceiling.toFixed(0)} (budget ${budget} MiB + ${budgets.marginRatio * 100} %)`)
  }

  // 6. a graceful stop, as Kubernetes sends it
  for (const p of [...procs].reverse()) p.child.kill('SIGTERM')
  const exits = await Promise.all(procs.map((p) => (p.child.exitCode !== null ? p.child.exitCode : new Promise<number | null>((r) => p.child.once('exit', (code) => r(code))))))
  t.same(exits, procs.map(() => 0), 'every process exits 0 on SIGTERM')
  t.comment(`smoke run took ${((Date.now() - started) / 1000).toFixed(1)} s`)
})

/** Whether a root devDependency is also needed in production by a workspace (then npm keeps it). */
function isProdDependency(app: string, pkg: string): boolean {
  const lock = JSON.parse(fs.readFileSync(path.join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
  return lock.packages[`node_modules/${pkg}`]?.dev !== true
}
