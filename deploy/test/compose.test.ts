// docker-compose.yml and deploy/compose.infra.yml: accepted by Compose (Debian's docker-compose 1.29,
// `config`), written in the Compose Specification format that Compose v2 reads, with health checks
// and a start order by health.
import t from 'tap'
import { nodeDeployables, readCompose, run, which, type ComposeService } from './lib.ts'

const composeMissing = which('docker-compose') ? false : 'docker-compose is not installed (apt-get install docker-compose)'
const FILES = ['docker-compose.yml', 'deploy/compose.infra.yml']
const INFRA = ['postgres', 'mongo', 'nats', 'firebase', 'otel-collector', 'jaeger']

const deployables = await nodeDeployables()
const compose = readCompose()
const deps = (s: ComposeService): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition]))

for (const file of FILES) {
  t.test(`docker-compose config accepts ${file}`, { skip: composeMissing }, async (t) => {
    const res = run('docker-compose', ['-f', file, 'config', '-q'])
    t.equal(res.status, 0, res.stderr)
    t.notMatch(res.stderr, /WARN|Unsupported/i, 'no warning')
    const profiles = readCompose(file).services
    const names = new Set(Object.values(profiles).flatMap((s) => s.profiles ?? []))
    for (const profile of names) {
      const p = run('docker-compose', ['-f', file, '--profile', profile, 'config', '-q'])
      t.equal(p.status, 0, `profile ${profile}: ${p.stderr}`)
    }
  })
}

t.test('the infrastructure file brings up exactly the infrastructure, published on loopback', { skip: composeMissing }, async (t) => {
  const res = run('docker-compose', ['-f', 'deploy/compose.infra.yml', 'config', '--services'])
  t.same(res.stdout.trim().split('\n').sort(), [...INFRA].sort())
  const infra = readCompose('deploy/compose.infra.yml').services
  for (const [name, port] of [['postgres', 5432], ['nats', 4222], ['mongo', 27017], ['otel-collector', 4318]] as const) {
    t.ok(infra[name]?.ports?.includes(`127.0.0.1:${port}:${port}`), `${name} is published on 127.0.0.1:${port}`)
  }
})

t.test('Compose Specification format, as Compose v2 reads it', async (t) => {
  // v2 ignores (and warns about) `version`; the spec's top level is services/volumes/networks/x-*
  t.notOk('version' in compose, 'no obsolete version key')
  for (const key of Object.keys(compose)) t.match(key, /^(services|volumes|networks|configs|secrets|x-.+)$/, `top-level key ${key}`)
  for (const [name, s] of Object.entries(compose.services)) {
    t.match(name, /^[a-z0-9][a-z0-9_-]*$/, `service name ${name} is valid in v2`)
    t.notOk('links' in s || 'container_name' in s || 'volumes_from' in s, `${name} uses no legacy keys`)
    if (s.build) t.notOk('target' in s.build && !s.build.target, `${name}: a build target is named`)
  }
})

t.test('the whole platform is in the file, each with a health check and a start order by health', async (t) => {
  const s = compose.services
  for (const name of [...INFRA, 'setup', 'seed', 'web', ...deployables.map((d) => d.name)]) t.ok(s[name], `service ${name}`)
  t.same(deps(s.setup!), { postgres: 'service_healthy' }, 'setup waits for a healthy Postgres')
  t.match(String(s.setup!.command), /db:setup.*migrate/, 'setup runs npm run db:setup then npm run migrate')
  t.match(String(s.seed!.command), /seed/, 'seed runs npm run seed')
  t.equal(deps(s.seed!).gateway, 'service_healthy', 'seed waits for a healthy gateway')
  for (const d of deployables) {
    const svc = s[d.name]!
    t.ok(svc.healthcheck?.test.join(' ').includes('/readyz'), `${d.name}: health check on /readyz`)
    t.equal(svc.build?.dockerfile, 'deploy/node.Dockerfile', `${d.name}: built from deploy/node.Dockerfile`)
    t.equal(svc.build?.args?.SERVICE_DIR, d.dir, `${d.name}: SERVICE_DIR is its workspace folder`)
    if (d.name === 'gateway') continue
    const on = deps(svc)
    t.equal(on.setup, 'service_completed_successfully', `${d.name} starts after the migrations`)
    t.equal(on.nats, 'service_healthy', `${d.name} waits for NATS`)
    t.equal(on.firebase, 'service_healthy', `${d.name} waits for the emulators`)
  }
  const gw = deps(s.gateway!)
  for (const d of deployables.filter((x) => x.schema)) t.equal(gw[d.name], 'service_healthy', `the gateway waits for a healthy ${d.name}`)
  t.equal(deps(s.web!).gateway, 'service_healthy', 'the web waits for a healthy gateway')
  t.equal(deps(s['chat-bridge']!).mongo, 'service_healthy', 'chat-bridge waits for Mongo')
  t.equal(s.matching!.mem_limit, '2g', 'matching may use its ~1.5 GiB index')
  for (const name of ['postgres', 'mongo', 'nats', 'firebase', 'web']) t.ok(s[name]!.healthcheck, `${name} has a health check`)
  t.ok(s.web!.ports?.includes('8080:8080'), 'the platform is at one URL: http://localhost:8080')
  t.ok(s.jaeger!.ports?.includes('16686:16686'), 'traces at http://localhost:16686')
  for (const d of deployables) t.equal(s[d.name]!.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4318', `${d.name} exports traces to the collector`)
  t.match(String(s.nats!.command), /-js/, 'NATS runs with JetStream')
  t.equal(s.firebase!.build?.context, 'deploy', 'the emulators image is built from deploy/')
})
