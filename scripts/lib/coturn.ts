// coturn for a local stack (npm start, and through it the browser journeys' stack): the TURN relay of
// the video rooms, started from deploy/coturn/turnserver.conf with the local overrides — 127.0.0.1
// only, loopback peers allowed (both browsers are on this machine), a secret generated per run and
// handed to meeting as MEETING_TURN_SECRET with MEETING_TURN_URLS / MEETING_STUN_URLS.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import fs from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './repo.ts'
import { portFree } from './infra.ts'

export const TURNSERVER = '/usr/bin/turnserver'
export const TURN_CONFIG = path.join(REPO_ROOT, 'deploy', 'coturn', 'turnserver.conf')

export interface LocalTurn {
  url: string
  /** what meeting needs to hand out TURN REST credentials for it */
  env: { MEETING_TURN_URLS: string; MEETING_TURN_SECRET: string; MEETING_STUN_URLS: string }
  stop(): Promise<void>
}

/** A UDP port free on 127.0.0.1 (TCP too: coturn listens on both). */
async function freeUdpPort(wanted: number): Promise<number> {
  const tryBind = (port: number) =>
    new Promise<number | null>((resolve) => {
      const s = createSocket('udp4')
      s.once('error', () => s.close(() => resolve(null)))
      s.bind(port, '127.0.0.1', () => {
        const got = s.address().port
        s.close(() => resolve(got))
      })
    })
  if (wanted > 0 && (await tryBind(wanted)) !== null && (await portFree(wanted))) return wanted
  for (;;) {
    const port = await tryBind(0)
    if (port !== null && (await portFree(port))) return port
  }
}

/**
 * Starts turnserver when the binary is there (Debian: apt-get install coturn); null with the reason
 * otherwise. Its relay ports follow the listening port, so two stacks on one machine do not clash.
 */
export async function startLocalTurn(opts: { port: number; logFile: string }): Promise<LocalTurn | { missing: string }> {
  if (!fs.existsSync(TURNSERVER)) return { missing: `${TURNSERVER} is not installed (apt-get install coturn): the video room works without TURN on one machine` }
  const port = await freeUdpPort(opts.port)
  const relayBase = 50_000 + ((port * 16) % 15_000)
  const secret = randomBytes(24).toString('base64url')
  const log = fs.openSync(opts.logFile, 'w')
  const child: ChildProcess = spawn(
    TURNSERVER,
    [
      '-c', TURN_CONFIG,
      '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      `--min-port=${relayBase}`, `--max-port=${relayBase + 15}`,
      '--realm=sunbae.local', `--static-auth-secret=${secret}`,
      '--allowed-peer-ip=127.0.0.1', '--allow-loopback-peers',
      `--pidfile=${opts.logFile}.pid`,
    ],
    { stdio: ['ignore', log, log] },
  )
  fs.closeSync(log)
  // ready once it logs its servers (it prints nothing else that says so)
  const deadline = Date.now() + 15_000
  while (!fs.readFileSync(opts.logFile, 'utf8').includes('turn server id=')) {
    if (child.exitCode !== null) throw new Error(`turnserver exited (${child.exitCode}); see ${opts.logFile}`)
    if (Date.now() > deadline) throw new Error(`turnserver did not start within 15 s; see ${opts.logFile}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const url = `turn:127.0.0.1:${port}?transport=udp`
  return {
    url,
    env: { MEETING_TURN_URLS: `${url},turn:127.0.0.1:${port}?transport=tcp`, MEETING_TURN_SECRET: secret, MEETING_STUN_URLS: `stun:127.0.0.1:${port}` },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
