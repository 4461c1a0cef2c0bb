import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ConfigError, loadConfig, serviceConfig } from '../src/index.ts'

const schema = serviceConfig({})
const good = {
  PORT: '4001',
  DATABASE_URL: 'postgres://sunbae_x@127.0.0.1/sunbae',
  IDENTITY_SECRET: 'x'.repeat(32),
}

t.test('valid env is converted and defaulted', async (t) => {
  const c = loadConfig(schema, good)
  t.equal(c.PORT, 4001)
  t.equal(c.NATS_URL, 'nats://127.0.0.1:4222')
  t.equal(c.SLOW_QUERY_MS, 200)
  t.equal(c.NODE_ENV, 'development')
})

t.test('missing and malformed variables are all named', async (t) => {
  const err = t.throws(() => loadConfig(schema, { ...good, DATABASE_URL: undefined, PORT: 'eighty', IDENTITY_SECRET: 'short' })) as ConfigError
  t.ok(err instanceof ConfigError)
  const vars = err.problems.map((p) => p.variable).sort()
  t.same(vars, ['DATABASE_URL', 'IDENTITY_SECRET', 'PORT'])
  t.match(err.message, /DATABASE_URL: is required/)
})

t.test('a service started with bad config exits 1 naming the variable, without a stack', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/slow-service.ts', import.meta.url))
  const env = { ...process.env, PORT: '0', IDENTITY_SECRET: 'too-short', LOG_LEVEL: 'silent' }
  const res = spawnSync(process.execPath, [fixture], { env, encoding: 'utf8', timeout: 30_000 })
  t.equal(res.status, 1)
  t.match(res.stderr, /IDENTITY_SECRET/)
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace')
})
