import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdminReview, AdminReviewListQuery, Paged } from '@sunbae/contracts'
import { actorOf, adminOnly, adminSchema, badRequest, requireIdentity } from '@sunbae/service-kit'
import { IdParams, reasonActionSchema } from './schemas.ts'

/** /api/admin/reviews — every review with its moderation state; hide and restore with a reason. Admin only, checked here too. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/',
    {
      schema: adminSchema({
        summary: 'Reviews, newest first: by mentor, visible/hidden, text in the comment or author name, written from/to',
        querystring: AdminReviewListQuery,
        response: { 200: Paged(AdminReview) },
      }),
    },
    async (request) => {
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
      schema: reasonActionSchema(
        "Hide a review from the mentor page, with a reason; the mentor's rating no longer counts it (catalog.review.hidden, catalog.mentor.rated)",
        IdParams,
        { 200: AdminReview },
      ),
    },
    async (request) => app.reviewModeration.hide(request.params.id, request.body.reason, actorOf(requireIdentity(request))),
  )

  app.post(
    '/:id/restore',
    { schema: reasonActionSchema('Show a hidden review again, with a reason; it counts in the rating again (catalog.review.restored, catalog.mentor.rated)', IdParams, { 200: AdminReview }) },
    async (request) => app.reviewModeration.restore(request.params.id, request.body.reason, actorOf(requireIdentity(request))),
  )
}

export default routes
