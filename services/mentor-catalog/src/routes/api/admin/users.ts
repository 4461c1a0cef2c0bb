import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, Me, PageQuery, Paged, Role, RoleBody } from '@sunbae/contracts'
import { AppError, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const denied = { 401: ErrorResponse, 403: ErrorResponse }

/** /api/admin/users — the account mirror, and role changes. Admin only, checked here too. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Search accounts by email or name (substring, case-insensitive)',
        security,
        querystring: Type.Object(
          { q: Type.Optional(Type.String({ maxLength: 200 })), role: Type.Optional(Role), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Paged(Me), 400: ErrorResponse, ...denied },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      const { q, role, page = 1, pageSize = 20 } = request.query
      return app.users.search({ ...(q ? { q } : {}), ...(role ? { role } : {}), page, pageSize })
    },
  )

  app.put(
    '/:uid/role',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role: custom claim, mirror, refresh tokens revoked (catalog.user.role_changed)",
        security,
        params: Type.Object({ uid: Type.String({ minLength: 1, maxLength: 128 }) }),
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
