// The subpath entry points that scripts/test.ts, scripts/start.ts, bench and the e2e stack load:
// they must not load firebase-admin (the package index does), and the repository root they compute
// must stay right now that they live three folders down (packages/testing/src).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { FIREBASE_CONFIG, FIRESTORE_RULES, FIREBASE_TOOLS_DIR, REPO_ROOT } from '../src/emulators.ts'
import { ROOT } from '../src/processes.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..', '..')

/** The module URLs a fresh node process resolves while importing `specifier` (from this folder). */
function resolvedBy(specifier: string): string[] {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = []
    registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r } })
    await import(${JSON.stringify(specifier)})
    process.stdout.write(JSON.stringify(seen))
  `
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8', timeout: 60_000 })
  if (res.status !== 0) throw new Error(`importing ${specifier} failed: ${res.stderr}`)
  return JSON.parse(res.stdout) as string[]
}

t.test('the index loads firebase-admin (so the check below can see it)', async (t) => {
  t.ok(resolvedBy('@sunbae/testing').some((u) => u.includes('/firebase-admin/')))
})

for (const sub of ['emulators', 'nats-server', 'processes', 'offline-env']) {
  t.test(`@sunbae/testing/${sub} loads without firebase-admin`, async (t) => {
    const urls = resolvedBy(`@sunbae/testing/${sub}`)
    t.ok(urls.some((u) => u.includes('/packages/testing/src/')), 'it resolved the package source')
    t.same(urls.filter((u) => u.includes('firebase')), [])
  })
}

t.test('the repository root is computed from the new depth', async (t) => {
  t.equal(REPO_ROOT, repo)
  t.equal(ROOT, `${repo}${path.sep}`)
  t.ok(fs.existsSync(FIREBASE_CONFIG), FIREBASE_CONFIG)
  t.ok(fs.existsSync(FIRESTORE_RULES), FIRESTORE_RULES)
  t.equal(FIREBASE_TOOLS_DIR, path.join(repo, 'tools', 'firebase'))
  t.ok(fs.existsSync(path.join(REPO_ROOT, 'services', 'payment', 'src', 'server.ts')), 'services are found from it')
})

t.test("scripts/lib/repo.ts (seed, user:role) needs no workspace package and agrees", async (t) => {
  const urls = resolvedBy(path.join(repo, 'scripts', 'lib', 'repo.ts'))
  t.same(urls.filter((u) => u.includes('node_modules')), [], 'nothing from node_modules')
  const script = `const m = await import(${JSON.stringify(path.join(repo, 'scripts', 'lib', 'repo.ts'))}); process.stdout.write(JSON.stringify(m))`
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 })
  const { REPO_ROOT: scriptsRoot, OFFLINE_ENV } = JSON.parse(res.stdout) as { REPO_ROOT: string; OFFLINE_ENV: Record<string, string> }
  t.equal(scriptsRoot, repo)
  t.same(OFFLINE_ENV, (await import('../src/offline-env.ts')).OFFLINE_ENV)
})
