import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { createSocket } from 'node:dgram'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { chromiumPath } from '@sunbae/testing/chromium'
import { turnCredentials } from '../src/rooms/turn-credentials.ts'

// deploy/coturn/turnserver.conf, validated offline: `turnserver` has no config-check flag, so the
// equivalent — the real coturn started from that file (with the local overrides npm start uses:
// 127.0.0.1, a test realm and secret, loopback allowed) — and a TURN Allocate made by a real browser
// (Chromium's RTCPeerConnection with iceTransportPolicy 'relay') with meeting's TURN REST credentials:
// fresh ones get a relay candidate, expired or wrongly signed ones are refused (401).
const TURNSERVER = '/usr/bin/turnserver'
const CHROMIUM = chromiumPath()
const CONFIG = new URL('../../../deploy/coturn/turnserver.conf', import.meta.url).pathname
const skip = !existsSync(TURNSERVER) ? `${TURNSERVER} is missing (apt-get install coturn)` : !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium)` : false
if (skip) t.comment(`skipping the coturn test: ${skip}`)

const SECRET = 'coturn-test-secret-0123456789'

t.test("k8s/base/coturn/turnserver.conf (the ConfigMap's file: kustomize reads only below k8s/base) is deploy/coturn's", async (t) => {
  t.equal(readFileSync(new URL('../../../k8s/base/coturn/turnserver.conf', import.meta.url), 'utf8'), readFileSync(CONFIG, 'utf8'))
})

t.test('the config never carries a static secret or user', async (t) => {
  const config = readFileSync(CONFIG, 'utf8')
  t.match(config, /^use-auth-secret$/m)
  t.notMatch(config, /^(static-auth-secret|user|lt-cred-mech)(=|\s*$)/m)
  t.match(config, /^min-port=\d+$/m, 'a bounded relay port range')
  t.match(config, /^max-port=\d+$/m)
})

/** A UDP port nobody holds right now. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

t.test('coturn from deploy/coturn accepts meeting’s TURN REST credentials and refuses expired ones', { skip }, async (t) => {
  const port = await freeUdpPort()
  const relayBase = 40_000 + (port % 20_000)
  const dir = mkdtempSync(join(tmpdir(), 'sunbae-coturn-'))
  const turn: ChildProcess = spawn(
    TURNSERVER,
    [
      '-c', CONFIG,
      '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      `--min-port=${relayBase}`, `--max-port=${relayBase + 9}`,
      `--static-auth-secret=${SECRET}`, '--realm=sunbae.test',
      '--allowed-peer-ip=127.0.0.1', `--pidfile=${join(dir, 'turnserver.pid')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let log = ''
  turn.stdout!.on('data', (b: Buffer) => (log += b.toString()))
  turn.stderr!.on('data', (b: Buffer) => (log += b.toString()))
  t.teardown(() => {
    turn.kill('SIGTERM')
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes('turn server id=')) {
        clearInterval(timer)
        resolve()
      }
    }, 50)
    turn.once('exit', (code) => {
      clearInterval(timer)
      reject(new Error(`turnserver exited (${code}) before listening:\n${log}`))
    })
  })
  t.match(log, /Black listing: 10\.0\.0\.0-10\.255\.255\.255/, "started from the deploy config (its denied private ranges)")
  t.match(log, /White listing: 127\.0\.0\.1/, 'with the local override allowing 127.0.0.1 only')
  t.match(log, /--no-tcp-relay/, 'no TCP relays')
  t.notMatch(log, /ERROR/, 'no configuration errors')

  const { chromium } = await import('playwright-core')
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  t.teardown(() => browser.close())
  const page = await browser.newPage()

  /** Gathers candidates through TURN only; answers the relay candidates and the ICE errors' codes (browser code, as source: no DOM types here). */
  const PROBE = `async ({ url, username, credential }) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: url, username, credential }], iceTransportPolicy: 'relay' })
    const relays = []
    const errors = []
    pc.addEventListener('icecandidateerror', (e) => errors.push(e.errorCode))
    const done = new Promise((resolve) => {
      pc.addEventListener('icecandidate', (e) => {
        if (!e.candidate) resolve()
        else if (e.candidate.type === 'relay') relays.push(e.candidate.candidate)
      })
    })
    pc.createDataChannel('probe')
    await pc.setLocalDescription(await pc.createOffer())
    await done
    pc.close()
    return { relays, errors }
  }`
  const allocate = (username: string, credential: string) =>
    page.evaluate(`(${PROBE})(${JSON.stringify({ url: `turn:127.0.0.1:${port}?transport=udp`, username, credential })})`) as Promise<{ relays: string[]; errors: number[] }>

  const fresh = turnCredentials(SECRET, 'uid-fresh', new Date(Date.now() + 10 * 60_000))
  const ok = await allocate(fresh.username, fresh.credential)
  t.ok(ok.relays.length >= 1, `a relay candidate with fresh credentials: ${ok.relays[0] ?? 'none'}`)
  t.match(ok.relays[0], / typ relay /)

  const expired = turnCredentials(SECRET, 'uid-expired', new Date(Date.now() - 60_000))
  const refused = await allocate(expired.username, expired.credential)
  t.same(refused.relays, [], 'no relay with expired credentials')
  t.ok(refused.errors.includes(401), `refused as unauthorised (ICE errors ${refused.errors.join(', ')})`)

  const forged = turnCredentials('not-the-secret-0123456789', 'uid-forged', new Date(Date.now() + 10 * 60_000))
  const wrong = await allocate(forged.username, forged.credential)
  t.same(wrong.relays, [], 'no relay with credentials signed by another secret')
})
