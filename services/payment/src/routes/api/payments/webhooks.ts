import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { ErrorResponse, WebhookAck } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'
import type { configSchema } from '../../../config.ts'

const BODY_LIMIT = 256 * 1024

/**
 * /api/payments/webhooks/:provider — public (the gateway lets it through without a token); trust
 * comes from the provider's signature over the raw bytes, so this context keeps JSON bodies as
 * Buffers and the provider parses them only after verifying.
 *
 * Toss does not sign its webhooks: a body is believed only after asking Toss (with our secret key),
 * so anyone could make us call Toss once per body. Two bounds: the route's own rate limit per
 * provider (before the body is read; per replica, like the gateway's limits), and a window per claim
 * (`webhookClaim`: paymentKey and status) in Postgres, shared by every replica, within which bodies
 * with the same claim are acknowledged as duplicates without asking again. A claim whose check
 * failed (Toss did not answer, or applying it threw) closes its window, so the provider's retry is
 * heard; a forged claim that holds a window open only delays the real webhook, because
 * reconciliation asks Toss about every payment left waiting.
 */
const routes: FastifyPluginAsyncTypebox<{ config: Static<typeof configSchema> }> = async (app, opts) => {
  const { PAYMENT_WEBHOOK_RATE_LIMIT: max, PAYMENT_WEBHOOK_DEDUPE_SECONDS: windowSec } = opts.config
  // @fastify/rate-limit's in-memory store; only routes that ask for it (this context's one) are limited
  await app.register(rateLimit, { global: false, cache: 10_000 })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body))

  app.post(
    '/:provider',
    {
      config: {
        rateLimit: {
          max,
          timeWindow: 60_000,
          keyGenerator: (request) => `webhook:${(request.params as { provider?: string }).provider ?? ''}`,
          errorResponseBuilder: (_request, context) =>
            new AppError(429, 'RATE_LIMITED', `Too many webhook requests for this provider; retry in ${context.after}`, {
              headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
            }),
        },
      },
      schema: {
        tags: ['webhooks'],
        summary: "A provider's event (signed); replays are acknowledged and ignored, unknown events acknowledged and logged",
        description:
          'Sandbox: header `Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with PAYMENT_SANDBOX_WEBHOOK_SECRET>`; ' +
          'body `{ id, type, data: { object: { id, reference, amount, currency, status, failure_code } } }` with type ' +
          'charge.succeeded | charge.failed | charge.requires_action. 400 INVALID_SIGNATURE, WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE; 404 UNKNOWN_PROVIDER; ' +
          '429 RATE_LIMITED (PAYMENT_WEBHOOK_RATE_LIMIT a minute per provider). Toss: bodies claiming the same paymentKey and status within ' +
          'PAYMENT_WEBHOOK_DEDUPE_SECONDS are acknowledged as duplicates without asking Toss again.',
        params: Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) }),
        body: Type.Unknown({ description: 'the provider event as JSON, verified against its raw bytes' }),
        response: { 200: WebhookAck, 400: ErrorResponse, 404: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => {
      const provider = app.providers.get(request.params.provider)
      if (!provider) throw new AppError(404, 'UNKNOWN_PROVIDER', 'No such payment provider')
      if (!Buffer.isBuffer(request.body)) throw new AppError(400, 'BAD_REQUEST', 'Send the event as application/json')
      const claim = provider.webhookClaim?.(request.body) ?? null
      if (claim !== null && !(await app.paymentCommands.openWebhookWindow(provider.name, claim, windowSec))) {
        request.log.info({ provider: provider.name, claim }, 'webhook claim seen within its window: not asked again')
        return { received: true, duplicate: true }
      }
      try {
        const event = await provider.verifyWebhook(request.body, request.headers, Date.now())
        return await app.paymentCommands.webhook(provider.name, event)
      } catch (err) {
        // refused as forged or malformed (4xx): the window stays; anything else, the retry is heard
        if (claim !== null && !(err instanceof AppError && err.statusCode < 500)) await app.paymentCommands.closeWebhookWindow(provider.name, claim)
        throw err
      }
    },
  )
}

export default routes
