import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, WebhookAck } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'

const BODY_LIMIT = 256 * 1024

/**
 * /api/payments/webhooks/:provider — public (the gateway lets it through without a token); trust
 * comes from the provider's signature over the raw bytes, so this context keeps JSON bodies as
 * Buffers and the provider parses them only after verifying.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body))

  app.post(
    '/:provider',
    {
      schema: {
        tags: ['webhooks'],
        summary: "A provider's event (signed); replays are acknowledged and ignored, unknown events acknowledged and logged",
        description:
          'Sandbox: header `Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with PAYMENT_SANDBOX_WEBHOOK_SECRET>`; ' +
          'body `{ id, type, data: { object: { id, reference, amount, currency, status, failure_code } } }` with type ' +
          'charge.succeeded | charge.failed | charge.requires_action. 400 INVALID_SIGNATURE, WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE; 404 UNKNOWN_PROVIDER.',
        params: Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) }),
        body: Type.Unknown({ description: 'the provider event as JSON, verified against its raw bytes' }),
        response: { 200: WebhookAck, 400: ErrorResponse, 404: ErrorResponse, 415: ErrorResponse },
      },
    },
    async (request) => {
      const provider = app.providers.get(request.params.provider)
      if (!provider) throw new AppError(404, 'UNKNOWN_PROVIDER', 'No such payment provider')
      if (!Buffer.isBuffer(request.body)) throw new AppError(400, 'BAD_REQUEST', 'Send the event as application/json')
      const event = await provider.verifyWebhook(request.body, request.headers, Date.now())
      return app.payments.webhook(provider.name, event)
    },
  )
}

export default routes
