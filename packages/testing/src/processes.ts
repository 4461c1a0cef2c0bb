// @sunbae/testing/processes — real service processes for cross-process tests, started exactly as
// production starts them (`node --import @sunbae/telemetry/register src/server.ts` in their folder),
// by path: a service's code never imports another deployable. No firebase-admin here.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

/** The repository root with a trailing slash (this file is packages/testing/src/processes.ts). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface Proc {
  name: string
  child: ChildProcess
  /** everything it wrote (the last 100–200 kB), for failure messages */
  output(): string
  /** resolves with the exit code/signal */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** A service started by startService: where it listens. */
export interface ServiceProc extends Proc {
  url: string
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

/** Spawns `<dir>/src/server.ts` (dir relative to the repository root) with exactly `env`. */
export function startProcess(name: string, dir: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', '@sunbae/telemetry/register', 'src/server.ts'], {
    cwd: `${ROOT}${dir}`,
    env,
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
  return { name, child, output: () => out, exited }
}

/** Waits until GET url answers 2xx; fails with the process' output when it exits or does not answer in time. */
export async function waitReady(url: string, p: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited early:\n${p.output().slice(-4000)}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      if (res.ok) return
      last = `${res.status} ${(await res.text()).slice(0, 300)}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(100)
  }
  throw new Error(`${p.name} not ready at ${url} (${last}):\n${p.output().slice(-4000)}`)
}

/** Starts `services/<name>` on a free port and waits for its /readyz (killed if it never gets ready). */
export async function startService(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProc> {
  const port = await freePort()
  const p = startProcess(name, `services/${name}`, { ...env, PORT: String(port) })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitReady(`${url}/readyz`, p, timeoutMs)
  } catch (err) {
    p.child.kill('SIGKILL')
    throw err
  }
  return { ...p, url }
}

/** Sends `signal`, and SIGKILL when the process has not exited 10 s later. */
export async function stopProcess(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return
  p.child.kill(signal)
  const done = await Promise.race([p.exited.then(() => true), sleep(10_000).then(() => false)])
  if (!done) {
    p.child.kill('SIGKILL')
    await p.exited
  }
}
