import { Type, type Static } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'

export const PROVIDER_NAMES = ['sandbox', 'stripe', 'toss'] as const
export type ProviderName = (typeof PROVIDER_NAMES)[number]
const ONE = `(${PROVIDER_NAMES.join('|')})`

export const configSchema = serviceConfig({
  /**
   * The provider new payments go through (payments in flight keep theirs). Unset: `sandbox` in
   * development and tests; production requires it (or PAYMENT_PROVIDERS) and refuses `sandbox` (see `enabledProviders`).
   */
  PAYMENT_PROVIDER: Type.Optional(Type.Union([Type.Literal('sandbox'), Type.Literal('stripe'), Type.Literal('toss')])),
  /**
   * Several providers at once, comma-separated (`sandbox,stripe,toss`): the payer picks one on the pay
   * page; the first is the one a payment starts with. Instead of PAYMENT_PROVIDER, not beside it.
   */
  PAYMENT_PROVIDERS: Type.Optional(Type.String({ pattern: `^${ONE}(,${ONE})*$` })),
  /** Stripe is offered when its secret key is set (with the webhook signing secret). */
  STRIPE_SECRET_KEY: Type.Optional(Type.String({ minLength: 8 })),
  STRIPE_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 8 })),
  /** The publishable key the web's Stripe.js uses (public by design; the web reads it from GET /api/payments/providers). */
  STRIPE_PUBLISHABLE_KEY: Type.Optional(Type.String({ pattern: '^pk_(test|live)_[A-Za-z0-9_]{4,200}$' })),
  /** Another origin than api.stripe.com (a local server speaking Stripe's API, in tests). */
  STRIPE_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** Toss Payments is offered when its secret key is set. */
  TOSS_SECRET_KEY: Type.Optional(Type.String({ minLength: 8 })),
  /** The client key the web's Toss payment widget uses (public by design; GET /api/payments/providers). */
  TOSS_CLIENT_KEY: Type.Optional(Type.String({ pattern: '^(test|live)_g?ck_[A-Za-z0-9_]{4,200}$' })),
  /** Another origin than api.tosspayments.com (a local server speaking Toss' API, in tests). */
  TOSS_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** The platform's share of every charge, in percent (the rest is payable to the mentor). */
  PAYMENT_PLATFORM_FEE_PERCENT: Type.Number({ minimum: 0, maximum: 100, default: 10 }),
  /**
   * HMAC key the sandbox signs its webhooks with (`Sandbox-Signature: t=…,v1=…`). Unset: a local-only
   * value outside production; in production sandbox webhooks are then refused.
   */
  PAYMENT_SANDBOX_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** How far a webhook's signed timestamp may be from now. */
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 300 }),
  /**
   * Webhook requests per provider per minute, per replica (the route is public; a Toss body costs a
   * call to Toss with our secret key). Over it: 429, and providers deliver again later.
   */
  PAYMENT_WEBHOOK_RATE_LIMIT: Type.Integer({ minimum: 1, maximum: 100_000, default: 120 }),
  /** Webhook bodies claiming one thing (Toss: paymentKey and status) ask the provider once per this window. */
  PAYMENT_WEBHOOK_DEDUPE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  /** How long an Idempotency-Key (and its stored response) lives. */
  PAYMENT_IDEMPOTENCY_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 720, default: 24 }),
  /**
   * How long a request waits for a concurrent one with the same key before answering 409. The client
   * sits behind it: with a margin it must stay below GATEWAY_UPSTREAM_TIMEOUT_MS (checked at load).
   */
  PAYMENT_IDEMPOTENCY_WAIT_MS: Type.Integer({ minimum: 0, maximum: 120_000, default: 5_000 }),
  /**
   * A running request renews its key's lease every third of this; a key whose request died (a crash,
   * kill -9) is taken over by a retry at most this long after its last renewal.
   */
  PAYMENT_IDEMPOTENCY_LEASE_MS: Type.Integer({ minimum: 300, maximum: 120_000, default: 5_000 }),
  /**
   * The longest a provider call may take, whole (no retries inside a call: every call is idempotent by
   * key and reconciliation asks again). A payer sits behind it, and a retry that waited
   * PAYMENT_IDEMPOTENCY_WAIT_MS for a dead request and took over its key sits behind both: the sum,
   * with a margin, must stay below GATEWAY_UPSTREAM_TIMEOUT_MS (checked at load). A confirm whose
   * provider does not answer in time answers the payment `processing`; the webhook or
   * reconciliation settles it.
   */
  PAYMENT_PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 3_500 }),
  /** How often each replica asks the provider about stuck payments and runs pending refunds. */
  PAYMENT_RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 }),
  /** A payment `processing` for longer than this is asked about (a webhook may have been lost). */
  PAYMENT_RECONCILE_AFTER_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 30_000 }),
  /** A payment the provider has no record of after this long failed before the provider saw it. */
  PAYMENT_RECONCILE_ABANDON_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 600_000 }),
  /** The sandbox's simulated network latency per call (recorded first, answered after). */
  PAYMENT_SANDBOX_LATENCY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 0 }),
  /** How long a `tok_delayed` charge stays processing at the sandbox before it settles. */
  PAYMENT_SANDBOX_SETTLE_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 5_000 }),
})

export type PaymentConfig = Static<typeof configSchema>

/**
 * The providers payers may choose, the first being the one a payment starts with: PAYMENT_PROVIDERS,
 * else PAYMENT_PROVIDER alone, else (outside production only) the sandbox.
 */
export const enabledProviders = (config: Pick<PaymentConfig, 'PAYMENT_PROVIDER' | 'PAYMENT_PROVIDERS'>): ProviderName[] =>
  config.PAYMENT_PROVIDERS ? [...new Set(config.PAYMENT_PROVIDERS.split(',') as ProviderName[])] : [config.PAYMENT_PROVIDER ?? 'sandbox']
