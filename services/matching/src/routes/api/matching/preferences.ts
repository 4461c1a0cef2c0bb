import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, Preferences, PreferencesBody } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]

/** /api/matching/preferences — what the signed-in mentee is looking for. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['matching'],
        summary: 'My mentee preferences (defaults, with updatedAt null, until first saved)',
        security,
        response: { 200: Preferences, 401: ErrorResponse },
      },
    },
    async (request) => app.preferences.get(requireIdentity(request).uid),
  )

  app.put(
    '/',
    {
      schema: {
        tags: ['matching'],
        summary: 'Replace my mentee preferences; recommendations follow at once',
        description: 'Goals (free text), skills of interest, languages, budget (KRW per hour), time zone and weekly time windows, career stage. An omitted field goes back to its default.',
        security,
        body: PreferencesBody,
        response: { 200: Preferences, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => app.preferences.put(requireIdentity(request).uid, request.body),
  )
}

export default routes
