import t from 'tap'
import { authEmulatorMissing, createEmulatorUser, emulatorToken, refuseBadNumbers } from '@sunbae/testing'
import { bearer, buildGateway, routesTo } from './fixtures/helpers.ts'
import { startKitUpstream } from './fixtures/kit-upstream.ts'

// Issue 16: `?limit=1e400` was coerced to Infinity and passed the schema's bounds. The gateway's own
// schema'd routes must refuse such numbers, and a service's refusal must reach the client through
// the proxy as the same 400. The upstream is a stand-in built with the kit, as every service is
// (the gateway imports no service); the walk reads the gateway's merged public OpenAPI document.

t.test("the gateway's own routes refuse non-finite and huge numbers", async (t) => {
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo('http://127.0.0.1:1') })
  t.teardown(() => app.close())
  // none of them takes a number today; a new one that does is walked without editing this test
  const { failures } = await refuseBadNumbers(app)
  t.same(failures, [])
})

t.test('a service refusing a bad number reaches the client through the gateway as that 400', { skip: authEmulatorMissing() }, async (t) => {
  const up = await startKitUpstream()
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url, ['/api/mentors']) })
  t.teardown(async () => {
    await app.close()
    await up.app.close()
  })
  const user = await createEmulatorUser({ claims: { role: 'admin' } })
  const { idToken } = await emulatorToken(user)
  const { inputs, failures } = await refuseBadNumbers(app, {
    documentUrl: '/api/docs/openapi.json',
    headers: () => bearer(idToken),
  })
  t.same(
    inputs.map((i) => `${i.method} ${i.path} ${i.field}`).sort(),
    [
      'GET /api/mentors/numbers/{n} headers/x-page',
      'GET /api/mentors/numbers/{n} params/n',
      'GET /api/mentors/numbers/{n} querystring/limit',
      'GET /api/mentors/numbers/{n} querystring/ratio',
      'POST /api/mentors/numbers body/amount',
      'POST /api/mentors/numbers body/nested/score',
    ],
    "the merged document carries the service's numeric inputs",
  )
  t.same(failures, [], 'every one answered 400 VALIDATION_FAILED naming the field, through the proxy')
})
