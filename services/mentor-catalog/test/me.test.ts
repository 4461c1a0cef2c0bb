import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { identityHeaders } from '@sunbae/service-kit/testing'
import type { NatsConnection } from '@nats-io/transport-node'
import { authEmulatorMissing, waitFor } from '@sunbae/testing'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { approvedMentor } from './accounts.ts'

/** Exactly one `type` event about the user `uid` reached CATALOG, as the user did it, with the name given. */
async function theOneUserEvent(t: Test, nc: NatsConnection, type: string, uid: string, displayName: string, why: string): Promise<void> {
  const events = await readEvents(nc, 'CATALOG', type, (e) => e.data.uid === uid, { settleMs: 1500 })
  t.equal(events.length, 1, why)
  t.match(events[0], {
    type,
    version: 1,
    source: 'mentor-catalog',
    actor: { type: 'user', id: uid },
    subject: { type: 'user', id: uid },
    data: { uid, email: `${uid}@example.com`, displayName, role: 'mentee' },
  })
}

t.test('PUT /api/me mirrors the signed-in account, GET returns it, registration is published once', async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const uid = `u-${randomUUID()}`
  const who = identityHeaders({ uid, email: `${uid}@example.com`, name: '김선배', picture: null, role: 'mentee' })

  const before = await app.inject({ method: 'GET', url: '/api/me', headers: who })
  t.equal(before.statusCode, 404)
  t.equal(before.json().error.code, 'ACCOUNT_NOT_FOUND')

  const created = await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: {} })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { uid, email: `${uid}@example.com`, displayName: '김선배', photoUrl: null, role: 'mentee', locale: 'ko', timeZone: 'Asia/Seoul' })

  const updated = await app.inject({
    method: 'PUT',
    url: '/api/me',
    headers: who,
    payload: { displayName: 'Sunbae Kim', photoUrl: 'https://example.com/me.png' },
  })
  t.equal(updated.statusCode, 200)
  t.equal(updated.json().displayName, 'Sunbae Kim')

  const got = await app.inject({ method: 'GET', url: '/api/me', headers: who })
  t.equal(got.statusCode, 200)
  t.same(got.json(), updated.json())

  await theOneUserEvent(t, nc, 'catalog.user.registered', uid, '김선배', 'registered exactly once, not on the update')
})

t.test('a changed name or email publishes catalog.user.updated once; an unchanged PUT publishes nothing', async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const uid = `u-${randomUUID()}`
  const who = identityHeaders({ uid, email: `${uid}@example.com`, name: '김선배', picture: null, role: 'mentee' })
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: {} })).statusCode, 201)
  // the same profile again: nothing changed, nothing to tell
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: {} })).statusCode, 200)
  const renamed = await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: { displayName: 'Sunbae Kim' } })
  t.equal(renamed.statusCode, 200)
  // a new photo alone is not something a notification uses
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: { displayName: 'Sunbae Kim', photoUrl: 'https://example.com/p.png' } })).statusCode, 200)

  await theOneUserEvent(t, nc, 'catalog.user.updated', uid, 'Sunbae Kim', 'one update: the rename')
})

t.test('the token decides the role and email; the body cannot', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const uid = `u-${randomUUID()}`
  const res = await app.inject({
    method: 'PUT',
    url: '/api/me',
    headers: identityHeaders({ uid, role: 'mentee' }),
    payload: { role: 'admin' },
  })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.details[0].field, 'body/role')
})

t.test('bad input and missing identity get clear 4xx JSON', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const anon = await app.inject({ method: 'GET', url: '/api/me' })
  t.equal(anon.statusCode, 401)
  t.equal(anon.json().error.code, 'UNAUTHENTICATED')

  const who = identityHeaders({ uid: `u-${randomUUID()}` })
  const bad = await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: { displayName: '', photoUrl: 'not a url' } })
  t.equal(bad.statusCode, 400)
  const fields = bad.json().error.details.map((d: { field: string }) => d.field).sort()
  t.same(fields, ['body/displayName', 'body/photoUrl'])

  const notJson = await app.inject({ method: 'PUT', url: '/api/me', headers: { ...who, 'content-type': 'application/json' }, payload: '{' })
  t.equal(notJson.statusCode, 400)
})

t.test('/readyz checks Postgres, NATS and the search index; the OpenAPI document lists /api/me', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200, ready.body)
  t.same(ready.json().checks, { postgres: 'ok', nats: 'ok', 'search-index': 'ok' })
  const doc = (await app.inject('/openapi.json')).json()
  t.ok(doc.paths['/api/me/']?.put ?? doc.paths['/api/me']?.put, 'PUT /api/me documented')
})

t.test('an email still held by a deleted account moves to the new account (Firebase keeps emails unique)', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const email = `moved-${randomUUID()}@example.com`
  const oldUid = `u-${randomUUID()}`
  const newUid = `u-${randomUUID()}`
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: identityHeaders({ uid: oldUid, email }), payload: {} })).statusCode, 201)
  const res = await app.inject({ method: 'PUT', url: '/api/me', headers: identityHeaders({ uid: newUid, email }), payload: {} })
  t.equal(res.statusCode, 201, res.body)
  t.equal(res.json().email, email)
  const old = await app.inject({ method: 'GET', url: '/api/me', headers: identityHeaders({ uid: oldUid }) })
  t.equal(old.json().email, null, 'the stale mirror row let go of the email')
})

