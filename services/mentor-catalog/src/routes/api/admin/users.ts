import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminUser, AdminUserListQuery, ErrorResponse, Me, Paged, RoleBody } from '@sunbae/contracts'
import { actorOf, adminOnly, adminSchema, AppError, requireIdentity } from '@sunbae/service-kit'
import { reasonActionSchema } from './schemas.ts'

const UidParams = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 128 }) })

/** /api/admin/users — the account mirror, role changes, disable / enable. Admin only, checked here too. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/',
    {
      schema: adminSchema({
        summary: 'Search accounts by email or name (substring, case-insensitive), role, enabled/disabled; with the last sign-in Firebase recorded',
        querystring: AdminUserListQuery,
        response: { 200: Paged(AdminUser) },
      }),
    },
    async (request) => {
      const { q, role, status, page = 1, pageSize = 20 } = request.query
      return app.userAccess.search({ ...(q ? { q } : {}), ...(role ? { role } : {}), ...(status ? { status } : {}), page, pageSize })
    },
  )

  app.get(
    '/:uid',
    {
      schema: adminSchema({
        summary: 'One account, with its access state and last sign-in',
        params: UidParams,
        response: { 200: AdminUser, 404: ErrorResponse },
      }),
    },
    async (request) => app.userAccess.get(request.params.uid),
  )

  app.post(
    '/:uid/disable',
    {
      schema: reasonActionSchema(
        'Disable an account, with a reason: the Firebase account is disabled, its refresh tokens revoked, and every gateway refuses its ID tokens at once (catalog.user.disabled)',
        UidParams,
        { 200: AdminUser, 409: ErrorResponse },
      ),
    },
    async (request) => app.userAccess.disable(request.params.uid, request.body.reason, actorOf(requireIdentity(request))),
  )

  app.post(
    '/:uid/enable',
    { schema: reasonActionSchema('Enable a disabled account again, with a reason; the user signs in again (catalog.user.enabled)', UidParams, { 200: AdminUser }) },
    async (request) => app.userAccess.enable(request.params.uid, request.body.reason, actorOf(requireIdentity(request))),
  )

  app.put(
    '/:uid/role',
    {
      schema: adminSchema({
        summary: "Change a user's role: custom claim, mirror, refresh tokens revoked (catalog.user.role_changed)",
        params: UidParams,
        body: RoleBody,
        response: { 200: Me, 404: ErrorResponse },
      }),
    },
    async (request) => {
      const admin = requireIdentity(request)
      const { me } = await app.users
        .changeRole({ uid: request.params.uid }, request.body.role, actorOf(admin))
        .catch((err: unknown) => {
          if ((err as { code?: string }).code === 'auth/user-not-found') throw notFoundUser()
          throw err
        })
      return me
    },
  )
}

const notFoundUser = () => new AppError(404, 'USER_NOT_FOUND', 'No such user')

export default routes
