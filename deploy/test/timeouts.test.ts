// The timeout chain as deployed: every wait a client may sit behind in a service (plus a margin for the
// work around it) < the gateway's upstream timeout (UPSTREAM_TIMEOUT_MS; the services know it as
// GATEWAY_UPSTREAM_TIMEOUT_MS) < the idle timeout of what is in front of the gateway (the gateway knows
// it as LB_IDLE_TIMEOUT_MS): nginx's proxy_read_timeout in compose and the local overlay, the ALB's
// idle timeout in aws. Otherwise a client gets a 504 or a dropped connection where the service would
// have answered (a 409 to retry, say). The values are read from docker-compose.yml, the rendered
// overlays and deploy/nginx/nginx.conf; where a deployment sets nothing, from the schema's default.
import t, { type Test } from 'tap'
import {
  composeEnv,
  configOf,
  containerEnv,
  kustomizeMissing,
  nodeDeployables,
  OVERLAYS,
  readCompose,
  readText,
  render,
  type Env,
} from './lib.ts'

/** What the work around a wait may take (the kit's checkClientWaits uses the same margin). */
const MARGIN_MS = 1_000
/**
 * Settings that look like waits (`…_WAIT_MS`, `…_LATENCY_MS`, `…_TIMEOUT_MS`, `…_LEASE_MS`), sorted:
 * the ones a client's request sits behind, and the ones only background work waits on. A new one
 * fails below until it is put in one of the two lists.
 */
const CLIENT_WAITS = new Set([
  'PAYMENT_IDEMPOTENCY_WAIT_MS', // a retry with the same Idempotency-Key waits for the first request, then 409
  'PAYMENT_SANDBOX_LATENCY_MS', // the sandbox's simulated provider call inside a payment request (not in production)
  'PAYMENT_PROVIDER_TIMEOUT_MS', // a whole call to Stripe or Toss inside a payment request (payment also checks it summed with the idempotency wait)
  'DB_CONNECT_TIMEOUT_MS', // waiting for a pooled connection (the kit also checks it summed with the statement timeout)
  'DB_STATEMENT_TIMEOUT_MS', // Postgres' statement_timeout: a query inside a request
  'DB_LOCK_TIMEOUT_MS', // Postgres' lock_timeout: a lock wait inside that query
])
const BACKGROUND = new Set([
  'PAYMENT_IDEMPOTENCY_LEASE_MS', // how soon a dead request's key is taken over: bounds, not adds to, the wait above
  'PAYMENT_SANDBOX_SETTLE_MS', // tok_delayed settles later, by webhook
  'TRACKING_BATCH_WAIT_MS', // a JetStream consumer's partial batch
  'TRACKING_ACK_WAIT_MS', // JetStream redelivery
  'SHUTDOWN_TIMEOUT_MS', // the graceful stop
  'EMAIL_LEASE_MS', // how long a claimed email is held by its sender (notification's outbox job)
  'SMTP_TIMEOUT_MS', // the outbox job's SMTP connection and greeting; no request sends mail
  'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', // Postgres ends a transaction left idle: a request's transaction is never idle that long
])
/** The chain's own links. */
const LIMITS = new Set(['GATEWAY_UPSTREAM_TIMEOUT_MS', 'UPSTREAM_TIMEOUT_MS', 'LB_IDLE_TIMEOUT_MS'])
const WAIT = /_(WAIT|LATENCY|TIMEOUT|LEASE)_MS$/

const deployables = await nodeDeployables()
const services = deployables.filter((d) => d.schema)
const schemas = new Map<string, Record<string, { default?: unknown }>>()
for (const d of deployables) schemas.set(d.name, (await configOf(d)).configSchema.properties)

/** A setting as the process reads it: the deployment's value, else the schema's default. */
function ms(name: string, env: Env, key: string): number | undefined {
  const v = env.get(key) ?? schemas.get(name)![key]?.default
  return v === undefined ? undefined : Number(v)
}

