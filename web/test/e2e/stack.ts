// Starts the stack exactly as `npm start` does (scripts/start.ts), beside anything a developer runs:
// its own database (<TEST_DATABASE_URL>_e2e, recreated each run), its own NATS server, free ports for
// the gateway and the web dev server, service ports shifted by SERVICE_PORT_OFFSET, logs in
// .run/e2e-logs. Then `npm run seed` (scripts/seed.ts) adds the demo accounts and mentors.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export interface Stack {
  webUrl: string
  gatewayUrl: string
  stop(): Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })

/**
 * An offset that moves every declared service port (4001…4099) onto free ports, all below Linux's
 * ephemeral range (32768–60999): a port there can be taken between the check and the listen by the
 * source port of any outgoing connection (seen: tracking's listen failing with EADDRINUSE).
 */
async function serviceOffset(): Promise<number> {
  const declared = fs
    .readdirSync(path.join(REPO_ROOT, 'services'))
    .map((d) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'services', d, 'package.json'), 'utf8')).sunbae?.port as number | undefined
      } catch {
        return undefined
      }
    })
    .filter((p): p is number => typeof p === 'number')
  for (let i = 0; i < 50; i++) {
    const offset = 20_000 + Math.floor(Math.random() * 80) * 100
    if ((await Promise.all(declared.map((p) => portFree(p + offset)))).every(Boolean)) return offset
  }
  throw new Error('no free service ports found')
}

/** Recreates the e2e database so every run starts from the same state. */
async function freshDatabase(testUrl: string): Promise<string> {
  const url = new URL(testUrl)
  const name = `${url.pathname.slice(1) || 'sunbae_test'}_e2e`
  const admin = new URL(testUrl)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
  url.pathname = `/${name}`
  return url.toString()
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`))
    })
  })
}

/**
 * One e2e stack at a time in this checkout: every stack recreates the same database and NATS store
 * (and kills a stale NATS it finds there), and two of them would not fit on a small machine anyway.
 * A second journey file waits here until the first one's stack has stopped (a dead holder's lock is
 * taken over).
 */
async function stackLock(log: (msg: string) => void, timeoutMs = 600_000): Promise<() => void> {
  const file = path.join(REPO_ROOT, '.run', 'e2e-stack.lock')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const deadline = Date.now() + timeoutMs
  let said = false
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
      return () => fs.rmSync(file, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = Number(fs.readFileSync(file, 'utf8').trim() || 0)
    let alive = false
    try {
      if (holder) process.kill(holder, 0)
      alive = holder > 0
    } catch {
      alive = false
    }
    if (!alive) {
      fs.rmSync(file, { force: true })
      continue
    }
    if (!said) log(`waiting for the e2e stack of process ${holder} to stop`)
    said = true
    if (Date.now() > deadline) throw new Error(`another e2e stack (process ${holder}) is still running`)
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

/**
 * The stack, started as `npm start` starts it, seeded. On a loaded 2-core machine a start sometimes
 * fails (a service not ready within start.ts' 90 s, a port taken between check and listen): that
 * start is stopped and reported, and one more is made, on a fresh database and fresh ports.
 */
export async function startStack(log: (msg: string) => void): Promise<Stack> {
  try {
    return await startStackOnce(log)
  } catch (err) {
    log(`the stack did not start; starting it once more. ${(err as Error).message.split('\n')[0]}`)
    return startStackOnce(log)
  }
}

async function startStackOnce(log: (msg: string) => void): Promise<Stack> {
  const natsBinary = findNatsServer()
  if (!natsBinary) throw new Error('nats-server not found (see packages/testing/src/nats-server.ts)')
  const unlock = await stackLock(log)
  let databaseUrl: string
  let nats: PrivateNats
  try {
    databaseUrl = await freshDatabase(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/sunbae_test')
    nats = await startPrivateNats(natsBinary, path.join(REPO_ROOT, '.run', 'e2e-nats'))
  } catch (err) {
    unlock()
    throw err
  }
  const [gatewayPort, webPort, offset] = await Promise.all([freePort(), freePort(), serviceOffset()])
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    NATS_URL: nats.url,
    GATEWAY_PORT: String(gatewayPort),
    WEB_PORT: String(webPort),
    SERVICE_PORT_OFFSET: String(offset),
    START_LOG_DIR: path.join(REPO_ROOT, '.run', 'e2e-logs'),
    WEB_WATCH: 'off',
    // The web dev server is started through npm, as `npm start` does.
    npm_execpath: process.env.npm_execpath || path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  }
  // Its own process group, so stopping it also ends whatever it could not stop itself.
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  const logDir = env.START_LOG_DIR!
  fs.mkdirSync(logDir, { recursive: true })
  const startLog = fs.createWriteStream(path.join(logDir, 'start.out'))
  child.stdout!.on('data', (d: Buffer) => startLog.write(d))
  child.stderr!.on('data', (d: Buffer) => startLog.write(d))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          /* already gone */
        }
      }, 20_000)
      await exited
      clearTimeout(timer)
    }
    await nats.stop()
    unlock()
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the stack did not start within 120 s:\n${out.slice(-3000)}`)), 120_000)
      const onData = (d: Buffer) => {
        out += d
        if (out.includes('Sunbae is running.')) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', (d: Buffer) => (out += d))
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`scripts/start.ts exited (${code}) before the stack was ready:\n${out.slice(-3000)}`))
      })
    })
    log(`stack up: gateway ${gatewayUrl}, web http://127.0.0.1:${webPort}`)
    await run(process.execPath, ['scripts/seed.ts'], { ...env, GATEWAY_URL: gatewayUrl }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- scripts/start.ts said:\n${out.slice(-2000)}`)
    })
    log('seeded')
  } catch (err) {
    await stop()
    throw err
  }
  return { webUrl: `http://127.0.0.1:${webPort}`, gatewayUrl, stop }
}
