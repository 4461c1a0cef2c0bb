// `npm start` keeps the platform up when a service crashes: the shared e2e stack is scripts/start.ts,
// so this kills one of its services with SIGKILL and watches start.ts restart it (a line in its
// console) while the gateway keeps answering; the service then serves again. It runs last in the
// journeys' lane (one file at a time), so no journey sees the gap. No browser.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { handoff } from './browser.ts'

const given = handoff()
const SERVICE = 'tracking'
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..')

/** The pid of the stack's service: a `src/server.ts` in services/<name> started with this stack's log folder. */
function servicePid(logDir: string, name: string): number | null {
  const dir = path.join(REPO_ROOT, 'services', name)
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) !== dir) continue
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('src/server.ts')) continue
      if (!fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`START_LOG_DIR=${logDir}`)) continue
      return Number(entry)
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return null
}

async function until<T>(what: string, check: () => Promise<T | null> | T | null, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== null) return v
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

const skip = 'skip' in given ? given.skip : 'error' in given ? false : fs.existsSync('/proc/self/environ') ? false : 'no /proc here'
t.test('npm start restarts a service killed with SIGKILL, with a line in its console, and the rest keeps serving', { skip }, async (t) => {
  if ('error' in given) throw new Error(given.error)
  if (!('logDir' in given)) throw new Error('no log folder in the e2e handoff')
  const console = path.join(given.logDir, 'start.out')
  const before = await until(`${SERVICE}'s process`, () => servicePid(given.logDir, SERVICE))
  const restartsBefore = fs.readFileSync(console, 'utf8').split(`[${SERVICE}] restarted`).length
  process.kill(before, 'SIGKILL')

  await until('the restart line', () => (fs.readFileSync(console, 'utf8').split(`[${SERVICE}] restarted`).length > restartsBefore ? true : null))
  t.match(fs.readFileSync(console, 'utf8'), new RegExp(`\\[${SERVICE}\\] exited \\(SIGKILL\\); restarting in 1 s`), 'the console says what happened')
  t.notMatch(fs.readFileSync(console, 'utf8'), /Stopping…/, 'the platform was not stopped')

  const mentors = await fetch(`${given.gatewayUrl}/api/mentors?pageSize=1`)
  t.equal(mentors.status, 200, 'the other services kept serving')
  const after = await until(`${SERVICE} back`, () => servicePid(given.logDir, SERVICE))
  t.not(after, before, 'a new process')
  const trending = await until(`${SERVICE} serving through the gateway`, async () => {
    const res = await fetch(`${given.gatewayUrl}/api/tracking/keywords/trending`).catch(() => null)
    return res?.status === 200 ? res : null
  })
  t.equal(trending.status, 200)
})
