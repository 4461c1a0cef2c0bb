// `npm run dlq -- <command>` — the dead letters of the platform's consumers (the DEADLETTER stream):
//
//   list   [--durable D] [--subject S] [--after SEQ] [--limit N]   what is there, oldest first
//   show   SEQ                                                     one, with its event and error
//   redrive SEQ… | --durable D | --subject S | --all                publish again on the original subject
//
// Against the NATS of NATS_URL as the `dlq` user (NATS_NKEY_SEED: its seed, dlq.nk of `npm run nats:auth`)
// — compose's (it publishes 4222; seed in deploy/nats/compose/dlq.nk) or a cluster's through
// `kubectl -n sunbae port-forward svc/nats 4222`. Without NATS_URL: the NATS `npm start` runs (its URL and
// seeds are under .run/nats/), else nats://127.0.0.1:4222. Fix the cause before a redrive: a message
// that fails again is dead-lettered again.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { connectBus, getDeadLetter, listDeadLetters, redriveDeadLetters, type DeadLetter } from '@sunbae/bus'
import { seedFile } from '@sunbae/bus/nats-auth'
import { busInboxPrefix } from '@sunbae/contracts'
import { REPO_ROOT } from './lib/repo.ts'

const USAGE = `usage:
  npm run dlq -- list [--durable D] [--subject S] [--after SEQ] [--limit N]
  npm run dlq -- show SEQ
  npm run dlq -- redrive SEQ... | --durable D | --subject S | --all`

const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n${USAGE}\n`)
  process.exit(2)
}

let parsed: ReturnType<typeof parse>
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      durable: { type: 'string' },
      subject: { type: 'string' },
      after: { type: 'string' },
      limit: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  })
}
try {
  parsed = parse()
} catch (err) {
  fail((err as Error).message)
}
const { values: opts, positionals } = parsed!
const [command, ...rest] = positionals
const seqOf = (s: string): number => (/^[1-9]\d{0,15}$/.test(s) ? Number(s) : fail(`not a sequence number: ${s}`))
const count = (name: string, s: string | undefined, max: number): number | undefined => {
  if (s === undefined) return undefined
  const n = Number(s)
  return Number.isInteger(n) && n >= 0 && n <= max ? n : fail(`--${name} ${s}: a whole number from 0 to ${max}`)
}
if (!command || !['list', 'show', 'redrive'].includes(command)) fail(command ? `unknown command: ${command}` : 'a command is needed')

const line = (d: DeadLetter) =>
  `${String(d.seq).padStart(6)}  ${d.failedAt ?? '?'}  ${d.consumer}  ${d.originalSubject}  ${d.eventId ?? '(not an event)'}  ${d.deliveries ?? '?'}×  ${d.error.name ?? ''}: ${d.error.message ?? ''}`

// npm start's own NATS (scripts/start.ts writes its URL there) when no NATS_URL is given
const startNats = path.join(REPO_ROOT, '.run', 'nats')
const started = !process.env.NATS_URL && fs.existsSync(path.join(startNats, 'url'))
const natsUrl = process.env.NATS_URL || (started ? fs.readFileSync(path.join(startNats, 'url'), 'utf8').trim() : 'nats://127.0.0.1:4222')
const nkeySeed = process.env.NATS_NKEY_SEED || (started ? fs.readFileSync(seedFile(path.join(startNats, 'auth'), 'dlq'), 'utf8').trim() : undefined)
const bus = await connectBus({
  servers: natsUrl,
  name: 'dlq-cli',
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  ...(nkeySeed ? { nkeySeed } : {}),
  inboxPrefix: busInboxPrefix('dlq'),
}).catch((err: unknown) => fail(`cannot reach NATS at ${natsUrl}: ${(err as Error).message}`))
let code = 0
try {
  const filter = { ...(opts.durable ? { durable: opts.durable } : {}), ...(opts.subject ? { subject: opts.subject } : {}) }
  if (command === 'list') {
    const after = count('after', opts.after, Number.MAX_SAFE_INTEGER)
    const limit = count('limit', opts.limit, 1_000)
    const page = await listDeadLetters(bus, { ...filter, ...(after !== undefined ? { afterSeq: after } : {}), ...(limit !== undefined ? { limit } : {}) })
    if (opts.json) process.stdout.write(`${JSON.stringify(page)}\n`)
    else {
      process.stdout.write(`${page.total} dead letter(s)${filter.durable || filter.subject ? ` matching ${JSON.stringify(filter)}` : ''}\n`)
      for (const d of page.items) process.stdout.write(`${line(d)}\n`)
      if (page.nextSeq !== null) process.stdout.write(`more: npm run dlq -- list --after ${page.nextSeq}\n`)
    }
  } else if (command === 'show') {
    if (rest.length !== 1) fail('show takes one sequence number')
    const d = await getDeadLetter(bus, seqOf(rest[0]!))
    if (!d) {
      process.stderr.write(`no dead letter ${rest[0]}\n`)
      code = 1
    } else process.stdout.write(`${JSON.stringify(d, null, 2)}\n`)
  } else {
    const seqs = rest.map(seqOf)
    if (!seqs.length && !filter.durable && !filter.subject && !opts.all) fail('redrive needs sequence numbers, --durable, --subject or --all')
    const r = await redriveDeadLetters(bus, { ...filter, ...(seqs.length ? { seqs } : {}) })
    process.stdout.write(`redriven: ${r.redriven.length ? r.redriven.join(', ') : 'none'}\n`)
    for (const s of r.skipped) process.stdout.write(`skipped ${s.seq}: ${s.reason}\n`)
    if (r.skipped.length) code = 1
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  code = 1
} finally {
  await bus.close()
}
process.exit(code)
