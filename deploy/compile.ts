// The Node image's build step: the workspaces' TypeScript compiled to JavaScript, so a production
// process loads no TypeScript. Node's type stripping (amaro: SWC compiled to WebAssembly) costs every
// process its wasm instance and the memory that instance grows to, kept for the process's life,
// plus the stripping of each module at start (bench/footprint measures both).
//
//   node deploy/compile.ts [--root <install>] [--out <dir>] [--tsc <path to tsc.js>]
//
// In <install> (the image's /app: the pruned workspaces and their node_modules), every workspace's
// src/**/*.ts is compiled next to itself by TypeScript's own compiler (the root's @typescript/native):
// types erased and './x.ts' imports rewritten to './x.js', nothing else, no type checking (CI
// type-checks, with the shared tsconfig whose erasableSyntaxOnly keeps the sources strippable), and each workspace's package.json is rewritten to
// the compiled files: `exports` and the `start` script (compiledStart). With --out, the compiled files
// and the rewritten package.json are also copied to <dir> under the same paths, for an image stage to
// lay over a production install. Development keeps running the .ts sources (npm start, tests).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'

/** A workspace's start command once compiled: `node … src/server.ts` → `node … src/server.js`. */
export function compiledStart(start: string): string {
  return start.replace(/(\S+)\.ts(?=\s|$)/g, '$1.js')
}

/** The workspace folders of an install (its package.json `workspaces` globs, `dir/*` or `dir`) that have a src folder. */
export function workspaceDirs(root: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces?: string[] }
  const out: string[] = []
  for (const pattern of pkg.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? (fs.existsSync(path.join(root, pattern.slice(0, -2))) ? fs.readdirSync(path.join(root, pattern.slice(0, -2))).map((d) => path.join(pattern.slice(0, -2), d)) : [])
      : [pattern]
    for (const d of dirs) if (fs.existsSync(path.join(root, d, 'package.json')) && fs.existsSync(path.join(root, d, 'src'))) out.push(d)
  }
  return out.sort()
}

/** Every `.ts` export target (a string anywhere in `exports`) mapped to its `.js`, if that was compiled. */
function rewriteTargets(value: unknown, dir: string): unknown {
  if (typeof value === 'string') {
    const js = value.replace(/\.ts$/, '.js')
    return value.endsWith('.ts') && !value.endsWith('.d.ts') && fs.existsSync(path.join(dir, js)) ? js : value
  }
  if (Array.isArray(value)) return value.map((v) => rewriteTargets(v, dir))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteTargets(v, dir)]))
  return value
}

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, keep, out)
    else if (keep(p)) out.push(p)
  }
  return out
}

/** The tsc.js of the @typescript/native installed at `root` (its `exports` do not list lib/tsc.js: found by its package.json). */
export function defaultTsc(root: string): string {
  return path.join(path.dirname(createRequire(path.join(root, 'package.json')).resolve('@typescript/native/package.json')), 'lib', 'tsc.js')
}

export interface CompileResult {
  workspaces: string[]
  /** the compiled .js files and rewritten package.json files, relative to the root */
  files: string[]
}

/**
 * Compiles the workspaces of `root` in place (see the header). `tsc`: TypeScript's tsc.js; by default
 * the @typescript/native installed at the root.
 */
export function compileWorkspaces(root: string, tsc: string = defaultTsc(root)): CompileResult {
  const workspaces = workspaceDirs(root)
  const config = path.join(root, 'tsconfig.compile.json')
  fs.writeFileSync(
    config,
    JSON.stringify({
      // what Node's type stripping does, by the compiler: types erased, nothing down-levelled (esnext),
      // imports kept as written (verbatimModuleSyntax) but for './x.ts' → './x.js'
      compilerOptions: {
        target: 'esnext',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        verbatimModuleSyntax: true,
        erasableSyntaxOnly: true,
        allowImportingTsExtensions: true,
        rewriteRelativeImportExtensions: true,
        resolveJsonModule: true,
        isolatedModules: true,
        skipLibCheck: true,
        noCheck: true,
        types: [],
        sourceMap: false,
        declaration: false,
      },
      include: workspaces.map((w) => `${w}/src`),
    }),
  )
  try {
    const res = spawnSync(process.execPath, [tsc, '-p', config, '--listEmittedFiles'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    const emitted = res.stdout
      .split('\n')
      .map((l) => /^TSFILE: (.+)$/.exec(l.trim())?.[1])
      .filter((f): f is string => !!f)
    // without checking, tsc reports only what stops it from emitting
    if (res.status !== 0 || emitted.length === 0) throw new Error(`tsc exited ${res.status} (${emitted.length} files emitted):\n${(res.stdout + res.stderr).slice(-4000)}`)
    const files = emitted.map((f) => path.relative(root, path.resolve(root, f)))
    // every source became a module of its own: nothing left for Node to strip
    const missing = workspaces.flatMap((w) => walk(path.join(root, w, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).filter((f) => !fs.existsSync(f.replace(/\.ts$/, '.js')))
    if (missing.length) throw new Error(`not compiled: ${missing.map((f) => path.relative(root, f)).join(', ')}`)
    for (const w of workspaces) {
      const file = path.join(root, w, 'package.json')
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { exports?: unknown; scripts?: Record<string, string> }
      if (pkg.exports !== undefined) pkg.exports = rewriteTargets(pkg.exports, path.join(root, w))
      if (pkg.scripts?.start) pkg.scripts.start = compiledStart(pkg.scripts.start)
      fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`)
      files.push(path.join(w, 'package.json'))
    }
    return { workspaces, files }
  } finally {
    fs.rmSync(config, { force: true })
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { root: { type: 'string', default: process.cwd() }, out: { type: 'string' }, tsc: { type: 'string' } } })
  const root = path.resolve(values.root!)
  const started = performance.now()
  const { workspaces, files } = compileWorkspaces(root, ...(values.tsc ? [path.resolve(values.tsc)] : []))
  if (values.out) {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(values.out, f)), { recursive: true })
      fs.copyFileSync(path.join(root, f), path.join(values.out, f))
    }
  }
  process.stdout.write(`compiled ${workspaces.length} workspaces (${files.length} files) in ${((performance.now() - started) / 1000).toFixed(1)} s${values.out ? ` → ${values.out}` : ''}\n`)
}
