// `npm run bench:footprint` — each service and the gateway started ALONE, as production starts them
// (the Node image's CMD, deploy/node.Dockerfile: `node --import @sunbae/telemetry/register
// src/server.js` on the JavaScript its build stage compiles, deploy/compile.ts — here compiled the same
// way into a copy of the workspaces whose node_modules link to the checkout's), reporting:
// - cold start: spawn → first 200 from /readyz, and the same minus the read models' build
//   (mentor-catalog's search index, matching's mentor index log their `buildMs`);
// - CPU spent by then (/proc/<pid>/stat), and while idle (ms of CPU per second: polling, timers);
// - idle RSS after --idle seconds without traffic (/proc/<pid>/status VmRSS) and the V8 heap in use
//   (the process's own prom-client gauge, read from /metrics after the RSS);
// - where that RSS is (/proc/<pid>/smaps: file-backed, malloc, WebAssembly memories, the rest; V8's
//   heap and external memory from /metrics);
// and the bare cost of the telemetry register: `node --import @sunbae/telemetry/register -e 0` vs
// `node -e 0` (CPU and peak RSS from the process's own resourceUsage).
//
// --variants (comma-separated; interleaved per process within each round, so their ratios are taken on
// the same machine state; --rounds N gives the median and the spread):
// - production (the default): the image's command on the compiled JavaScript, with the NODE_OPTIONS the
//   image sets (its young-generation cap);
// - source: the image as it was before: the register and `src/server.ts` on the TypeScript sources
//   (Node's type stripping, `npm start`'s command), no NODE_OPTIONS;
// - none: production without the register (no OpenTelemetry at all);
// - flags: production with --flags '<node options>' after `node` (to try V8 flags, e.g.
//   `--max-semi-space-size=1`).
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { serviceDatabaseUrl } from '@sunbae/db'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { freePort } from '@sunbae/testing/processes'
import { startEmulators } from '@sunbae/testing/emulators'
import { startMailSink } from '@sunbae/notification/mail-sink'
import { DockerfileParser } from 'dockerfile-ast'
import { compileWorkspaces, workspaceDirs } from '../../deploy/compile.ts'
import { localPlatformEnv, platformProcesses, SERVER_ARGS, type PlatformProcess } from '../../scripts/lib/platform.ts'
import { REPO_ROOT } from '../../scripts/lib/repo.ts'
import { benchOptions } from '../lib/options.ts'
import { spread } from '../lib/stats.ts'

const opts = benchOptions({
  numbers: { rounds: [3, 1, 20], idle: [20, 1, 600], 'ready-timeout': [180, 10, 900] },
  flags: ['json', 'skip-seed'],
  text: ['only', 'variants', 'flags'],
})
const ADMIN_URL = process.env.FOOTPRINT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae_footprint'
const MENTORS_FILE = path.join(REPO_ROOT, 'scripts', 'data', 'gen-mentors-2000.jsonl')
const VARIANT_NAMES = ['production', 'source', 'none', 'flags'] as const
type Variant = (typeof VARIANT_NAMES)[number]
const VARIANTS = (opts.text.variants ?? 'production').split(',').map((v) => v.trim()) as Variant[]
for (const v of VARIANTS) if (!VARIANT_NAMES.includes(v)) throw new Error(`--variants: ${VARIANT_NAMES.join(', ')}; not ${v}`)
if (VARIANTS.includes('flags') !== Boolean(opts.text.flags)) throw new Error('--flags goes with --variants …,flags (and that variant needs it)')
const FLAGS = opts.text.flags?.split(/\s+/).filter(Boolean) ?? []
const only = opts.text.only?.split(',').map((s) => s.trim())
const say = (m: string) => process.stderr.write(`${m}\n`)
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

