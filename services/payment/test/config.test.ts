// Payment's settings: production never pays with the sandbox, refuses the repository's demo
// secrets, and every wait a payer sits behind ends before the gateway's upstream timeout.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { ConfigError, DEMO_SECRETS, identityKey, loadConfig } from '@sunbae/service-kit'
import { TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { definition } from '../src/service.ts'
import { buildPayment, hold, testEnv } from './helpers.ts'

/** What the service does at start (configOrExit): the schema, then the rules across variables. */
const load = (over: Record<string, string>) => {
  const config = loadConfig(definition.configSchema, testEnv(over), definition.configDefaults)
  definition.checkConfig!(config)
  return config
}
const problem = (t: Test, over: Record<string, string>, variable: string, message: RegExp) => {
  const err = t.throws(() => load(over), JSON.stringify(over)) as ConfigError
  t.ok(err instanceof ConfigError, 'a ConfigError (the process exits 1 naming the variable)')
  t.same(err.problems?.map((p) => p.variable), [variable])
  t.match(err.message, message)
}
// production: the service holds its own identity key, not the gateway's secret
const PROD = { NODE_ENV: 'production', PAYMENT_SANDBOX_WEBHOOK_SECRET: '', IDENTITY_KEY: identityKey(TEST_IDENTITY_SECRET, 'payment') }
const STRIPE = { STRIPE_SECRET_KEY: 'sk_test_local_0123456789', STRIPE_WEBHOOK_SECRET: 'whsec_local_0123456789', STRIPE_API_URL: 'http://127.0.0.1:9', STRIPE_PUBLISHABLE_KEY: 'pk_test_local_0123456789' }
const TOSS = { TOSS_SECRET_KEY: 'test_sk_local_0123456789', TOSS_CLIENT_KEY: 'test_gck_local_0123456789' }

t.test('development and tests pay with the sandbox unless told otherwise', async (t) => {
  const c = load({ PAYMENT_PROVIDER: '' })
  t.equal(c.PAYMENT_PROVIDER, undefined)
  const app = await buildPayment({ PAYMENT_PROVIDER: '' })
  t.teardown(() => app.close())
  t.ok(app.providers.has('sandbox'))
  const b = await hold(app)
  const res = await app.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: b.mentee.h() })
  t.equal(res.json().provider, 'sandbox')
})

t.test('production: the provider is required, the sandbox refused, the chosen provider needs its keys', async (t) => {
  problem(t, { ...PROD, PAYMENT_PROVIDER: '' }, 'PAYMENT_PROVIDER', /PAYMENT_PROVIDER: is required in production/)
  problem(t, { ...PROD, PAYMENT_PROVIDER: 'sandbox' }, 'PAYMENT_PROVIDER', /sandbox is refused in production/)
  problem(t, { ...PROD, PAYMENT_PROVIDER: 'stripe' }, 'STRIPE_SECRET_KEY', /required when PAYMENT_PROVIDER is stripe/)
  problem(t, { ...PROD, PAYMENT_PROVIDER: 'toss' }, 'TOSS_SECRET_KEY', /required when PAYMENT_PROVIDER is toss/)
  problem(t, { ...PROD, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: STRIPE.STRIPE_SECRET_KEY }, 'STRIPE_WEBHOOK_SECRET', /required with STRIPE_SECRET_KEY/)
  t.equal(load({ ...PROD, PAYMENT_PROVIDER: 'stripe', ...STRIPE }).PAYMENT_PROVIDER, 'stripe')
})

t.test('several providers (PAYMENT_PROVIDERS): each needs its keys, production refuses the sandbox among them and wants the browser keys', async (t) => {
  problem(t, { PAYMENT_PROVIDER: 'sandbox', PAYMENT_PROVIDERS: 'sandbox,stripe', ...STRIPE }, 'PAYMENT_PROVIDERS', /not both/)
  problem(t, { PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'sandbox,toss' }, 'TOSS_SECRET_KEY', /required when PAYMENT_PROVIDERS includes toss/)
  t.throws(() => load({ PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'sandbox,paypal' }), 'an unknown name is refused by the schema')
  t.throws(() => load({ PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'sandbox,' }), 'so is an empty one')
  t.equal(load({ PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'sandbox,stripe,toss', ...STRIPE, ...TOSS }).PAYMENT_PROVIDERS, 'sandbox,stripe,toss')
  problem(t, { ...PROD, PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'stripe,sandbox', ...STRIPE }, 'PAYMENT_PROVIDERS', /sandbox is refused in production/)
  const { STRIPE_PUBLISHABLE_KEY: _pk, ...stripeNoPk } = STRIPE
  problem(t, { ...PROD, PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'stripe,toss', ...stripeNoPk, ...TOSS }, 'STRIPE_PUBLISHABLE_KEY', /required in production/)
  problem(t, { ...PROD, PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'toss,stripe', ...STRIPE, TOSS_SECRET_KEY: TOSS.TOSS_SECRET_KEY }, 'TOSS_CLIENT_KEY', /required in production/)
  t.equal(load({ ...PROD, PAYMENT_PROVIDER: '', PAYMENT_PROVIDERS: 'toss,stripe', ...STRIPE, ...TOSS }).PAYMENT_PROVIDERS, 'toss,stripe')
  t.throws(() => load({ STRIPE_PUBLISHABLE_KEY: 'sk_live_not_a_public_key' }), 'a secret key is not taken for the publishable one')
})

