import t from 'tap'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { authEmulatorMissing, createEmulatorUser, emulatorToken, startUpstream, waitFor } from '@sunbae/testing'
import { CatalogEvents } from '@sunbae/contracts'
import { bearer, buildGateway, routesTo } from './fixtures/helpers.ts'

/**
 * An admin disables an account (mentor-catalog's POST /api/admin/users/:uid/disable publishes
 * catalog.user.disabled through its outbox; services/mentor-catalog/test/admin.test.ts checks that
 * part): every gateway replica refuses the account's existing ID token at once, a replica started
 * afterwards too, and after catalog.user.enabled a fresh token passes on all of them.
 */
const accountEvent = (type: string, data: Record<string, unknown>): string =>
  JSON.stringify({
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'mentor-catalog',
    actor: { type: 'user', id: 'admin-uid', role: 'admin' },
    subject: { type: 'user', id: data.uid },
    data,
  })

t.test('a disabled account is refused within 1 s on every gateway replica, and accepted again after enable', { skip: authEmulatorMissing() }, async (t) => {
  const up = await startUpstream((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  const env = { GATEWAY_ROUTES: routesTo(up.url) }
  const [a, b] = await Promise.all([buildGateway(env), buildGateway(env)])
  t.teardown(async () => {
    await Promise.all([a.close(), b.close()])
    await up.close()
  })
  const replicas = { a, b }
  const user = await createEmulatorUser({ displayName: 'To Be Disabled' })
  const bystander = await createEmulatorUser()
  const get = (app: typeof a, token: string) => app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })

  for (const [name, app] of Object.entries(replicas)) {
    t.equal((await get(app, user.idToken)).statusCode, 200, `replica ${name} accepts the token (and caches it)`)
  }

  // the disable comes after the token was issued (iat has one-second resolution)
  await sleep(1_100)
  const disabledAt = new Date().toISOString()
  await a.bus.js.publish(CatalogEvents.userDisabled.type, accountEvent(CatalogEvents.userDisabled.type, { uid: user.uid, reason: 'fraud report #12', disabledAt }))
  const published = Date.now()
  for (const [name, app] of Object.entries(replicas)) {
    // polled with a 1 s bound from the publish: refused within it, or the test fails
    const refused = await waitFor(async () => {
      const r = await get(app, user.idToken)
      return r.statusCode === 401 ? r : null
    }, Math.max(1, 1_000 - (Date.now() - published)), 10)
    t.equal(refused.json().error.code, 'ACCOUNT_DISABLED', `replica ${name} refuses the disabled account's cached token`)
  }
  for (const [name, app] of Object.entries(replicas)) {
    t.equal((await get(app, bystander.idToken)).statusCode, 200, `replica ${name} still serves other accounts`)
  }

  // a token minted right after the disable (the emulator does not refuse here; Google would) is refused too
  const sameSecond = await emulatorToken(user)
  t.equal((await get(b, sameSecond.idToken)).json().error.code, 'ACCOUNT_DISABLED', 'any token of a disabled account is refused')

  // a replica started after the disable loads the deny set before it serves
  const late = await buildGateway(env)
  t.teardown(() => late.close())
  const first = await get(late, user.idToken)
  t.equal(first.statusCode, 401, 'a replica started later refuses from its first request')
  t.equal(first.json().error.code, 'ACCOUNT_DISABLED')

  await a.bus.js.publish(CatalogEvents.userEnabled.type, accountEvent(CatalogEvents.userEnabled.type, { uid: user.uid, reason: 'cleared', enabledAt: new Date().toISOString() }))
  await sleep(1_100)
  const fresh = await emulatorToken(user)
  for (const [name, app] of Object.entries({ ...replicas, late })) {
    await waitFor(async () => (await get(app, fresh.idToken)).statusCode === 200, 5_000)
    t.pass(`replica ${name} accepts a fresh token after enable`)
    const old = await get(app, user.idToken)
    t.equal(old.statusCode, 401, `replica ${name} still refuses the token from before the disable`)
    t.equal(old.json().error.code, 'TOKEN_REVOKED', 'its session was revoked: the user signs in again')
  }
})

t.test('a deleted account (catalog.user.deleted) is refused at once, like a disabled one', { skip: authEmulatorMissing() }, async (t) => {
  const up = await startUpstream((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  const gw = await buildGateway({ GATEWAY_ROUTES: routesTo(up.url) })
  t.teardown(async () => {
    await gw.close()
    await up.close()
  })
  const user = await createEmulatorUser({ displayName: 'To Be Deleted' })
  const get = (token: string) => gw.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })
  t.equal((await get(user.idToken)).statusCode, 200, 'the token is accepted (and cached) before the deletion')
  await sleep(1_100)
  const data = { uid: user.uid, deletedAt: new Date().toISOString() }
  await gw.bus.js.publish(CatalogEvents.userDeleted.type, accountEvent(CatalogEvents.userDeleted.type, data))
  const refused = await waitFor(async () => {
    const r = await get(user.idToken)
    return r.statusCode === 401 ? r : null
  }, 1_000, 10)
  t.equal(refused.json().error.code, 'ACCOUNT_DISABLED', "the deleted account's cached token is refused within 1 s")
})
