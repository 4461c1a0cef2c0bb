// Lint (including the service-boundary rules) and the TypeScript type check are part of the test
// run, so a type error or a boundary violation fails CI like any other broken test.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
// The whole repo's lint and type check take about two minutes on these 2-core machines when quiet, more
// beside the other suites; tap's default 180 s per file is too tight for that, so this file gets longer.
t.setTimeout(900_000)
const run = (script: string) =>
  spawnSync('npm', ['run', '--silent', script], { cwd: root, encoding: 'utf8', timeout: 600_000, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } })

t.test('eslint passes on the whole repo', async (t) => {
  const res = run('lint')
  t.equal(res.status, 0, `${res.stdout}\n${res.stderr}`.trim().slice(-4000))
})

t.test('tsc passes on every workspace and the scripts', async (t) => {
  const res = run('typecheck')
  t.equal(res.status, 0, `${res.stdout}\n${res.stderr}`.trim().slice(-4000))
})
