import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminUser, AdminUserListQuery, ErrorResponse, Me, Paged, ReasonBody, RoleBody } from '@sunbae/contracts'
import { AppError, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const denied = { 401: ErrorResponse, 403: ErrorResponse }
const UidParams = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 128 }) })

/** /api/admin/users — the account mirror, role changes, disable / enable. Admin only, checked here too. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Search accounts by email or name (substring, case-insensitive), role, enabled/disabled; with the last sign-in Firebase recorded',
        security,
        querystring: AdminUserListQuery,
        response: { 200: Paged(AdminUser), 400: ErrorResponse, ...denied },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      const { q, role, status, page = 1, pageSize = 20 } = request.query
      return app.userAccess.search({ ...(q ? { q } : {}), ...(role ? { role } : {}), ...(status ? { status } : {}), page, pageSize })
    },
  )

  app.get(
    '/:uid',
    {
      schema: {
        tags: ['admin'],
        summary: 'One account, with its access state and last sign-in',
        security,
        params: UidParams,
        response: { 200: AdminUser, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.userAccess.get(request.params.uid)
    },
  )

  app.post(
    '/:uid/disable',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Disable an account, with a reason: the Firebase account is disabled, its refresh tokens revoked, and every gateway refuses its ID tokens at once (catalog.user.disabled)',
        security,
        params: UidParams,
        body: ReasonBody,
        response: { 200: AdminUser, 400: ErrorResponse, ...denied, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.userAccess.disable(request.params.uid, request.body.reason, { type: 'user', id: admin.uid, role: admin.role })
    },
  )

  app.post(
    '/:uid/enable',
    {
      schema: {
        tags: ['admin'],
        summary: 'Enable a disabled account again, with a reason; the user signs in again (catalog.user.enabled)',
        security,
        params: UidParams,
        body: ReasonBody,
        response: { 200: AdminUser, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.userAccess.enable(request.params.uid, request.body.reason, { type: 'user', id: admin.uid, role: admin.role })
    },
  )

  app.put(
    '/:uid/role',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role: custom claim, mirror, refresh tokens revoked (catalog.user.role_changed)",
        security,
        params: UidParams,
        body: RoleBody,
        response: { 200: Me, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      const { me } = await app.users
        .changeRole({ uid: request.params.uid }, request.body.role, { type: 'user', id: admin.uid, role: admin.role })
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
