// Lint (including the service-boundary rules) and the TypeScript type check are part of the test
// run, so a type error or a boundary violation fails CI like any other broken test.
//
// The same checks as `npm run lint` and `npm run typecheck` (eslint ., tsc -p tsconfig.json, tsc -p
// web/tsconfig.json), started at once instead of one after the other. The type check is TypeScript 7's
// native compiler (`@typescript/native`, an npm alias of typescript@7): ~4× less CPU than TypeScript 6's
// (root 60.8 → 14.7 s, web 21.2 → 7.7 s of CPU, measured side by side). typescript-eslint still needs
// TypeScript 6's JavaScript API, so `typescript` stays 6 for eslint's parser. Each has its own cache under
// node_modules/.cache/sunbae-static: eslint's --cache (by file content, not mtime: a checkout touches
// every file) and tsc's --incremental build info. A clean clone has no cache and checks everything;
// a cache only lets a later run skip files whose content (and, for tsc, whose dependencies) did not
// change, with the same result.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const cache = `${root}node_modules/.cache/sunbae-static`
mkdirSync(cache, { recursive: true })
// The whole repo's lint and type check take about a minute of CPU; beside the other suites on these
// 2-core machines that can be minutes, over tap's default 180 s per file, so this file gets longer.
t.setTimeout(900_000)

/**
 * TypeScript 7's tsc by its own path (`node_modules/.bin/tsc` is whichever of 6 and 7 npm linked last):
 * its lib/tsc.js, an ES module by its extension — tap's process-info hook, which every child spawned
 * here inherits, loads the extensionless bin/tsc through require() and fails (ERR_REQUIRE_CYCLE_MODULE)
 */
const TSC = 'node_modules/@typescript/native/lib/tsc.js'

const run = (bin: string, args: string[]) =>
  new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [`${root}${bin}`, ...args], { cwd: root, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c))
    child.stderr.on('data', (c: Buffer) => (output += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000)
    child.on('error', (err) => (output += `\n${err.message}`))
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, output: output.trim() })
    })
  })

const lint = run('node_modules/eslint/bin/eslint.js', ['.', '--cache', '--cache-strategy', 'content', '--cache-location', `${cache}/eslint`])
const tscRoot = run(TSC, ['-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', `${cache}/tsc-root.tsbuildinfo`])
const tscWeb = run(TSC, ['-p', 'web/tsconfig.json', '--incremental', '--tsBuildInfoFile', `${cache}/tsc-web.tsbuildinfo`])

t.test('eslint passes on the whole repo', async (t) => {
  const res = await lint
  t.equal(res.status, 0, res.output.slice(-4000))
})

t.test('tsc passes on every workspace and the scripts', async (t) => {
  const res = await tscRoot
  t.equal(res.status, 0, res.output.slice(-4000))
})

t.test('tsc passes on the web app', async (t) => {
  const res = await tscWeb
  t.equal(res.status, 0, res.output.slice(-4000))
})
