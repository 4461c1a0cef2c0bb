// Real service processes for the cross-process tests, started as production starts them
// (`node --import @sunbae/telemetry/register src/server.ts` in their folder), by path: payment's
// code never imports meeting's.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface Proc {
  name: string
  url: string
  child: ChildProcess
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** Starts `services/<name>` on a free port and waits for /readyz. */
export async function startService(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Proc> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', '@sunbae/telemetry/register', 'src/server.ts'], {
    cwd: `${ROOT}services/${name}`,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (d: Buffer) => {
    out += d.toString()
    if (out.length > 200_000) out = out.slice(-100_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const p: Proc = { name, url: `http://127.0.0.1:${port}`, child, output: () => out, exited }
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited early:\n${out.slice(-4000)}`)
    try {
      const res = await fetch(`${p.url}/readyz`, { signal: AbortSignal.timeout(1_000) })
      if (res.ok) return p
      last = `${res.status}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new Error(`${name} not ready (${last}):\n${out.slice(-4000)}`)
}

export async function stopService(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return
  p.child.kill(signal)
  const done = await Promise.race([p.exited.then(() => true), sleep(10_000).then(() => false)])
  if (!done) {
    p.child.kill('SIGKILL')
    await p.exited
  }
}
