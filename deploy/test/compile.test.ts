// deploy/compile.ts, the Node image's build stage, on a workspace of its own: the TypeScript compiled
// next to itself, './x.ts' imports and package.json exports and start script pointed at the .js, and
// the result runs with Node's type stripping off (what a production process must never need).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { compiledStart, compileWorkspaces } from '../compile.ts'
import { ROOT } from './lib.ts'

t.test('compiledStart: the .ts operands of a start script become .js', async (t) => {
  t.equal(compiledStart('node --import @sunbae/telemetry/register src/server.ts'), 'node --import @sunbae/telemetry/register src/server.js')
  t.equal(compiledStart('node src/a.ts --flag'), 'node src/a.js --flag')
})

t.test('a workspace compiled in place runs without type stripping', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-compile-'))
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    fs.writeFileSync(path.join(root, file), text)
  }
  write('package.json', JSON.stringify({ name: 'x', private: true, type: 'module', workspaces: ['packages/*'] }))
  write('packages/a/package.json', JSON.stringify({ name: '@x/a', type: 'module', exports: { '.': './src/index.ts', './b': './src/b.ts' }, scripts: { start: 'node src/server.ts' } }))
  write('packages/a/src/b.ts', "export interface Named { name: string }\nexport const greet = (n: Named): string => `hello ${n.name}`\n")
  write('packages/a/src/index.ts', "import type { Named } from './b.ts'\nimport { greet } from './b.ts'\nconst who: Named = { name: 'compiled' }\nexport const message: string = greet(who)\n")
  write('packages/a/src/server.ts', "const { message } = await import('./index.ts')\nprocess.stdout.write(message)\n")
  // the compiler as the build stage finds it: @typescript/native installed at the root
  fs.mkdirSync(path.join(root, 'node_modules'))
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@typescript'), path.join(root, 'node_modules', '@typescript'))

  const { workspaces, files } = compileWorkspaces(root)
  t.same(workspaces, ['packages/a'])
  t.same(files.sort(), ['packages/a/package.json', 'packages/a/src/b.js', 'packages/a/src/index.js', 'packages/a/src/server.js'])
  const index = fs.readFileSync(path.join(root, 'packages/a/src/index.js'), 'utf8')
  t.match(index, /from '\.\/b\.js'/, 'relative imports point at the .js')
  t.notMatch(index, /: Named|import type/, 'types erased')
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'packages/a/package.json'), 'utf8')) as { exports: Record<string, string>; scripts: { start: string } }
  t.same(pkg.exports, { '.': './src/index.js', './b': './src/b.js' }, 'exports point at the .js')
  t.equal(pkg.scripts.start, 'node src/server.js', 'the start script too')

  const run = spawnSync(process.execPath, ['--no-experimental-strip-types', 'src/server.js'], { cwd: path.join(root, 'packages/a'), encoding: 'utf8' })
  t.equal(run.stderr, '')
  t.equal(run.stdout, 'hello compiled', "the dynamic import('./index.ts') was rewritten too")
})
