// `npm run bench:faults` — the fault suite (issue 19): the platform on a stack of its own (a private
// nats-server with a JetStream store, a Postgres cluster initdb'd into a temporary folder, every
// service and the gateway as separate processes; lib/stack.ts), real journeys through the gateway
// (lib/journeys.ts) while one fault at a time is injected (lib/faults.ts), and the table:
//
//   | fault | journeys | writes ok / refused (status) | lost | duplicated | time to recover | slowest answer |
//
// Faults: NATS stopped for 10 s and for 60 s; Postgres restarted, and stopped for 3 min; kill -9 of
// each service in turn mid-flow, restarted at once; the gateway restarted under load. Targets: 0 lost
// and 0 duplicated in every row; while NATS is away no 5xx and every readiness stays green; while
// Postgres is away 503s with a code and no answer slower than the timeout chain; everything back
// within 30 s after Postgres returns. Exit code 1 when a target is missed.
//
// Options: --journeys <n> (6 per row) --only <text> (rows whose fault name contains it)
//          --postgres-outage <s> (180) --no-write (leave RESULTS.md alone)
// Uses the running Firebase emulators (started if none run). Logs: .run/faults/logs/<process>.log.
// Everything it started is stopped, and its temporary folders removed, on the way out (Ctrl-C too).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmulators, type Emulators } from '@sunbae/testing/emulators'
import { benchOptions } from '../lib/options.ts'
import { gatewayRestart, killed, natsDown, postgresDown, runRow, table, type Fault, type Row } from './lib/faults.ts'
import { setupWorld } from './lib/journeys.ts'
import { startFaultStack, type FaultStack } from './lib/stack.ts'

const HERE = fileURLToPath(new URL('./', import.meta.url))
const ROOT = path.resolve(HERE, '..', '..')
const opts = benchOptions({ numbers: { journeys: [6, 1, 100], 'postgres-outage': [180, 1, 3600] }, text: ['only'] })
const say = (msg = '') => process.stdout.write(`${msg}\n`)

let stack: FaultStack | null = null
let emulators: Emulators | null = null
let stopping = false
const shutdown = async (code: number) => {
  if (stopping) return
  stopping = true
  await stack?.stop().catch(() => {})
  await emulators?.stop()
  process.exit(code)
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(130))

emulators = await startEmulators({ auth: true, firestore: true, logDir: path.join(ROOT, '.run', 'faults', 'emulators'), log: (m) => say(m) })
if (!emulators.firestoreAvailable) {
  say(`The Firestore emulator is not available (${emulators.firestoreReason}): chat rooms cannot open, the suite cannot run.`)
  await shutdown(2)
}

const started = Date.now()
const rows: Row[] = []
try {
  stack = await startFaultStack({ emulatorEnv: emulators.env as Record<string, string>, log: say, logDir: path.join(ROOT, '.run', 'faults', 'logs') })
  const world = await setupWorld(stack.gatewayUrl, 3, (email) => stack!.setRole(email, 'admin'))
  say(`world: admin ${world.admin.email}, ${world.mentors.length} mentors`)
  const faults: Fault[] = [
    natsDown(10),
    natsDown(60),
    postgresDown(0, 'Postgres restarted'),
    postgresDown(opts['postgres-outage']),
    ...stack.services.map((s) => killed(s)),
    gatewayRestart(),
  ].filter((f) => !opts.text.only || f.name.includes(opts.text.only))
  for (const [i, fault] of faults.entries()) {
    say(`${fault.name}…`)
    rows.push(
      await runRow(stack, world, fault, {
        journeys: opts.journeys,
        stepBoundMs: (opts['postgres-outage'] + 120) * 1000,
        settleBoundMs: 60_000,
        index: i,
        log: say,
      }),
    )
  }
} catch (err) {
  say(`\nThe fault suite stopped: ${(err as Error).stack ?? err}`)
  if (stack) say(`Logs: ${path.relative(ROOT, stack.logDir)}`)
  await shutdown(1)
}

const out = [
  `Run ${new Date(started).toISOString()}, ${((Date.now() - started) / 60_000).toFixed(1)} min, ${opts.journeys} full journeys per row (request → accept → chat room → book → pay → confirmed → cancel → refunded) beside search traffic (tracking's access log and keyword counts):`,
  '',
  table(rows),
  '',
  ...rows.flatMap((r) => [...r.notes.map((n) => `- ${r.fault}: ${n}`), ...r.failures.slice(0, 10).map((f) => `- ${r.fault}: ✖ ${f}`)]),
].join('\n')
say('')
say(out)
const allOk = rows.every((r) => r.ok)
say('')
say(allOk ? 'Every target met.' : `Targets missed in: ${rows.filter((r) => !r.ok).map((r) => r.fault).join(', ')}`)
if (opts.write && !opts.text.only) fs.writeFileSync(path.join(HERE, 'RESULTS.md'), `# bench:faults — latest full run\n\n${out}\n`)
await shutdown(allOk ? 0 : 1)
