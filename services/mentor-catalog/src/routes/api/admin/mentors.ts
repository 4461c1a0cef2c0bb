import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminMentor, AdminMentorListItem, AdminMentorListQuery, ApplicationStatus, ErrorResponse, MentorApplication, PageQuery, Paged } from '@sunbae/contracts'
import { actorOf, adminOnly, adminSchema, requireIdentity } from '@sunbae/service-kit'
import { IdParams, reasonActionSchema } from './schemas.ts'

/**
 * /api/admin/mentors — every mentor (search, status, paging), approving applications, suspending and
 * reinstating mentors (each with a reason, for the audit trail). The gateway already demands the
 * admin claim for /api/admin; every route checks it again here.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  adminOnly(app)

  app.get(
    '/',
    {
      schema: adminSchema({
        summary: 'Every mentor, suspended ones however long ago: search (name, headline, account email), status, latest status change first',
        querystring: AdminMentorListQuery,
        response: { 200: Paged(AdminMentorListItem) },
      }),
    },
    async (request) => {
      const { q, status, page = 1, pageSize = 20 } = request.query
      return app.mentors.listForAdmin({ ...(q ? { q } : {}), ...(status ? { status } : {}), page, pageSize })
    },
  )

  app.get(
    '/applications',
    {
      schema: adminSchema({
        summary: 'Mentor applications (pending: oldest first; otherwise newest first)',
        querystring: Type.Object({ status: Type.Optional(ApplicationStatus), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Paged(MentorApplication) },
      }),
    },
    async (request) => {
      const { status, page = 1, pageSize = 20 } = request.query
      return app.applications.list({ ...(status ? { status } : {}), page, pageSize })
    },
  )

  app.post(
    '/applications/:id/approve',
    {
      schema: adminSchema({
        summary: 'Approve: the profile goes public, the account becomes a mentor, catalog.mentor.approved is published',
        params: IdParams,
        response: { 200: Type.Object({ application: MentorApplication, mentor: AdminMentor }), 404: ErrorResponse, 409: ErrorResponse },
      }),
    },
    async (request) => app.applications.approve(request.params.id, requireIdentity(request)),
  )

  app.post(
    '/applications/:id/reject',
    { schema: reasonActionSchema('Reject with a reason the applicant sees', IdParams, { 200: MentorApplication, 409: ErrorResponse }) },
    async (request) => app.applications.reject(request.params.id, request.body.reason, requireIdentity(request)),
  )

  app.get(
    '/:id',
    {
      schema: adminSchema({
        summary: 'Any mentor, suspended ones included',
        params: IdParams,
        response: { 200: AdminMentor, 404: ErrorResponse },
      }),
    },
    async (request) => app.mentors.getForAdmin(request.params.id),
  )

  app.post(
    '/:id/suspend',
    { schema: reasonActionSchema('Suspend a mentor: hidden from the mentor page and search (catalog.mentor.suspended)', IdParams, { 200: AdminMentor }) },
    async (request) => app.mentors.suspend(request.params.id, request.body.reason, actorOf(requireIdentity(request))),
  )

  app.post(
    '/:id/reinstate',
    { schema: reasonActionSchema('Make a suspended mentor public again, with a reason (catalog.mentor.reinstated)', IdParams, { 200: AdminMentor }) },
    async (request) => app.mentors.reinstate(request.params.id, actorOf(requireIdentity(request)), request.body.reason),
  )
}

export default routes
