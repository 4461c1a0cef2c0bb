import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Type } from 'typebox'
import { checkClientWaits, checkDatabaseWaits, ConfigError, DEMO_SECRETS, loadConfig, serviceConfig } from '../src/index.ts'

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

t.test('production refuses the demo secrets the repository publishes, naming the variable; development keeps them', async (t) => {
  const demo = { ...good, IDENTITY_SECRET: DEMO_SECRETS.composeIdentity }
  t.equal(loadConfig(schema, demo).IDENTITY_SECRET, DEMO_SECRETS.composeIdentity, 'docker compose up (development) still starts')
  const err = t.throws(() => loadConfig(schema, { ...demo, NODE_ENV: 'production' })) as ConfigError
  t.ok(err instanceof ConfigError)
  t.same(err.problems.map((p) => p.variable), ['IDENTITY_SECRET'])
  t.match(err.message, /IDENTITY_SECRET: is a demo value/)
  // any variable of any service: the sandbox's local webhook key too
  const withSecret = serviceConfig({ SOME_WEBHOOK_SECRET: Type.Optional(Type.String()) })
  const e2 = t.throws(() => loadConfig(withSecret, { ...good, NODE_ENV: 'production', SOME_WEBHOOK_SECRET: DEMO_SECRETS.sandboxWebhook })) as ConfigError
  t.same(e2.problems.map((p) => p.variable), ['SOME_WEBHOOK_SECRET'])
  t.equal(loadConfig(schema, { ...good, NODE_ENV: 'production' }).IDENTITY_SECRET, good.IDENTITY_SECRET, 'a secret of its own passes')
})

t.test("production refuses a connection URL that carries compose's demo Mongo password; development keeps it", async (t) => {
  const withUrl = serviceConfig({ MONGO_URL: Type.Optional(Type.String()) })
  const demoUrl = `mongodb://sunbae:${encodeURIComponent(DEMO_SECRETS.composeMongoPassword)}@mongo:27017/?authSource=admin`
  t.equal(loadConfig(withUrl, { ...good, MONGO_URL: demoUrl }).MONGO_URL, demoUrl, 'docker compose up (development) still starts')
  const err = t.throws(() => loadConfig(withUrl, { ...good, NODE_ENV: 'production', MONGO_URL: demoUrl })) as ConfigError
  t.same(err.problems.map((p) => p.variable), ['MONGO_URL'])
  t.match(err.message, /MONGO_URL: carries a demo password/)
  t.notMatch(err.message, /compose-demo-mongo-password/, 'the message does not repeat the password')
  const own = 'mongodb://sunbae:s3cret-of-its-own@mongo:27017/?authSource=admin'
  t.equal(loadConfig(withUrl, { ...good, NODE_ENV: 'production', MONGO_URL: own }).MONGO_URL, own, 'a password of its own passes')
  t.equal(loadConfig(withUrl, { ...good, NODE_ENV: 'production', MONGO_URL: 'mongodb://mongo:27017' }).MONGO_URL, 'mongodb://mongo:27017', 'no password: nothing to refuse here')
})

t.test('the timeout chain: a wait a client sits behind must end before the gateway gives up', async (t) => {
  const c = loadConfig(schema, good)
  t.equal(c.GATEWAY_UPSTREAM_TIMEOUT_MS, 10_000, "the gateway's UPSTREAM_TIMEOUT_MS default")
  t.doesNotThrow(() => checkClientWaits(c, { SOME_WAIT_MS: 8_999 }))
  const err = t.throws(() => checkClientWaits(c, { SOME_WAIT_MS: 9_000, OTHER_WAIT_MS: 100 })) as ConfigError
  t.ok(err instanceof ConfigError)
  t.same(err.problems.map((p) => p.variable), ['SOME_WAIT_MS'], 'the wait is named (9 s + 1 s margin is not below 10 s)')
  t.match(err.message, /GATEWAY_UPSTREAM_TIMEOUT_MS \(10000 ms\)/)
  const longer = loadConfig(schema, { ...good, GATEWAY_UPSTREAM_TIMEOUT_MS: '30000' })
  t.doesNotThrow(() => checkClientWaits(longer, { SOME_WAIT_MS: 9_000 }), 'a longer gateway timeout allows longer waits')
})

t.test('the database link of the chain: the wait for a connection plus one statement ends before the gateway gives up', async (t) => {
  const c = loadConfig(schema, good)
  t.match(c, { DB_CONNECT_TIMEOUT_MS: 2_500, DB_STATEMENT_TIMEOUT_MS: 6_000, DB_LOCK_TIMEOUT_MS: 4_000, DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: 30_000 }, 'the defaults')
  t.doesNotThrow(() => checkDatabaseWaits(c), 'the defaults fit: 2.5 s + 6 s + 1 s < 10 s')
  const err = t.throws(() => checkDatabaseWaits(loadConfig(schema, { ...good, DB_STATEMENT_TIMEOUT_MS: '7000' }))) as ConfigError
  t.same(err.problems.map((p) => p.variable), ['DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS'])
  t.doesNotThrow(() => checkDatabaseWaits(loadConfig(schema, { ...good, DB_STATEMENT_TIMEOUT_MS: '7000', GATEWAY_UPSTREAM_TIMEOUT_MS: '15000' })))
  t.doesNotThrow(() => checkDatabaseWaits({}), 'a service without a database has no such link')
})