function npm(script: string, env: Record<string, string>, args: string[] = []): void {
  const PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`
  const res = spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: REPO_ROOT, env: { ...env, PATH }, encoding: 'utf8' })
  if (res.status !== 0) throw new Error(`npm run ${script} exited ${res.status}:\n${(res.stdout + res.stderr).slice(-3000)}`)
}

/** The CMD of the Node image's final stage (deploy/node.Dockerfile), as argv, and the NODE_OPTIONS that stage sets. */
function imageCommand(): string[] {
  const df = DockerfileParser.parse(fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'node.Dockerfile'), 'utf8'))
  const cmd = df.getCMDs().at(-1)
  if (!cmd) throw new Error('deploy/node.Dockerfile has no CMD')
  return JSON.parse(cmd.getArgumentsContent()!) as string[]
}
function imageNodeOptions(): string {
  const df = DockerfileParser.parse(fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'node.Dockerfile'), 'utf8'))
  const lastFrom = df.getFROMs().at(-1)!.getRange().start.line
  const env = df.getENVs().filter((e) => e.getRange().start.line > lastFrom).flatMap((e) => e.getProperties())
  return env.find((p) => p.getName() === 'NODE_OPTIONS')?.getValue() ?? ''
}
const withoutRegister = (args: string[]) => args.filter((a, i) => !(a === '--import' && args[i + 1] === '@sunbae/telemetry/register') && a !== '@sunbae/telemetry/register')

/**
 * The workspaces (all but the web) copied to `dest` and compiled there as the image's build stage
 * compiles them; dest/node_modules links every installed package to the checkout's, and
 * @sunbae/<name> to the copies, as a production install lays them out.
 */
function compiledInstall(dest: string): void {
  const started = performance.now()
  fs.mkdirSync(path.join(dest, 'node_modules', '@sunbae'), { recursive: true })
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dest, 'package.json'))
  for (const e of fs.readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
    if (e !== '@sunbae' && e !== '.bin') fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', e), path.join(dest, 'node_modules', e))
  }
  for (const w of workspaceDirs(REPO_ROOT).filter((w) => w !== 'web')) {
    const from = path.join(REPO_ROOT, w)
    const to = path.join(dest, w)
    fs.cpSync(from, to, { recursive: true, filter: (src) => src !== path.join(from, 'node_modules') })
    if (fs.existsSync(path.join(from, 'node_modules'))) fs.symlinkSync(path.join(from, 'node_modules'), path.join(to, 'node_modules'))
    const { name } = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8')) as { name: string }
    fs.symlinkSync(to, path.join(dest, 'node_modules', name))
  }
  const { files } = compileWorkspaces(dest, path.join(REPO_ROOT, 'node_modules', '@typescript', 'native', 'lib', 'tsc.js'))
  say(`compiled the workspaces as the image does: ${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

/** CPU seconds (user + system) a live process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

/**
 * Where a process's resident memory is, from /proc/<pid>/smaps (MiB): file-backed pages (the node
 * binary's code and data, shared libraries, native addons), glibc's main malloc heap ([heap]), and
 * the anonymous rest by the reservation it belongs to — contiguous anonymous mappings (the
 * accessible part and its inaccessible tail) are one reservation: ≥ 4 GiB of address space is a
 * WebAssembly memory with its guard region (amaro, Node's TypeScript stripper, is one), exactly
 * 64 MiB a malloc arena of another thread; the remainder is V8's heap and code, stacks and mmap'd
 * malloc blocks (the V8 heap's own share is reported from /metrics beside it).
 */
interface MemoryMap {
  fileMb: number
  nodeBinaryMb: number
  mallocHeapMb: number
  threadArenasMb: number
  wasmMb: number
  otherAnonMb: number
}
function memoryMap(pid: number): MemoryMap {
  const exe = fs.realpathSync(`/proc/${pid}/exe`)
  const out: MemoryMap = { fileMb: 0, nodeBinaryMb: 0, mallocHeapMb: 0, threadArenasMb: 0, wasmMb: 0, otherAnonMb: 0 }
  let group: { end: number; size: number; rss: number } | undefined
  const closeGroup = () => {
    if (!group) return
    if (group.size >= 4 * 2 ** 30) out.wasmMb += group.rss
    else if (group.size === 64 * 2 ** 20) out.threadArenasMb += group.rss
    else out.otherAnonMb += group.rss
    group = undefined
  }
  let current: { start: number; end: number; path: string } | undefined
  const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const h = head.exec(line)
    if (h) {
      current = { start: parseInt(h[1]!, 16), end: parseInt(h[2]!, 16), path: h[3]! }
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (!rss || !current) continue
    const mb = Number(rss[1]) / 1024
    const { start, end, path: file } = current
    if (file === '[heap]') out.mallocHeapMb += mb
    else if (file.startsWith('/')) {
      out.fileMb += mb
      if (file === exe) out.nodeBinaryMb += mb
    } else if (file === '' || file.startsWith('[anon')) {
      if (group && group.end === start) {
        group.end = end
        group.size += end - start
        group.rss += mb
      } else {
        closeGroup()
        group = { end, size: end - start, rss: mb }
      }
      continue
    } else out.otherAnonMb += mb // [stack], [vvar], [vdso]
    closeGroup()
  }
  closeGroup()
  return out
}

interface Sample {
  name: string
  variant: Variant
  readyMs: number
  buildMs: number
  cpuAtReadyS: number
  /** CPU the process used while idle, ms per second (timers, polling, probes' absence) */
  idleCpuMsPerS: number
  idleRssMb: number
  heapUsedMb: number
  /** V8's heap as committed, its external memory (Buffers, wasm memories' backing stores are not in it), from /metrics */
  heapTotalMb: number
  externalMb: number
  /** of the committed heap: the young generation's semi-spaces, and the code space */
  newSpaceMb: number
  codeSpaceMb: number
  map: MemoryMap
}

/**
 * How a variant starts a process: node's arguments, the folder (the checkout's, or the compiled
 * copy's) and NODE_OPTIONS (the image's, e.g. its young-generation cap; `source` is the image as it was
 * before: the sources, no options).
 */
function command(spec: PlatformProcess, variant: Variant, compiledRoot: string): { args: string[]; cwd: string; nodeOptions: string } {
  const image = imageCommand().slice(1)
  const nodeOptions = imageNodeOptions()
  const compiledCwd = path.join(compiledRoot, path.relative(REPO_ROOT, spec.cwd))
  switch (variant) {
    case 'production':
      return { args: image, cwd: compiledCwd, nodeOptions }
    case 'source':
      return { args: SERVER_ARGS, cwd: spec.cwd, nodeOptions: '' }
    case 'none':
      return { args: withoutRegister(image), cwd: compiledCwd, nodeOptions }
    case 'flags':
      return { args: [...FLAGS, ...image], cwd: compiledCwd, nodeOptions }
  }
}

async function measure(spec: PlatformProcess, variant: Variant, compiledRoot: string, idleS: number, readyTimeoutS: number): Promise<Sample> {
  const { args, cwd, nodeOptions } = command(spec, variant, compiledRoot)
  const env = { ...spec.env, NODE_OPTIONS: [spec.env.NODE_OPTIONS, nodeOptions].filter(Boolean).join(' ') }
  const t0 = performance.now()
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let buildMs = 0
  child.stdout.on('data', (d: Buffer) => {
    out += d
    let i
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i)
      out = out.slice(i + 1)
      const m = /"buildMs":(\d+(?:\.\d+)?)/.exec(line)
      if (m) buildMs += Number(m[1])
    }
  })
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err = (err + d).slice(-3000)))
  try {
    const deadline = Date.now() + readyTimeoutS * 1000
    let readyMs = NaN
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${spec.name} exited ${child.exitCode}: ${err}`)
      const ok = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false)
      if (ok) {
        readyMs = performance.now() - t0
        break
      }
      await sleep(25)
    }
    if (!Number.isFinite(readyMs)) throw new Error(`${spec.name} not ready within ${readyTimeoutS} s: ${err}`)
    const cpuAtReadyS = cpuSeconds(child.pid!)
    await sleep(idleS * 1000)
    const idleCpuMsPerS = ((cpuSeconds(child.pid!) - cpuAtReadyS) * 1000) / idleS
    const idleRssMb = rssMb(child.pid!)
    const map = memoryMap(child.pid!)
    const metrics = await (await fetch(`${spec.url}/metrics`)).text()
    const gauge = (name: string) => {
      const m = new RegExp(`^\\w*${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, 'm').exec(metrics)
      return m ? Number(m[1]) / 2 ** 20 : NaN
    }
    return {
      name: spec.name,
      variant,
      readyMs,
      buildMs,
      cpuAtReadyS,
      idleCpuMsPerS,
      idleRssMb,
      heapUsedMb: gauge('nodejs_heap_size_used_bytes'),
      heapTotalMb: gauge('nodejs_heap_size_total_bytes'),
      externalMb: gauge('nodejs_external_memory_bytes'),
      newSpaceMb: gauge('nodejs_heap_space_size_total_bytes\\{space="new"\\}'),
      codeSpaceMb: gauge('nodejs_heap_space_size_total_bytes\\{space="code"\\}'),
      map,
    }
  } finally {
    const exited = child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
  }
}

