import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, NotificationPreferences, PutNotificationPreferencesBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const errors = { 400: ErrorResponse, 401: ErrorResponse }

/** /api/notifications/preferences — what I am told, per category and channel. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    { schema: { tags: ['notifications'], summary: 'My notification switches per category and channel (all on until switched off)', security, response: { 200: NotificationPreferences, ...errors } } },
    async (request) => app.notificationPreferences.get(requireIdentity(request)),
  )

  app.put(
    '/',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Change some switches and/or the quiet hours; transactional categories (receipts, refunds) cannot be switched off (400 TRANSACTIONAL_CATEGORY)',
        security,
        body: PutNotificationPreferencesBody,
        response: { 200: NotificationPreferences, ...errors },
      },
    },
    async (request) => app.notificationPreferences.put(requireIdentity(request), request.body),
  )
}

export default routes
