import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PaymentProviders } from '@sunbae/contracts'
import { requireIdentity } from '@sunbae/service-kit'
import { errors, security } from './schemas.ts'

/** /api/payments/providers — what the pay page may offer, and the public key each provider's browser SDK is drawn with. */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/providers',
    {
      schema: {
        tags: ['payments'],
        summary: 'The payment providers a payer may choose, with the currencies each takes and its browser SDK key',
        description:
          "publicKey: Stripe's publishable key (Stripe.js, Payment Element) or Toss Payments' client key (payment widget) — public by design; " +
          'null for the sandbox. currencies: the ones it takes, null for any (Toss: KRW); a payment starts with the first that takes its currency. ' +
          'POST /api/payments {bookingId, provider} moves a payment not started yet to another one that takes it (else 400 CURRENCY_NOT_SUPPORTED).',
        security,
        response: { 200: PaymentProviders, ...errors },
      },
    },
    async (request) => {
      requireIdentity(request)
      return app.paymentQueries.providers()
    },
  )
}

export default routes