/**
 * `node [--import register] -e 0` in a service's folder: CPU and peak RSS from its own resourceUsage at
 * exit. `cwd` decides which register: the compiled copy's (JavaScript) or the checkout's (TypeScript).
 */
function bareRun(cwd: string, variant: 'register' | 'none'): { cpuS: number; maxRssMb: number } {
  const report = "process.on('exit',()=>{const r=process.resourceUsage();process.stdout.write(JSON.stringify({cpu:(r.userCPUTime+r.systemCPUTime)/1e6,rss:r.maxRSS/1024}))})"
  const args = [...(variant === 'none' ? [] : ['--import', '@sunbae/telemetry/register']), '-e', report]
  const res = spawnSync(process.execPath, args, { cwd, env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' }, encoding: 'utf8' })
  const j = JSON.parse(res.stdout) as { cpu: number; rss: number }
  return { cpuS: j.cpu, maxRssMb: j.rss }
}

const natsBinary = findNatsServer()
if (!natsBinary) throw new Error('nats-server not found (apt-get install nats-server)')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-footprint-'))
const nats = await startPrivateNats(natsBinary, path.join(work, 'nats'), { port: await freePort() })
const emulators = await startEmulators({ auth: true, firestore: true, logDir: path.join(work, 'emulators'), log: say })
const mail = await startMailSink({ dir: path.join(work, 'mail'), port: 0 })
const cleanup = async () => {
  await mail.close()
  await nats.stop()
  await emulators.stop()
  fs.rmSync(work, { recursive: true, force: true })
}
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)))

