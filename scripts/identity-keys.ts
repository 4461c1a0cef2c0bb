// `npm run -s identity:keys` — the gateway's identity secret and every service's own key derived from
// it (packages/service-kit/src/identity.ts: HKDF-SHA256 with the service's name), one `name=value`
// line each, ready for a Kubernetes Secret:
//
//   IDENTITY_SECRET=… npm run -s identity:keys > identity.env
//   kubectl -n sunbae create secret generic sunbae-identity --from-env-file=identity.env
//
// The gateway reads IDENTITY_SECRET; each service reads only its own line as IDENTITY_KEY (k8s/base).
// Without IDENTITY_SECRET in the environment a fresh random one is made. Add `--previous` to print
// the keys under IDENTITY_KEY_PREVIOUS names for a rotation's second half (docs/operations.md).
import { randomBytes } from 'node:crypto'
import { discoverServices } from '@sunbae/db'
import { identityKey } from '@sunbae/service-kit/identity'
import { REPO_ROOT } from './lib/repo.ts'

const args = process.argv.slice(2)
const unknown = args.filter((a) => a !== '--previous')
if (unknown.length) {
  process.stderr.write(`identity:keys: unknown argument ${unknown[0]} (usage: IDENTITY_SECRET=… npm run -s identity:keys [-- --previous])\n`)
  process.exit(2)
}
const secret = process.env.IDENTITY_SECRET || randomBytes(32).toString('base64url')
if (secret.length < 32) {
  process.stderr.write('identity:keys: IDENTITY_SECRET must be at least 32 characters\n')
  process.exit(2)
}
const previous = args.includes('--previous')
const services = (await discoverServices(REPO_ROOT)).map((s) => s.name).sort()
const lines = [
  `${previous ? 'IDENTITY_SECRET_PREVIOUS' : 'IDENTITY_SECRET'}=${secret}`,
  ...services.map((name) => `${previous ? `${name}-previous` : name}=${identityKey(secret, name)}`),
]
process.stdout.write(`${lines.join('\n')}\n`)
