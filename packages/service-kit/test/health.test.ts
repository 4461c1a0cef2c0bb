import t from 'tap'
import { buildFixture } from './helpers.ts'

t.test('readiness follows the checks and turns false while draining', async (t) => {
  let dbUp = true
  const app = await buildFixture(async (fastify) => {
    fastify.readiness.add('db', async () => {
      if (!dbUp) throw new Error('password authentication failed for user "sunbae_fixture" at db.internal:5432')
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
  t.same(res.json(), { status: 'not_ready', checks: { db: 'failing' } })
  t.notMatch(res.body, /sunbae_fixture|db\.internal|5432|password/, 'no host, port, role or error text in the answer')

  dbUp = true
  app.readiness.draining = true
  res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'draining')
  t.equal((await app.inject('/healthz')).statusCode, 200, 'still alive while draining')
})

t.test('a failing non-critical check degrades the service but keeps it ready; a critical one takes it out; both are metrics and logged once', async (t) => {
  let natsUp = true
  let dbUp = true
  const app = await buildFixture(async (fastify) => {
    fastify.readiness.add('db', async () => {
      if (!dbUp) throw new Error('password authentication failed for user "sunbae_fixture" at db.internal:5432')
    })
    fastify.readiness.add(
      'nats',
      async () => {
        if (!natsUp) throw new Error('CONNECTION_REFUSED')
      },
      { critical: false },
    )
  })
  t.teardown(() => app.close())
  const warnings: string[] = []
  const warn = app.log.warn.bind(app.log)
  app.log.warn = ((obj: unknown, msg?: string) => {
    warnings.push(msg ?? String(obj))
    return warn(obj as object, msg)
  }) as typeof app.log.warn

  t.same((await app.inject('/readyz')).json(), { status: 'ready', checks: { db: 'ok', nats: 'ok' } })

  natsUp = false
  for (let i = 0; i < 3; i++) {
    const res = await app.inject('/readyz')
    t.equal(res.statusCode, 200, 'degraded answers 200: the replica stays in rotation')
    t.same(res.json(), { status: 'degraded', checks: { db: 'ok', nats: 'degraded' } }, 'the state only: no error text')
  }
  t.same(warnings, ['nats is failing: degraded, still serving'], 'one warning for the change, not one per probe')
  let metrics = (await app.inject('/metrics')).body
  t.match(metrics, /sunbae_dependency_up\{dependency="nats",critical="false"\} 0/)
  t.match(metrics, /sunbae_dependency_up\{dependency="db",critical="true"\} 1/)
  t.match(metrics, /fixture_process_cpu_user_seconds_total/, "the process's own metrics, prefixed with the service")

  dbUp = false
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503, 'a critical dependency failing: not ready')
  t.same(res.json(), { status: 'not_ready', checks: { db: 'failing', nats: 'degraded' } })
  t.notMatch(res.body, /CONNECTION_REFUSED|connection refused/i, 'no error text in the answer')

  natsUp = true
  dbUp = true
  t.same((await app.inject('/readyz')).json().status, 'ready')
  metrics = (await app.inject('/metrics')).body
  t.match(metrics, /sunbae_dependency_up\{dependency="nats",critical="false"\} 1/)
})