t.test('production refuses the demo secrets of the repository, naming the variable', async (t) => {
  const ok = { ...PROD, PAYMENT_PROVIDER: 'stripe', ...STRIPE }
  problem(t, { ...ok, IDENTITY_SECRET: DEMO_SECRETS.composeIdentity }, 'IDENTITY_SECRET', /demo value/)
  problem(t, { ...ok, PAYMENT_SANDBOX_WEBHOOK_SECRET: DEMO_SECRETS.composeSandboxWebhook }, 'PAYMENT_SANDBOX_WEBHOOK_SECRET', /demo value/)
  problem(t, { ...ok, PAYMENT_SANDBOX_WEBHOOK_SECRET: DEMO_SECRETS.sandboxWebhook }, 'PAYMENT_SANDBOX_WEBHOOK_SECRET', /demo value/)
  problem(t, { ...ok, STRIPE_WEBHOOK_SECRET: DEMO_SECRETS.sandboxWebhook }, 'STRIPE_WEBHOOK_SECRET', /demo value/)
})

t.test('production does not construct the sandbox: its test cards and webhooks do not exist there', async (t) => {
  const prod = await buildPayment({ ...PROD, PAYMENT_PROVIDER: 'stripe', ...STRIPE })
  t.teardown(() => prod.close())
  t.same([...prod.providers.keys()], ['stripe'], 'only the configured provider')
  const b = await hold(prod)
  const payment = await prod.inject({ method: 'GET', url: `/api/payments/${b.paymentId}`, headers: b.mentee.h() })
  t.equal(payment.json().provider, 'stripe', 'new payments go through the configured provider')
  const webhook = await prod.inject({ method: 'POST', url: '/api/payments/webhooks/sandbox', headers: { 'content-type': 'application/json' }, payload: '{}' })
  t.equal(webhook.statusCode, 404)
  t.equal(webhook.json().error.code, 'UNKNOWN_PROVIDER')
})

t.test('a production start with the sandbox exits at once with a clear message', async (t) => {
  const env = { ...testEnv({ ...PROD, PAYMENT_PROVIDER: 'sandbox' }), PORT: '0' }
  // (without the telemetry preload of @sunbae/testing/processes: loading it takes long, and the config check precedes it anyway)
  const res = spawnSync(process.execPath, ['src/server.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.equal(res.status, 1, res.stderr)
  t.match(res.stderr, /PAYMENT_PROVIDER: sandbox is refused in production/)
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace')
})

t.test('the timeout chain: the idempotency wait (and the sandbox latency) end before the gateway gives up', async (t) => {
  const c = load({})
  t.equal(c.GATEWAY_UPSTREAM_TIMEOUT_MS, 10_000)
  t.equal(c.PAYMENT_IDEMPOTENCY_WAIT_MS, 5_000, 'a retry behind a running request answers 409 long before the gateway’s 504')
  t.ok(c.PAYMENT_IDEMPOTENCY_LEASE_MS <= 5_000, 'a dead request’s key is released within seconds')
  problem(t, { PAYMENT_IDEMPOTENCY_WAIT_MS: '15000' }, 'PAYMENT_IDEMPOTENCY_WAIT_MS', /must be below GATEWAY_UPSTREAM_TIMEOUT_MS \(10000 ms\)/)
  problem(t, { PAYMENT_IDEMPOTENCY_WAIT_MS: '15000', GATEWAY_UPSTREAM_TIMEOUT_MS: '15000' }, 'PAYMENT_IDEMPOTENCY_WAIT_MS', /15000 ms/)
  t.equal(load({ PAYMENT_IDEMPOTENCY_WAIT_MS: '15000', GATEWAY_UPSTREAM_TIMEOUT_MS: '20000' }).PAYMENT_IDEMPOTENCY_WAIT_MS, 15_000, 'a longer gateway timeout allows it')
  problem(t, { PAYMENT_SANDBOX_LATENCY_MS: '9500' }, 'PAYMENT_SANDBOX_LATENCY_MS', /GATEWAY_UPSTREAM_TIMEOUT_MS/)
})

t.test('the timeout chain: provider calls end before the gateway gives up, even behind an idempotency wait (issue 16, defect 6)', async (t) => {
  const c = load({})
  t.ok(
    c.PAYMENT_IDEMPOTENCY_WAIT_MS + c.PAYMENT_PROVIDER_TIMEOUT_MS + 1_000 < c.GATEWAY_UPSTREAM_TIMEOUT_MS,
    `the defaults fit: a retry that waits (${c.PAYMENT_IDEMPOTENCY_WAIT_MS} ms), takes over and asks the provider (${c.PAYMENT_PROVIDER_TIMEOUT_MS} ms) answers before the gateway (${c.GATEWAY_UPSTREAM_TIMEOUT_MS} ms)`,
  )
  problem(t, { PAYMENT_PROVIDER_TIMEOUT_MS: '20000' }, 'PAYMENT_PROVIDER_TIMEOUT_MS', /20000 ms plus a 1000 ms margin must be below GATEWAY_UPSTREAM_TIMEOUT_MS \(10000 ms\)/)
  problem(
    t,
    { PAYMENT_IDEMPOTENCY_WAIT_MS: '5000', PAYMENT_PROVIDER_TIMEOUT_MS: '4500' },
    'PAYMENT_IDEMPOTENCY_WAIT_MS + PAYMENT_PROVIDER_TIMEOUT_MS',
    /9500 ms plus a 1000 ms margin must be below GATEWAY_UPSTREAM_TIMEOUT_MS/,
  )
  t.equal(load({ PAYMENT_PROVIDER_TIMEOUT_MS: '4500', PAYMENT_IDEMPOTENCY_WAIT_MS: '4000' }).PAYMENT_PROVIDER_TIMEOUT_MS, 4_500, 'a shorter wait leaves room for it')
})
