import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotificationPreferences, PutNotificationPreferencesBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { ownSchema } from './schemas.ts'

/** /api/notifications/preferences — what I am told, per category and channel. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    { schema: ownSchema({ summary: 'My notification switches per category and channel (all on until switched off)', response: { 200: NotificationPreferences } }) },
    async (request) => app.notificationPreferences.get(requireIdentity(request)),
  )

  app.put(
    '/',
    {
      schema: ownSchema({
        summary: 'Change some switches and/or the quiet hours; transactional categories (receipts, refunds) cannot be switched off (400 TRANSACTIONAL_CATEGORY)',
        body: PutNotificationPreferencesBody,
        response: { 200: NotificationPreferences },
      }),
    },
    async (request) => app.notificationPreferences.put(requireIdentity(request), request.body),
  )
}

export default routes