try {
  const baseEnv: Record<string, string> = {
    ...localPlatformEnv(process.env, nats.url),
    ...(emulators.env as Record<string, string>),
    NODE_ENV: 'development',
    IDENTITY_SECRET: randomBytes(32).toString('base64url'),
    SMTP_URL: mail.url,
    LOG_LEVEL: 'info',
    // as production: the default sampler, no exporter (none configured here)
    OTEL_TRACES_SAMPLER: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  }
  npm('db:setup', { ...baseEnv, DATABASE_URL: ADMIN_URL })
  npm('migrate', { ...baseEnv, DATABASE_URL: ADMIN_URL })
  if (!opts['skip-seed']) {
    const db = new pg.Client({ connectionString: serviceDatabaseUrl(ADMIN_URL, 'mentor_catalog') })
    await db.connect()
    const n = Number((await db.query<{ n: string }>('select count(*) as n from mentors')).rows[0]!.n)
    await db.end()
    if (n < 2000) {
      say(`importing the 2,000 demo mentors (${n} there)…`)
      npm('seed', { ...baseEnv, DATABASE_URL: ADMIN_URL }, ['--mentors', MENTORS_FILE])
    }
  }
  const specs = (await platformProcesses({ adminUrl: ADMIN_URL, baseEnv, servicePort: () => freePort(), gatewayPort: await freePort() })).filter((s) => !only || only.includes(s.name))

  const samples: Sample[] = []
  const compiledRoot = path.join(work, 'app')
  compiledInstall(compiledRoot)
  const bareCases = [
    { label: 'bare node', cwd: specs[0]!.cwd, variant: 'none' as const },
    { label: '--import @sunbae/telemetry/register (compiled)', cwd: path.join(compiledRoot, path.relative(REPO_ROOT, specs[0]!.cwd)), variant: 'register' as const },
    { label: '--import @sunbae/telemetry/register (TypeScript sources)', cwd: specs[0]!.cwd, variant: 'register' as const },
  ]
  const bare: { label: string; cpuS: number; maxRssMb: number }[] = []
  for (let round = 1; round <= opts.rounds; round++) {
    for (const b of bareCases) bare.push({ label: b.label, ...bareRun(b.cwd, b.variant) })
    for (const spec of specs) {
      for (const variant of VARIANTS) {
        const s = await measure(spec, variant, compiledRoot, opts.idle, opts['ready-timeout'])
        samples.push(s)
        say(`round ${round} ${spec.name} (${variant}): ready ${s.readyMs.toFixed(0)} ms (build ${s.buildMs.toFixed(0)} ms), CPU ${s.cpuAtReadyS.toFixed(2)} s, idle CPU ${s.idleCpuMsPerS.toFixed(1)} ms/s, idle RSS ${s.idleRssMb.toFixed(0)} MB, heap ${s.heapUsedMb.toFixed(0)} MB`)
      }
    }
  }

  const fmt = (xs: number[], digits = 0) => {
    const s = spread(xs)
    return xs.length > 1 ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : s.median.toFixed(digits)
  }
  const lines = [
    `bench:footprint ${new Date().toISOString()}, ${opts.rounds} round(s), idle ${opts.idle} s${FLAGS.length ? `, flags: ${FLAGS.join(' ')}` : ''}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${os.cpus().length} CPUs; median (min–max)`,
    '',
    '| process | variant | cold start to /readyz, ms | minus index build, ms | CPU by ready, s | idle CPU, ms/s | idle RSS, MB | heap used, MB |',
    '|---|---|---|---|---|---|---|---|',
  ]
  for (const spec of specs) {
    for (const variant of VARIANTS) {
      const xs = samples.filter((s) => s.name === spec.name && s.variant === variant)
      lines.push(
        `| ${spec.name} | ${variant} | ${fmt(xs.map((s) => s.readyMs))} | ${fmt(xs.map((s) => s.readyMs - s.buildMs))} | ${fmt(xs.map((s) => s.cpuAtReadyS), 2)} | ${fmt(xs.map((s) => s.idleCpuMsPerS), 1)} | ${fmt(xs.map((s) => s.idleRssMb))} | ${fmt(xs.map((s) => s.heapUsedMb))} |`,
      )
    }
  }
  lines.push(
    '',
    'Where the idle RSS is (MiB, /proc/<pid>/smaps; V8 heap and external from /metrics): file-backed (of it the node binary), malloc main heap, other threads\' malloc arenas, WebAssembly memories (≥ 4 GiB reservations), other anonymous (V8 heap and code, stacks, large malloc blocks)',
    '',
    '| process | variant | RSS | file (node) | malloc heap | thread arenas | wasm | other anon | V8 heap committed (used) | of it new space | code space | external |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  )
  for (const spec of specs) {
    for (const variant of VARIANTS) {
      const xs = samples.filter((s) => s.name === spec.name && s.variant === variant)
      const m = (f: (s: Sample) => number) => fmt(xs.map(f))
      lines.push(
        `| ${spec.name} | ${variant} | ${m((s) => s.idleRssMb)} | ${m((s) => s.map.fileMb)} (${m((s) => s.map.nodeBinaryMb)}) | ${m((s) => s.map.mallocHeapMb)} | ${m((s) => s.map.threadArenasMb)} | ${m((s) => s.map.wasmMb)} | ${m((s) => s.map.otherAnonMb)} | ${m((s) => s.heapTotalMb)} (${m((s) => s.heapUsedMb)}) | ${m((s) => s.newSpaceMb)} | ${m((s) => s.codeSpaceMb)} | ${m((s) => s.externalMb)} |`,
      )
    }
  }
  lines.push('', '| `node … -e 0` | CPU, s | peak RSS, MB |', '|---|---|---|')
  for (const { label } of bareCases) {
    const xs = bare.filter((b) => b.label === label)
    lines.push(`| ${label} | ${fmt(xs.map((b) => b.cpuS), 2)} | ${fmt(xs.map((b) => b.maxRssMb))} |`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  if (opts.json) process.stdout.write(`${JSON.stringify({ samples, bare })}\n`)
} finally {
  await cleanup()
}
