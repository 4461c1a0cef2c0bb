import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, UnsubscribeQuery, UnsubscribeResult } from '@sunbae/contracts'

const errors = { 400: ErrorResponse }

/**
 * /api/notifications/unsubscribe?token= — RFC 8058 one-click unsubscribe. No sign-in: the signed
 * token is the authority (public in the gateway's access rules). GET only reports (link scanners
 * follow GETs); POST unsubscribes, with the body mail clients send (`List-Unsubscribe=One-Click`,
 * form-encoded) or none.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  // the one-click body is form-encoded; what it says is fixed by the RFC, so it is not parsed
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_req, _body, done) => done(null, undefined))

  app.get(
    '/',
    { schema: { tags: ['notifications'], summary: "What a signed unsubscribe link switches off, and whether it is off (changes nothing)", querystring: UnsubscribeQuery, response: { 200: UnsubscribeResult, ...errors } } },
    async (request) => app.notificationPreferences.unsubscribeStatus(request.query.token),
  )

  app.post(
    '/',
    { schema: { tags: ['notifications'], summary: "One-click unsubscribe (RFC 8058): the link's category of email goes off for its owner", querystring: UnsubscribeQuery, response: { 200: UnsubscribeResult, ...errors } } },
    async (request) => app.notificationPreferences.unsubscribe(request.query.token),
  )
}

export default routes
