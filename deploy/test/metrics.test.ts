// Prometheus and Grafana in compose (profile `metrics`): every service and the gateway is a scrape
// target with its `service` label; Grafana renders one dashboard per deployable from the one
// template (deploy/grafana/render-dashboards.sh, run here as the container runs it); each is valid
// JSON and every metric it queries is one the services expose (read from a real /metrics of the kit);
// nothing sends telemetry out.
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import YAML from 'yaml'
import { BaseConfig, buildService, loadConfig, PlatformMetrics } from '@sunbae/service-kit'
import { TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { Type } from 'typebox'
import { nodeDeployables, readCompose, ROOT, run } from './lib.ts'

const deployables = await nodeDeployables()
const compose = readCompose()
const prometheus = YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
  scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[]; labels?: Record<string, string> }> }>
}

t.test('Prometheus scrapes every service and the gateway at the port compose runs it on, labelled by service', async (t) => {
  const targets = new Map<string, string>()
  for (const job of prometheus.scrape_configs) {
    t.equal(job.metrics_path ?? '/metrics', '/metrics', `${job.job_name}: /metrics`)
    for (const sc of job.static_configs) for (const target of sc.targets) targets.set(sc.labels?.service ?? '', target)
  }
  for (const d of deployables) {
    t.equal(targets.get(d.name), `${d.name}:${compose.services[d.name]?.environment?.PORT}`, `${d.name} is a target, labelled service=${d.name}`)
  }
  t.equal(targets.size, deployables.length, 'and nothing else')
})

t.test('Prometheus and Grafana: opt-in (profile metrics), provisioned from the repo, no telemetry out', async (t) => {
  const prom = compose.services.prometheus!
  const graf = compose.services.grafana!
  t.same(prom.profiles, ['metrics'])
  t.same(graf.profiles, ['metrics'])
  const mounts = (s: unknown) => ((s as { volumes?: string[] }).volumes ?? []).map((v) => v.split(':')[0])
  t.ok(mounts(prom).includes('./deploy/prometheus/prometheus.yml'), 'prometheus.yml from the repo')
  t.ok(mounts(graf).includes('./deploy/grafana/provisioning'), "Grafana's datasource and dashboard providers from the repo")
  const env = graf.environment ?? {}
  t.equal(env.GF_ANALYTICS_REPORTING_ENABLED, 'false', 'no usage reporting')
  t.equal(env.GF_ANALYTICS_CHECK_FOR_UPDATES, 'false', 'no update checks')
  t.equal(env.GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES, 'false', 'no plugin update checks')
  t.same(String(env.SUNBAE_SERVICES).split(/\s+/).sort(), deployables.map((d) => d.name).sort(), 'a dashboard for every deployable')
  const ds = YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> }
  t.same(ds.datasources.map((d) => [d.uid, d.url]), [['prometheus', 'http://prometheus:9090']], 'the Prometheus datasource')
})

/** The metric names a /metrics exposition declares (# TYPE lines; a histogram's series too). */
function declared(text: string): Set<string> {
  const names = new Set<string>()
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!)
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m[1]}${s}`)
  }
  return names
}

/** What a kit app named `name` exposes: process metrics under its prefix, RED, and (services) the platform's series. */
async function exposition(name: string, withPlatform: boolean): Promise<Set<string>> {
  const configSchema = Type.Object({ ...BaseConfig.properties })
  const config = loadConfig(configSchema, { PORT: '0', LOG_LEVEL: 'silent', IDENTITY_SECRET: TEST_IDENTITY_SECRET })
  const app = await buildService(
    {
      name,
      configSchema,
      app: async (app) => {
        if (withPlatform) new PlatformMetrics(app.prometheus, { logger: app.log })
      },
    },
    config,
  )
  try {
    return declared((await app.inject('/metrics')).body)
  } finally {
    await app.close()
  }
}

t.test('one dashboard per deployable from the one template: valid JSON, each querying metrics the service exposes', async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-dashboards-'))
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }))
  const names = deployables.map((d) => d.name)
  const res = run('sh', ['-c', 'SUNBAE_SERVICES="$1" OUT="$2" TEMPLATE="$3" sh deploy/grafana/render-dashboards.sh', 'render', names.join(' '), out, 'deploy/grafana/service-dashboard.json'])
  t.equal(res.status, 0, res.stderr)
  t.same(fs.readdirSync(out).sort(), names.map((n) => `${n}.json`).sort(), 'a file per deployable')

  const uids = new Set<string>()
  for (const name of names) {
    const dash = JSON.parse(fs.readFileSync(path.join(out, `${name}.json`), 'utf8')) as {
      uid: string
      title: string
      panels: Array<{ type: string; title: string; targets?: Array<{ expr: string; datasource?: { uid: string } }> }>
    }
    t.notMatch(JSON.stringify(dash), /__SERVICE__|__PREFIX__/, `${name}: every placeholder replaced`)
    uids.add(dash.uid)
    // the gateway runs no platform plugin: no outbox, pool or durable consumer of its own (its
    // dashboard's event and pool panels stay empty); every service has them
    const exposed = await exposition(name, name !== 'gateway')
    const queried = new Set<string>()
    for (const p of dash.panels.filter((p) => p.type !== 'row')) {
      t.ok(p.targets?.length, `${name} › ${p.title}: has a query`)
      for (const target of p.targets ?? []) {
        t.equal(target.datasource?.uid, 'prometheus', `${name} › ${p.title}: the provisioned datasource`)
        t.match(target.expr, `service="${name}"`, `${name} › ${p.title}: selects this service`)
        for (const m of target.expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)) queried.add(m[1]!)
      }
    }
    const missing = [...queried].filter((m) => !exposed.has(m) && !(name === 'gateway' && m.startsWith('sunbae_')))
    t.same(missing, [], `${name}: every metric queried exists (${queried.size} queried)`)
    for (const m of ['http_server_requests_total', 'sunbae_consumer_pending_messages', 'sunbae_dead_letter_messages', 'sunbae_outbox_pending_messages', 'sunbae_db_pool_wait_seconds_count', `${name.replace(/-/g, '_')}_process_resident_memory_bytes`, `${name.replace(/-/g, '_')}_process_cpu_seconds_total`]) {
      t.ok(queried.has(m), `${name}: shows ${m}`)
    }
  }
  t.equal(uids.size, names.length, 'each dashboard its own uid')
})
