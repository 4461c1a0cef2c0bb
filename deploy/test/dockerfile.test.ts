// The Dockerfiles pass a Dockerfile linter (dockerfile-utils: the validator behind the Dockerfile
// language server of VS Code's Docker extension; hadolint is not packaged for Debian or npm), every
// rule at "error", and hold what the images promise: Turborepo prune, multi-stage, Node 24,
// production dependencies only, non-root, tini, compiled JavaScript, and the start command `npm start`
// uses (compiled).
import t from 'tap'
import { validate, type ValidatorSettings } from 'dockerfile-utils'
import { DockerfileParser } from 'dockerfile-ast'
import { nodeDeployables, readCompose, readText } from './lib.ts'
import { compiledStart } from '../compile.ts'

const FILES = ['deploy/node.Dockerfile', 'deploy/web.Dockerfile', 'deploy/emulators/Dockerfile']
const ERROR = 1 as const
const strict: ValidatorSettings = {
  deprecatedMaintainer: ERROR,
  directiveCasing: ERROR,
  emptyContinuationLine: ERROR,
  instructionCasing: ERROR,
  instructionCmdMultiple: ERROR,
  instructionEntrypointMultiple: ERROR,
  instructionHealthcheckMultiple: ERROR,
  instructionJSONInSingleQuotes: ERROR,
  instructionWorkdirRelative: ERROR,
}

t.test('the linter itself flags a bad Dockerfile (so a clean result means something)', async (t) => {
  const problems = validate('FROM node:24\nrun echo hi\nCMD a\nCMD b\nWORKDIR relative\n', strict)
  t.ok(problems.length >= 3, problems.map((p) => p.message).join('\n'))
})

for (const file of FILES) {
  t.test(`${file} passes the Dockerfile linter`, async (t) => {
    const problems = validate(readText(file), strict)
    t.same(problems.map((p) => `${file}:${p.range.start.line + 1}: ${p.message}`), [])
  })
}

/** Instructions of the named stage (or the last one), as [keyword, raw arguments]. */
function stage(file: string, name?: string): [string, string][] {
  const df = DockerfileParser.parse(readText(file))
  const froms = df.getFROMs()
  const from = name ? froms.find((f) => f.getBuildStage() === name) : froms.at(-1)
  if (!from) throw new Error(`${file}: no stage ${name}`)
  const start = from.getRange().start.line
  const next = froms.find((f) => f.getRange().start.line > start)?.getRange().start.line ?? Infinity
  return df
    .getInstructions()
    .filter((i) => i.getRange().start.line >= start && i.getRange().start.line < next)
    .map((i) => [i.getKeyword(), i.getArgumentsContent() ?? ''])
}
const has = (s: [string, string][], keyword: string, re: RegExp) => s.some(([k, a]) => k === keyword && re.test(a))

t.test('node image: pruned, multi-stage, Node 24, production deps, non-root, tini, the npm start command', async (t) => {
  const file = 'deploy/node.Dockerfile'
  t.match(readText(file), /^ARG NODE_IMAGE=node:24-/m, 'Node 24')
  t.ok(has(stage(file, 'prune'), 'RUN', /turbo prune "\$@" --docker/), 'turbo prune --docker')
  t.ok(has(stage(file, 'deps'), 'RUN', /npm ci --omit=dev/), 'production dependencies only')
  t.ok(has(stage(file, 'base'), 'RUN', /apt-get install -y --no-install-recommends tini/), 'tini installed')
  const final = stage(file)
  t.equal(DockerfileParser.parse(readText(file)).getFROMs().at(-1)!.getBuildStage(), 'service', 'the default target is a service')
  t.ok(has(final, 'USER', /^node$/), 'runs as the unprivileged node user')
  t.ok(has(final, 'ENTRYPOINT', /"\/usr\/bin\/tini", "--"/), 'tini is PID 1')
  const cmd = final.find(([k]) => k === 'CMD')![1]
  const argv = JSON.parse(cmd) as string[]
  // The same command as each deployable's `npm start` script (scripts/start.ts runs it likewise), on
  // the JavaScript the build stage compiled from it (deploy/compile.ts rewrites the script the same way).
  for (const d of await nodeDeployables()) {
    const pkg = JSON.parse(readText(`${d.dir}/package.json`)) as { scripts?: { start?: string } }
    t.equal(argv.join(' '), compiledStart(pkg.scripts?.start ?? ''), `${d.name}: the image's CMD is its compiled npm start script`)
  }
  t.match(argv.join(' '), /\.js$/, 'the image starts JavaScript, not TypeScript')
  t.ok(has(stage(file, 'build'), 'RUN', /^node deploy\/compile\.ts --out \/out\/compiled$/), 'the build stage compiles the pruned workspaces')
  t.ok(has(stage(file, 'build'), 'RUN', /^npm ci --ignore-scripts$/), 'with the full install (the compiler is a development dependency)')
  t.ok(has(final, 'COPY', /^\/out\/compiled\/ \.\/$/), 'the service image lays the compiled files over the production install')
  t.ok(has(final, 'ENV', /^NODE_OPTIONS=--max-semi-space-size=\d+$/), "V8's young generation capped (its idle RSS, see the comment there)")
  const tools = stage(file, 'tools')
  t.ok(has(tools, 'USER', /^node$/), 'the tools image is non-root too')
  t.ok(has(tools, 'COPY', /--from=deps/) || has(tools, 'COPY', /^\/app\/ \.\/$/), 'the tools image is the production install too')
  t.same(JSON.parse(tools.find(([k]) => k === 'CMD')![1]), ['sh', '-c', 'npm run db:setup && npm run migrate'], 'the tools image sets up and migrates by default')
  t.ok(has(stage(file, 'prune'), 'RUN', /readdirSync\('services'\)/), 'without SERVICE every service is pruned in (the tools image)')
})

t.test('web image: built, then served by unprivileged nginx with the repo nginx.conf', async (t) => {
  const file = 'deploy/web.Dockerfile'
  t.ok(has(stage(file, 'build'), 'RUN', /npm run build --workspace=@sunbae\/web/), 'vite build')
  const final = stage(file)
  t.ok(has(final, 'COPY', /deploy\/nginx\/nginx\.conf \/etc\/nginx\/nginx\.conf/), 'our nginx.conf')
  t.ok(has(final, 'COPY', /\/app\/web\/dist\/ \/usr\/share\/nginx\/html\//), 'the built site')
  t.ok(has(final, 'USER', /^101$/), 'non-root')
  t.ok(has(final, 'EXPOSE', /^8080$/), 'listens on 8080')
})

t.test('emulators image: built from deploy/ with the rules and indexes of deploy/firebase', async (t) => {
  const file = 'deploy/emulators/Dockerfile'
  const final = stage(file)
  t.ok(has(final, 'COPY', /firebase\/firestore\.rules firebase\/firestore\.indexes\.json/), 'rules and index file')
  t.ok(has(final, 'USER', /^node$/), 'non-root')
  const fb = JSON.parse(readText('deploy/emulators/firebase.json')) as { emulators: Record<string, { host?: string; port?: number }> }
  const local = JSON.parse(readText('deploy/firebase/firebase.json')) as { emulators: Record<string, { host?: string; port?: number }> }
  for (const e of ['auth', 'firestore']) {
    t.equal(fb.emulators[e]!.host, '0.0.0.0', `${e} listens beyond the container`)
    t.equal(fb.emulators[e]!.port, local.emulators[e]!.port, `${e} on the same port as npm start's`)
  }
  t.equal(readCompose().services.firebase?.build?.dockerfile, 'emulators/Dockerfile')
})
