// `npm run -s nats:auth -- <dir> [--rotate user,…] [--drop-previous]` — the platform's NATS users in a
// folder: one nkey seed per user (<user>.nk: the gateway, each service, the dlq tool; kept when there,
// created when missing) and auth.conf, the nats-server authorization that lets each publish only its
// own subjects (rendered from packages/contracts/src/bus-access.ts; public keys only). A Kubernetes
// Secret of the whole folder is what k8s/ expects:
//
//   npm run -s nats:auth -- .run/nats-prod
//   kubectl -n sunbae create secret generic sunbae-nats --from-file=.run/nats-prod
//
// The server runs with `-c auth.conf`; each process gets its seed as NATS_NKEY_SEED. TRACKING_DURABLE_PREFIX
// is read as tracking reads it. A rotation (docs/operations.md › NATS users): `--rotate payment` gives
// payment a new seed and keeps the old one accepted (payment.previous.nk) until `--drop-previous`.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { natsAuth } from '@sunbae/bus/nats-auth'
import { BUS_USERS } from '@sunbae/contracts'

const USAGE = 'usage: npm run -s nats:auth -- <dir> [--rotate user,…] [--drop-previous]'
const fail = (msg: string): never => {
  process.stderr.write(`nats:auth: ${msg}\n${USAGE}\n`)
  process.exit(2)
}

let parsed: { values: { rotate?: string; 'drop-previous'?: boolean }; positionals: string[] } | undefined
try {
  parsed = parseArgs({ allowPositionals: true, options: { rotate: { type: 'string' }, 'drop-previous': { type: 'boolean', default: false } } })
} catch (err) {
  fail((err as Error).message)
}
const { values, positionals } = parsed!
if (positionals.length !== 1) fail('one folder is needed')
const rotate = values.rotate ? values.rotate.split(',').map((s) => s.trim()).filter(Boolean) : []
for (const user of rotate) if (!(BUS_USERS as readonly string[]).includes(user)) fail(`no such user: ${user} (users: ${BUS_USERS.join(', ')})`)

const dir = path.resolve(positionals[0]!)
const prefix = process.env.TRACKING_DURABLE_PREFIX
const auth = natsAuth(dir, { rotate, dropPrevious: values['drop-previous'] ?? false, ...(prefix ? { trackingDurablePrefix: prefix } : {}) })
process.stdout.write(
  [
    `${path.relative(process.cwd(), auth.configPath)}: ${BUS_USERS.length} users (${BUS_USERS.join(', ')})`,
    ...(rotate.length ? [`new seeds for ${rotate.join(', ')}; their previous seeds stay accepted until --drop-previous`] : []),
    `seeds: ${path.relative(process.cwd(), dir)}/<user>.nk (secret: each process gets its own as NATS_NKEY_SEED)`,
    '',
  ].join('\n'),
)
