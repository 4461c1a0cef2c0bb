import t from 'tap'
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, adminOnly, adminSchema, requireIdentity } from '../src/index.ts'
import { identityHeaders, signIdentitiesOnInject } from '../src/testing.ts'
import { buildFixture } from './helpers.ts'

const mentee = identityHeaders({ uid: 'mentee-1', role: 'mentee' })
const admin = identityHeaders({ uid: 'admin-1', role: 'admin' })
const id = '0190a0c4-1111-7000-8000-000000000001'

/** An admin route file, as services write them under routes/api/admin/. */
const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)
  app.post(
    '/things/:id/suspend',
    {
      schema: adminSchema({
        summary: 'Suspend a thing',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ reason: Type.String({ minLength: 1 }) }),
        response: { 200: Type.Object({ id: Type.String(), reason: Type.String(), by: Type.String(), role: Type.String() }) },
      }),
    },
    async (request) => {
      const actor = actorOf(requireIdentity(request))
      return { id: request.params.id, reason: request.body.reason, by: actor.id ?? '', role: actor.role ?? '' }
    },
  )
}

t.test('adminOnly + adminSchema: admins only, checked before the body; the shared schema parts in OpenAPI', async (t) => {
  const app = signIdentitiesOnInject(
    await buildFixture(async (fastify) => {
      await fastify.register(adminRoutes, { prefix: '/api/admin' })
      // a route of another plugin is not an admin route
      fastify.get('/api/open', { schema: { response: { 200: Type.Object({ uid: Type.String() }) } } }, async (req) => ({ uid: requireIdentity(req).uid }))
    }),
    'fixture',
  )
  t.teardown(() => app.close())
  const suspend = (headers: Record<string, string>, body: unknown) =>
    app.inject({ method: 'POST', url: `/api/admin/things/${id}/suspend`, headers, payload: body as object })

  const anonymous = await suspend({}, { reason: 'spam' })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().error.code, 'UNAUTHENTICATED')
  const denied = await suspend(mentee, { nonsense: true })
  t.equal(denied.statusCode, 403, 'a mentee is refused before the body is looked at (not 400)')
  t.equal(denied.json().error.code, 'FORBIDDEN')
  const bad = await suspend(admin, { reason: '' })
  t.equal(bad.statusCode, 400, "an admin's bad body is a 400")
  const ok = await suspend(admin, { reason: 'spam' })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { id, reason: 'spam', by: 'admin-1', role: 'admin' }, 'actorOf: who did it')
  t.equal((await app.inject({ url: '/api/open', headers: mentee })).statusCode, 200, 'the hook stays inside the admin plugin')

  const doc = (await app.inject({ url: '/openapi.json' })).json()
  const op = doc.paths['/api/admin/things/{id}/suspend'].post
  t.same(op.tags, ['admin'])
  t.same(op.security, [{ gatewayIdentity: [] }])
  t.same(Object.keys(op.responses).sort(), ['200', '400', '401', '403'])
})

t.test("adminSchema keeps a route's own tags and answers", async (t) => {
  const schema = adminSchema({ tags: ['admin: chat'], response: { 200: Type.Null(), 404: Type.Null() } })
  t.same(schema.tags, ['admin: chat'])
  t.same(Object.keys(schema.response).sort(), ['200', '400', '401', '403', '404'])
})
