// `npm run bench:footprint` — each service and the gateway started ALONE, as production starts them
// (`node --import @sunbae/telemetry/register src/server.ts`, scripts/lib/platform.ts), reporting:
// - cold start: spawn → first 200 from /readyz, and the same minus the read models' build
//   (mentor-catalog's search index, matching's mentor index log their `buildMs`);
// - CPU spent by then (/proc/<pid>/stat), and while idle (ms of CPU per second: polling, timers);
// - idle RSS after --idle seconds without traffic (/proc/<pid>/status VmRSS) and the V8 heap in use
//   (the process's own prom-client gauge, read from /metrics after the RSS);
// and the bare cost of the telemetry register: `node --import @sunbae/telemetry/register -e 0` vs
// `node -e 0` (CPU and peak RSS from the process's own resourceUsage).
//
// --variants telemetry,none also starts every process without the register (no OpenTelemetry at
// all): the variants are interleaved per process within each round, so their ratio is taken on the
// same machine state. --rounds N gives the median and the spread.
//
// Its own database (FOOTPRINT_DATABASE_URL, default sunbae_footprint on the local Postgres: db:setup,
// migrate, then the 2,000 generated demo mentors imported once), its own nats-server (a temporary
// store), a mail sink, and the running Firebase emulators (started when none run). Nothing else is
// shared with a developer's stack. Prints a Markdown table; --json for the raw figures.
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
import { localPlatformEnv, platformProcesses, SERVER_ARGS, type PlatformProcess } from '../../scripts/lib/platform.ts'
import { REPO_ROOT } from '../../scripts/lib/repo.ts'
import { benchOptions } from '../lib/options.ts'
import { spread } from '../lib/stats.ts'

const opts = benchOptions({
  numbers: { rounds: [3, 1, 20], idle: [20, 1, 600], 'ready-timeout': [180, 10, 900] },
  flags: ['json', 'skip-seed'],
  text: ['only', 'variants'],
})
const ADMIN_URL = process.env.FOOTPRINT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sunbae_footprint'
const MENTORS_FILE = path.join(REPO_ROOT, 'scripts', 'data', 'gen-mentors-2000.jsonl')
const VARIANTS = (opts.text.variants ?? 'telemetry').split(',').map((v) => v.trim())
for (const v of VARIANTS) if (v !== 'telemetry' && v !== 'none') throw new Error(`--variants: telemetry and/or none, not ${v}`)
const only = opts.text.only?.split(',').map((s) => s.trim())
const say = (m: string) => process.stderr.write(`${m}\n`)
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

function npm(script: string, env: Record<string, string>, args: string[] = []): void {
  const PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`
  const res = spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: REPO_ROOT, env: { ...env, PATH }, encoding: 'utf8' })
  if (res.status !== 0) throw new Error(`npm run ${script} exited ${res.status}:\n${(res.stdout + res.stderr).slice(-3000)}`)
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

interface Sample {
  name: string
  variant: string
  readyMs: number
  buildMs: number
  cpuAtReadyS: number
  /** CPU the process used while idle, ms per second (timers, polling, probes' absence) */
  idleCpuMsPerS: number
  idleRssMb: number
  heapUsedMb: number
}

async function measure(spec: PlatformProcess, variant: string, idleS: number, readyTimeoutS: number): Promise<Sample> {
  const args = variant === 'none' ? SERVER_ARGS.filter((a) => a !== '--import' && a !== '@sunbae/telemetry/register') : SERVER_ARGS
  const t0 = performance.now()
  const child = spawn(process.execPath, args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] })
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
    const metrics = await (await fetch(`${spec.url}/metrics`)).text()
    const heap = /^\w*nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(metrics)
    return { name: spec.name, variant, readyMs, buildMs, cpuAtReadyS, idleCpuMsPerS, idleRssMb, heapUsedMb: heap ? Number(heap[1]) / 2 ** 20 : NaN }
  } finally {
    const exited = child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
  }
}

/** `node [--import register] -e 0` in a service's folder: CPU and peak RSS from its own resourceUsage at exit. */
function bareRun(cwd: string, variant: string): { cpuS: number; maxRssMb: number } {
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
  const bare: { variant: string; cpuS: number; maxRssMb: number }[] = []
  for (let round = 1; round <= opts.rounds; round++) {
    for (const variant of ['telemetry', 'none']) bare.push({ variant, ...bareRun(specs[0]!.cwd, variant) })
    for (const spec of specs) {
      for (const variant of VARIANTS) {
        const s = await measure(spec, variant, opts.idle, opts['ready-timeout'])
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
    `bench:footprint ${new Date().toISOString()}, ${opts.rounds} round(s), idle ${opts.idle} s, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${os.cpus().length} CPUs; median (min–max)`,
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
  lines.push('', '| `node … -e 0` | CPU, s | peak RSS, MB |', '|---|---|---|')
  for (const variant of [...new Set(bare.map((b) => b.variant))]) {
    const xs = bare.filter((b) => b.variant === variant)
    lines.push(`| ${variant === 'none' ? 'bare node' : '--import @sunbae/telemetry/register'} | ${fmt(xs.map((b) => b.cpuS), 2)} | ${fmt(xs.map((b) => b.maxRssMb))} |`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  if (opts.json) process.stdout.write(`${JSON.stringify({ samples, bare })}\n`)
} finally {
  await cleanup()
}
