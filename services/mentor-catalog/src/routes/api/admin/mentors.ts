import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AdminMentor, AdminMentorListItem, AdminMentorListQuery, ApplicationStatus, ErrorResponse, MentorApplication, PageQuery, Paged, ReasonBody } from '@sunbae/contracts'
import { requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const denied = { 401: ErrorResponse, 403: ErrorResponse }

/**
 * /api/admin/mentors — every mentor (search, status, paging), approving applications, suspending and
 * reinstating mentors (each with a reason, for the audit trail). The gateway already demands the
 * admin claim for /api/admin; every route checks it again here.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Every mentor, suspended ones however long ago: search (name, headline, account email), status, latest status change first',
        security,
        querystring: AdminMentorListQuery,
        response: { 200: Paged(AdminMentorListItem), 400: ErrorResponse, ...denied },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      const { q, status, page = 1, pageSize = 20 } = request.query
      return app.mentors.listForAdmin({ ...(q ? { q } : {}), ...(status ? { status } : {}), page, pageSize })
    },
  )

  app.get(
    '/applications',
    {
      schema: {
        tags: ['admin'],
        summary: 'Mentor applications (pending: oldest first; otherwise newest first)',
        security,
        querystring: Type.Object({ status: Type.Optional(ApplicationStatus), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Paged(MentorApplication), 400: ErrorResponse, ...denied },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      const { status, page = 1, pageSize = 20 } = request.query
      return app.applications.list({ ...(status ? { status } : {}), page, pageSize })
    },
  )

  app.post(
    '/applications/:id/approve',
    {
      schema: {
        tags: ['admin'],
        summary: 'Approve: the profile goes public, the account becomes a mentor, catalog.mentor.approved is published',
        security,
        params: IdParams,
        response: {
          200: Type.Object({ application: MentorApplication, mentor: AdminMentor }),
          400: ErrorResponse,
          ...denied,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (request) => app.applications.approve(request.params.id, requireRole(request, 'admin')),
  )

  app.post(
    '/applications/:id/reject',
    {
      schema: {
        tags: ['admin'],
        summary: 'Reject with a reason the applicant sees',
        security,
        params: IdParams,
        body: ReasonBody,
        response: { 200: MentorApplication, 400: ErrorResponse, ...denied, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => app.applications.reject(request.params.id, request.body.reason, requireRole(request, 'admin')),
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Any mentor, suspended ones included',
        security,
        params: IdParams,
        response: { 200: AdminMentor, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return app.mentors.getForAdmin(request.params.id)
    },
  )

  app.post(
    '/:id/suspend',
    {
      schema: {
        tags: ['admin'],
        summary: 'Suspend a mentor: hidden from the mentor page and search (catalog.mentor.suspended)',
        security,
        params: IdParams,
        body: ReasonBody,
        response: { 200: AdminMentor, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.mentors.suspend(request.params.id, request.body.reason, { type: 'user', id: admin.uid, role: admin.role })
    },
  )

  app.post(
    '/:id/reinstate',
    {
      schema: {
        tags: ['admin'],
        summary: 'Make a suspended mentor public again, with a reason (catalog.mentor.reinstated)',
        security,
        params: IdParams,
        body: ReasonBody,
        response: { 200: AdminMentor, 400: ErrorResponse, ...denied, 404: ErrorResponse },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin')
      return app.mentors.reinstate(request.params.id, { type: 'user', id: admin.uid, role: admin.role }, request.body.reason)
    },
  )
}

export default routes
