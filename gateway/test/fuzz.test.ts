import t from 'tap'
import { authEmulatorMissing, checkFuzz, createEmulatorUser, emulatorToken, type FuzzRole } from '@sunbae/testing'
import { bearer, buildGateway, routesTo } from './fixtures/helpers.ts'
import { startKitUpstream } from './fixtures/kit-upstream.ts'
import { DEFAULT_ROUTES } from '../src/route-map.ts'

// Issue 20: the route fuzz (see fuzzTest in @sunbae/testing) at the gateway — its own routes, and a
// kit-built service's routes through the proxy as the merged public document lists them — with an
// anonymous caller and Auth-emulator users who are a mentee, a mentor and an admin: no 5xx, every
// 4xx in the platform's error shape, nothing internal in a body.

async function tokens(): Promise<(role: Exclude<FuzzRole, 'anonymous'>) => Record<string, string>> {
  const byRole: Record<string, Record<string, string>> = {}
  for (const role of ['mentee', 'mentor', 'admin'] as const) {
    const { idToken } = await emulatorToken(await createEmulatorUser({ claims: { role } }))
    byRole[role] = bearer(idToken)
  }
  return (role) => byRole[role]!
}

t.test("the gateway's own routes survive the fuzz", { skip: authEmulatorMissing() }, async (t) => {
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo('http://127.0.0.1:1') })
  t.teardown(() => app.close())
  // its document lists the proxied routes too: with no upstream those answer 503 UPSTREAM_UNAVAILABLE by design
  const proxied = Object.keys(DEFAULT_ROUTES)
  const own = (_: string, path: string) => !proxied.some((p) => path === p || path.startsWith(`${p}/`))
  await checkFuzz(t, app, { include: own, minOperations: 2, identity: await tokens() })
})

t.test("a service's routes survive the fuzz through the proxy", { skip: authEmulatorMissing() }, async (t) => {
  const up = await startKitUpstream()
  const app = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url, ['/api/mentors']) })
  t.teardown(async () => {
    await app.close()
    await up.app.close()
  })
  await checkFuzz(t, app, { documentUrl: '/api/docs/openapi.json', minOperations: 2, identity: await tokens() })
})
