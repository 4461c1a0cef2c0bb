import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminReview, AdminReviewListQuery, ErrorResponse, Paged, ReasonBody } from '@sunbae/contracts'
import { badRequest, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const denied = { 401: ErrorResponse, 403: ErrorResponse }

/** /api/admin/reviews — every review with its moderation state; hide and restore with a reason. Admin only, checked here too. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Reviews, newest first: by mentor, visible/hidden, text in the comment or author name, written from/to',
        security,
        querystring: AdminReviewListQuery,
        response: { 200: Paged(AdminReview), 400: ErrorResponse, ...denied },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      const { page = 1, pageSize = 20, ...filters } = request.query
      if (filters.from && filters.to && !(Date.parse(filters.from) < Date.parse(filters.to))) {
        throw badRequest('from must be before to', [{ field: 'from', message: 'must be before to' }])
      }
      return app.reviewModeration.list({ ...filters, page, pageSize })
    },
  )

  app.post(
    '/:id/hide',
    {
      schema: {
        tags: ['admin'],
        summary: "Hide a review from the mentor page, with a reason; the mentor's rating no longer counts it (catalog.review.hidden, catalog.mentor.rated)",
        security,
        params: IdParams,
        body: ReasonBody,
        response: { 200: AdminReview, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.reviewModeration.hide(request.params.id, request.body.reason, { type: 'user', id: admin.uid, role: admin.role })
    },
  )

  app.post(
    '/:id/restore',
    {
      schema: {
        tags: ['admin'],
        summary: 'Show a hidden review again, with a reason; it counts in the rating again (catalog.review.restored, catalog.mentor.rated)',
        security,
        params: IdParams,
        body: ReasonBody,
        response: { 200: AdminReview, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.reviewModeration.restore(request.params.id, request.body.reason, { type: 'user', id: admin.uid, role: admin.role })
    },
  )
}

export default routes