t.test('locale and time zone: chosen at registration or later, kept by a PUT without them, carried by the user events', async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const uid = `u-${randomUUID()}`
  const who = identityHeaders({ uid, email: `${uid}@example.com`, name: 'Kim', picture: null, role: 'mentee' })

  const created = await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: { locale: 'en', timeZone: 'America/New_York' } })
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { locale: 'en', timeZone: 'America/New_York' })
  // each sign-in's PUT sends neither: the choice stays, and nothing changed
  const again = await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: {} })
  t.equal(again.statusCode, 200)
  t.match(again.json(), { locale: 'en', timeZone: 'America/New_York' })
  const moved = await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: { timeZone: 'Europe/Berlin' } })
  t.equal(moved.statusCode, 200, moved.body)
  t.match(moved.json(), { locale: 'en', timeZone: 'Europe/Berlin' })
  const got = await app.inject({ method: 'GET', url: '/api/me', headers: who })
  t.match(got.json(), { locale: 'en', timeZone: 'Europe/Berlin' })

  const registered = await readEvents(nc, 'CATALOG', 'catalog.user.registered', (e) => e.data.uid === uid)
  t.equal(registered.length, 1)
  t.match(registered[0]?.data, { uid, locale: 'en', timeZone: 'America/New_York' }, 'registration carries the chosen locale and zone')
  const updated = await readEvents(nc, 'CATALOG', 'catalog.user.updated', (e) => e.data.uid === uid, { settleMs: 1500 })
  t.equal(updated.length, 1, 'one update: the new zone (the PUT without them changed nothing)')
  t.match(updated[0]?.data, { uid, email: `${uid}@example.com`, displayName: 'Kim', role: 'mentee', locale: 'en', timeZone: 'Europe/Berlin' })
})

t.test('a zone Intl does not know, a locale other than ko/en, an unknown field: 400 in the error shape, nothing saved', async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const uid = `u-${randomUUID()}`
  const who = identityHeaders({ uid, email: `${uid}@example.com`, role: 'mentee' })
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: who, payload: { timeZone: 'Asia/Tokyo' } })).statusCode, 201)

  const refused = async (payload: string, field: string): Promise<void> => {
    const res = await app.inject({ method: 'PUT', url: '/api/me', headers: { ...who, 'content-type': 'application/json' }, payload })
    t.equal(res.statusCode, 400, `${payload}: ${res.body}`)
    const error = res.json().error
    t.equal(error.code, 'VALIDATION_FAILED', payload)
    t.type(error.requestId, 'string')
    t.ok(error.details.some((d: { field: string }) => d.field === field), `${payload} names ${field}: ${JSON.stringify(error.details)}`)
  }
  await refused('{"timeZone":"Mars/Base"}', 'body/timeZone')
  await refused('{"timeZone":""}', 'body/timeZone')
  await refused('{"timeZone":1e400}', 'body/timeZone')
  await refused(`{"timeZone":"${'A'.repeat(65)}"}`, 'body/timeZone')
  await refused('{"locale":"fr"}', 'body/locale')
  await refused('{"locale":null}', 'body/locale')
  await refused('{"language":"en"}', 'body/language')

  const got = await app.inject({ method: 'GET', url: '/api/me', headers: who })
  t.match(got.json(), { locale: 'ko', timeZone: 'Asia/Tokyo' }, 'nothing refused was saved')
})

t.test("rename and locale (issue 21): one catalog.user.updated with both; a mentor's public name follows (catalog.mentor.updated, page, search); a sign-in without a name keeps it", { skip: authEmulatorMissing() }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const { acct, mentorId } = await approvedMentor(app)
  const word = `renamed${randomUUID().replace(/-/g, '').slice(0, 8)}`
  const newName = `김선배 ${word}`
  const put = await app.inject({ method: 'PUT', url: '/api/me', headers: acct.headers, payload: { displayName: newName, locale: 'en' } })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json(), { displayName: newName, locale: 'en', role: 'mentor' })

  const [updated, ...more] = await readEvents(nc, 'CATALOG', 'catalog.user.updated', (e) => e.data.uid === acct.uid, { settleMs: 1500 })
  t.equal(more.length, 0, 'one catalog.user.updated')
  t.match(updated, { actor: { type: 'user', id: acct.uid }, data: { uid: acct.uid, email: acct.email, displayName: newName, role: 'mentor', locale: 'en', timeZone: 'Asia/Seoul' } })
  const profile = await readEvents(nc, 'CATALOG', 'catalog.mentor.updated', (e) => e.data.id === mentorId, { settleMs: 1500 })
  t.equal(profile.length, 1, 'one catalog.mentor.updated')
  t.match(profile[0], { actor: { id: acct.uid }, subject: { type: 'mentor', id: mentorId }, data: { id: mentorId, uid: acct.uid, displayName: newName, status: 'active' } })

  t.equal((await app.inject(`/api/mentors/${mentorId}`)).json().displayName, newName, 'the mentor page')
  const found = await waitFor(async () => {
    const r = (await app.inject(`/api/mentors?q=${word}`)).json()
    return r.total === 1 ? r : undefined
  }, 10_000)
  t.match(found.items, [{ id: mentorId, displayName: newName }], 'search finds the new name')

  // the next sign-in's PUT: its token carries no name (or the new one) — nothing changes, nothing is published
  const since = new Date().toISOString()
  const noName = identityHeaders({ uid: acct.uid, email: acct.email, role: 'mentor' })
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: noName, payload: {} })).json().displayName, newName, 'a token without a name keeps the chosen one')
  t.equal((await app.inject({ method: 'PUT', url: '/api/me', headers: acct.as('mentor'), payload: { displayName: newName } })).statusCode, 200)
  const after = await readEvents(nc, 'CATALOG', 'catalog.>', (e) => e.data.uid === acct.uid && e.occurredAt >= since, { count: 1, timeoutMs: 1500 })
  t.same(after.map((e) => e.type), [], 'nothing more published')
})
