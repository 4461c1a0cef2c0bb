// The gateway's own config rules (the route map's are in rules.test.ts).
import t from 'tap'
import { ConfigError, loadConfig } from '@sunbae/service-kit'
import { TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { checkGatewayConfig, GatewayConfig, gatewayConfigDefaults } from '../src/config.ts'

const configFrom = (env: Record<string, string>) => loadConfig(GatewayConfig, { IDENTITY_SECRET: TEST_IDENTITY_SECRET, ...env }, gatewayConfigDefaults(env))

t.test('the timeout chain: UPSTREAM_TIMEOUT_MS must end before the load balancer’s idle timeout', async (t) => {
  const c = configFrom({})
  t.equal(c.UPSTREAM_TIMEOUT_MS, 10_000)
  t.equal(c.LB_IDLE_TIMEOUT_MS, 60_000, 'the AWS ALB default')
  t.doesNotThrow(() => checkGatewayConfig(c))
  t.doesNotThrow(() => checkGatewayConfig(configFrom({ UPSTREAM_TIMEOUT_MS: '29999', LB_IDLE_TIMEOUT_MS: '30000' })))
  for (const env of [{ UPSTREAM_TIMEOUT_MS: '60000' }, { UPSTREAM_TIMEOUT_MS: '10000', LB_IDLE_TIMEOUT_MS: '5000' }] as Record<string, string>[]) {
    const err = t.throws(() => checkGatewayConfig(configFrom(env)), JSON.stringify(env)) as ConfigError
    t.ok(err instanceof ConfigError)
    t.same(err.problems.map((p) => p.variable), ['UPSTREAM_TIMEOUT_MS'])
    t.match(err.message, /must be below LB_IDLE_TIMEOUT_MS/)
  }
})

t.test('production refuses the compose demo IDENTITY_SECRET', async (t) => {
  const env = { NODE_ENV: 'production', FIREBASE_PROJECT_ID: 'sunbae-prod', IDENTITY_SECRET: 'compose-demo-identity-secret-0123456789abcdef' }
  const err = t.throws(() => configFrom(env)) as ConfigError
  t.ok(err instanceof ConfigError)
  t.same(err.problems.map((p) => p.variable), ['IDENTITY_SECRET'])
})
