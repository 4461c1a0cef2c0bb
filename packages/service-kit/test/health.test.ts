import t from 'tap'
import { buildFixture } from './helpers.ts'

t.test('readiness follows the checks and turns false while draining', async (t) => {
  let dbUp = true
  const app = await buildFixture(async (fastify) => {
    fastify.readiness.add('db', async () => {
      if (!dbUp) throw new Error('connection refused')
    })
  })
  t.teardown(() => app.close())

  t.equal((await app.inject('/healthz')).json().status, 'ok')
  let res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ready', checks: { db: 'ok' } })

  dbUp = false
  res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'not_ready')
  t.match(res.json().checks.db, /connection refused/)

  dbUp = true
  app.readiness.draining = true
  res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'draining')
  t.equal((await app.inject('/healthz')).statusCode, 200, 'still alive while draining')
})
