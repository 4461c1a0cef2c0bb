import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { TEST_IDENTITY_SECRET } from '../src/testing.ts'

t.test('SIGTERM lets the in-flight request finish, then the process exits 0', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/slow-service.ts', import.meta.url))
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, PORT: '0', IDENTITY_SECRET: TEST_IDENTITY_SECRET, LOG_LEVEL: 'warn', SLOW_MS: '1500' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => void child.kill('SIGKILL'))
  let out = ''
  const seen = (marker: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const line = out.split('\n').find((l) => l.startsWith(marker))
        if (line) resolve(line)
      }
      child.stdout.on('data', (d) => {
        out += d
        check()
      })
      check()
    })
  const listening = await seen('LISTENING')
  const { port } = JSON.parse(listening.slice('LISTENING '.length))

  const inflight = request(`http://127.0.0.1:${port}/slow`)
  await seen('SLOW_REQUEST_STARTED')
  const exited = once(child, 'exit')
  child.kill('SIGTERM')

  const res = await inflight
  t.equal(res.statusCode, 200, 'in-flight request completed')
  t.same(await res.body.json(), { done: true })
  const [code] = await exited
  t.equal(code, 0, 'clean exit')
  await t.rejects(request(`http://127.0.0.1:${port}/healthz`), 'no longer accepting')
})
