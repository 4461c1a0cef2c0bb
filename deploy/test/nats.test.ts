// NATS users in every deployment (issue 20, item 2): the compose stack and the local k8s overlay run
// the authorization `npm run nats:auth` renders from packages/contracts/src/bus-access.ts — the files
// checked in are that rendering, nats-server 2.9 accepts them, every process gets its own user's seed,
// and production refuses the seeds the repository publishes.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { AUTH_CONFIG_FILE, publicKeyOf, renderAuthConfig, seedFile } from '@sunbae/bus/nats-auth'
import { BUS_USERS, type BusUserName } from '@sunbae/contracts'
import { BaseConfig, DEMO_NATS_SEEDS, loadConfig, natsCredentials, type ConfigError } from '@sunbae/service-kit'
import { findNatsServer } from '@sunbae/testing/nats-server'
import { composeEnv, containerEnv, kustomizeMissing, nodeDeployables, readCompose, render, ROOT } from './lib.ts'

const FOLDERS = { compose: 'deploy/nats/compose', 'k8s local overlay': 'k8s/overlays/local/nats' } as const
const REGENERATE = (dir: string) => `npm run -s nats:auth -- ${dir}`
const seedsIn = (dir: string) => Object.fromEntries(BUS_USERS.map((u) => [u, fs.readFileSync(seedFile(path.join(ROOT, dir), u), 'utf8').trim()])) as Record<BusUserName, string>
const deployables = await nodeDeployables()
const natsServer = findNatsServer()

t.test('the checked-in NATS users are the rendering of the bus-access table', async (t) => {
  for (const [where, dir] of Object.entries(FOLDERS)) {
    const seeds = seedsIn(dir)
    const publicKeys = Object.fromEntries(BUS_USERS.map((u) => [u, publicKeyOf(seeds[u])])) as Record<BusUserName, string>
    const checkedIn = fs.readFileSync(path.join(ROOT, dir, AUTH_CONFIG_FILE), 'utf8')
    t.equal(checkedIn, renderAuthConfig(publicKeys), `${where}: ${dir}/auth.conf is current (after a change of the table: ${REGENERATE(dir)})`)
    t.notOk(Object.values(seeds).some((seed) => checkedIn.includes(seed)), `${where}: auth.conf holds public keys only`)
    if (natsServer) {
      const res = spawnSync(natsServer, ['-c', path.join(ROOT, dir, AUTH_CONFIG_FILE), '-t'], { encoding: 'utf8' })
      t.equal(res.status, 0, `${where}: nats-server ${'2.9'} accepts it ${res.stderr}`.trim())
    }
  }
})

t.test('compose: NATS runs the users, every process signs in as its own', async (t) => {
  const compose = readCompose()
  const seeds = seedsIn(FOLDERS.compose)
  const nats = compose.services.nats!
  t.match((nats.command as string[]).join(' '), /^-c \/etc\/nats\/auth\.conf /, 'nats-server -c auth.conf')
  t.ok(
    ((nats as { volumes?: string[] }).volumes ?? []).includes('./deploy/nats/compose/auth.conf:/etc/nats/auth.conf:ro'),
    'the config is mounted from deploy/nats/compose',
  )
  for (const d of deployables) {
    t.equal(composeEnv(compose.services[d.name]!).get('NATS_NKEY_SEED'), seeds[d.name as BusUserName], `${d.name} has its own seed (${FOLDERS.compose}/${d.name}.nk)`)
  }
})

t.test("production refuses the compose stack's seeds, and starts with none only outside production", async (t) => {
  const seeds = Object.values(seedsIn(FOLDERS.compose))
  t.same([...DEMO_NATS_SEEDS].sort(), [...seeds].sort(), `DEMO_NATS_SEEDS lists exactly ${FOLDERS.compose}/*.nk`)
  for (const seed of seeds) {
    const err = t.throws(() => loadConfig(BaseConfig, { PORT: '0', NODE_ENV: 'production', NATS_NKEY_SEED: seed })) as ConfigError
    t.same(err.problems?.map((p) => p.variable), ['NATS_NKEY_SEED'], 'refused in production, the variable named')
    t.equal(loadConfig(BaseConfig, { PORT: '0', NATS_NKEY_SEED: seed }).NATS_NKEY_SEED, seed, 'docker compose up (development) still starts')
  }
  const none = loadConfig(BaseConfig, { PORT: '0', NODE_ENV: 'production' })
  t.throws(() => natsCredentials(none), /NATS_NKEY_SEED: is required in production/, 'production without a NATS user does not start')
  t.same(natsCredentials(loadConfig(BaseConfig, { PORT: '0' })), {}, 'development without one connects unauthenticated')
  t.throws(() => loadConfig(BaseConfig, { PORT: '0', NATS_NKEY_SEED: 'SUnot-a-seed' }), /NATS_NKEY_SEED/, 'a malformed seed is refused at boot')
})

t.test('k8s: every deployable reads its own seed from the sunbae-nats Secret; the local NATS runs auth.conf', { skip: kustomizeMissing() ?? false }, async (t) => {
  for (const overlay of ['local', 'aws']) {
    const objs = render(`overlays/${overlay}`)
    for (const d of deployables) {
      const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === d.name) as unknown as { spec: { template: { spec: { containers: { env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] } } } }
      const ref = dep.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'NATS_NKEY_SEED')?.valueFrom?.secretKeyRef
      t.match(ref, { name: /^sunbae-nats/, key: `${d.name}.nk` }, `${overlay}: ${d.name} reads NATS_NKEY_SEED from sunbae-nats/${d.name}.nk`)
      t.ok(containerEnv(objs, d.name)?.explicit.includes('NATS_NKEY_SEED'), `${overlay}: ${d.name}'s container sets it`)
    }
  }
  const local = render('overlays/local')
  const secret = local.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('sunbae-nats'))!
  const seeds = seedsIn(FOLDERS['k8s local overlay'])
  for (const u of BUS_USERS) t.equal(Buffer.from(secret.data![`${u}.nk`]!, 'base64').toString(), seeds[u], `local: the Secret holds ${u}.nk`)
  const nats = local.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats') as unknown as { spec: { template: { spec: { containers: { args: string[] }[]; volumes: { secret?: { secretName: string } }[] } } } }
  t.same(nats.spec.template.spec.containers[0]!.args.slice(0, 2), ['-c', '/etc/nats/auth.conf'], 'local: nats-server -c auth.conf')
  t.equal(nats.spec.template.spec.volumes.find((v) => v.secret)?.secret?.secretName, secret.metadata.name, 'local: mounted from the same Secret')
})