/** nginx's proxy_read_timeout for /api/ (what it waits for the gateway's response), in ms. */
function nginxReadTimeoutMs(): number {
  const conf = readText('deploy/nginx/nginx.conf')
  const api = /location \/api\/ \{([^}]*)\}/.exec(conf)?.[1] ?? ''
  const m = /proxy_read_timeout\s+(\d+)(ms|s|m)?;/.exec(api) ?? /proxy_read_timeout\s+(\d+)(ms|s|m)?;/.exec(conf)
  // nginx's default is 60 s
  return m ? Number(m[1]) * ({ ms: 1, s: 1_000, m: 60_000 }[m[2] ?? 's'] ?? 1_000) : 60_000
}

/** The chain for one deployment: the services' waits, the gateway's timeouts, the front's idle timeout. */
function checkChain(t: Test, where: string, envOf: (name: string) => Env, front: { what: string; ms: number }) {
  const gw = envOf('gateway')
  const upstream = ms('gateway', gw, 'UPSTREAM_TIMEOUT_MS')
  const lbIdle = ms('gateway', gw, 'LB_IDLE_TIMEOUT_MS')
  if (!t.ok(upstream, `${where}: the gateway has an UPSTREAM_TIMEOUT_MS`)) return
  for (const s of services) {
    const env = envOf(s.name)
    const told = ms(s.name, env, 'GATEWAY_UPSTREAM_TIMEOUT_MS')
    t.equal(told, upstream, `${where}: ${s.name}'s GATEWAY_UPSTREAM_TIMEOUT_MS is the gateway's UPSTREAM_TIMEOUT_MS (${upstream} ms)`)
    for (const key of Object.keys(schemas.get(s.name)!).filter((k) => CLIENT_WAITS.has(k))) {
      const wait = ms(s.name, env, key)!
      t.ok(wait + MARGIN_MS < upstream!, `${where}: ${s.name}'s ${key} ${wait} ms + ${MARGIN_MS} ms < the gateway's upstream timeout ${upstream} ms`)
    }
  }
  t.ok(upstream! < front.ms, `${where}: the gateway's upstream timeout ${upstream} ms < ${front.what} ${front.ms} ms`)
  t.equal(lbIdle, front.ms, `${where}: the gateway's LB_IDLE_TIMEOUT_MS is ${front.what} (so its own start check compares the real values)`)
}

t.test('every wait-like setting of a schema is sorted: a client waits on it, or only background work does', async (t) => {
  for (const d of deployables) {
    for (const key of Object.keys(schemas.get(d.name)!).filter((k) => WAIT.test(k) && !LIMITS.has(k))) {
      t.ok(CLIENT_WAITS.has(key) !== BACKGROUND.has(key), `${d.name}: ${key} is in exactly one of CLIENT_WAITS and BACKGROUND`)
    }
  }
})

t.test('docker-compose.yml: service waits < gateway upstream < nginx in front', async (t) => {
  const compose = readCompose().services
  checkChain(t, 'compose', (name) => composeEnv(compose[name]!), { what: "nginx's proxy_read_timeout (the web container)", ms: nginxReadTimeoutMs() })
})

for (const overlay of OVERLAYS) {
  t.test(`k8s/overlays/${overlay}: service waits < gateway upstream < ${overlay === 'aws' ? 'the ALB idle timeout' : 'nginx in front'}`, { skip: kustomizeMissing() ?? false }, async (t) => {
    const objs = render(`overlays/${overlay}`)
    let front = { what: "nginx's proxy_read_timeout (svc/web, port-forwarded)", ms: nginxReadTimeoutMs() }
    if (overlay === 'aws') {
      // the ALB sends /api straight to the gateway: its idle timeout is what is in front
      const ingress = objs.find((o) => o.kind === 'Ingress')!
      const attrs = ingress.metadata.annotations?.['alb.ingress.kubernetes.io/load-balancer-attributes'] ?? ''
      const idle = /idle_timeout\.timeout_seconds=(\d+)/.exec(attrs)
      // the ALB's default idle timeout is 60 s
      front = { what: "the ALB's idle timeout", ms: (idle ? Number(idle[1]) : 60) * 1_000 }
      t.ok(idle, 'the Ingress states the ALB idle timeout (load-balancer-attributes idle_timeout.timeout_seconds)')
    }
    checkChain(t, overlay, (name) => containerEnv(objs, name)!.env, front)
  })
}
