// Stripe's Payment Element, in Stripe's "finalize payments on the server" shape: Elements in deferred-
// intent mode (amount and currency of our payment, payment methods created by hand), then on "Pay"
// elements.submit() → stripe.createPaymentMethod({ elements }) → our confirm charges with the
// PaymentMethod id. A 3-D Secure challenge comes back as requires_action with the PaymentIntent's client
// secret: stripe.handleNextAction runs it, then our authenticate reads the outcome from Stripe. The
// publishable key comes from payment (GET /api/payments/providers). Stripe.js is only in this page's chunk.
import { Alert, Button, Flex, Typography } from 'antd'
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js'
// the pure entry: importing @stripe/stripe-js itself adds Stripe.js to every page that imports it (even
// a sandbox payment's); this one loads it when loadStripe is first called, for a Stripe payment
import type { Stripe } from '@stripe/stripe-js'
import { loadStripe } from '@stripe/stripe-js/pure'
import { useEffect, useRef, useState } from 'react'
import type { Payment } from '@sunbae/contracts'
import { useI18n } from '../../i18n/index.tsx'

// one Stripe.js per key for the app's life (loadStripe adds the script once)
const loaded = new Map<string, Promise<Stripe | null>>()
const stripeFor = (publishableKey: string) => {
  let p = loaded.get(publishableKey)
  if (!p) {
    p = loadStripe(publishableKey)
    loaded.set(publishableKey, p)
  }
  return p
}

function StripeFields({ label, busy, onPaymentMethod }: { label: string; busy: boolean; onPaymentMethod: (id: string) => void }) {
  const { t } = useI18n()
  const stripe = useStripe()
  const elements = useElements()
  const [error, setError] = useState<string | null>(null)
  const [working, setWorking] = useState(false)
  const [ready, setReady] = useState(false)
  const pay = async () => {
    if (!stripe || !elements) return
    setError(null)
    setWorking(true)
    try {
      // validates the fields (and collects what wallets need) before a PaymentMethod is made
      const submitted = await elements.submit()
      if (submitted.error) return setError(submitted.error.message ?? t.paymentFormUnavailable)
      const created = await stripe.createPaymentMethod({ elements })
      if (created.error) return setError(created.error.message ?? t.paymentFormUnavailable)
      onPaymentMethod(created.paymentMethod.id)
    } finally {
      setWorking(false)
    }
  }
  return (
    <Flex vertical gap={12} data-testid="stripe-form">
      <PaymentElement onReady={() => setReady(true)} />
      {error && <Alert type="error" showIcon title={error} data-testid="stripe-error" />}
      <Button type="primary" size="large" block data-testid="pay-button" disabled={!ready || busy} loading={working || busy} onClick={() => void pay()}>
        {label}
      </Button>
    </Flex>
  )
}

/** The card form of a Stripe payment not started yet. */
export function StripePay({ payment, publishableKey, label, busy, onPaymentMethod }: { payment: Payment; publishableKey: string; label: string; busy: boolean; onPaymentMethod: (id: string) => void }) {
  const [stripe] = useState(() => stripeFor(publishableKey))
  return (
    <Elements
      stripe={stripe}
      options={{
        mode: 'payment',
        amount: payment.amount,
        currency: payment.currency.toLowerCase(),
        // our server creates and confirms the PaymentIntent with this PaymentMethod (cards: no redirect back)
        paymentMethodCreation: 'manual',
      }}
    >
      <StripeFields label={label} busy={busy} onPaymentMethod={onPaymentMethod} />
    </Elements>
  )
}

/**
 * 3-D Secure of a requires_action Stripe payment: with the client secret of our confirm's answer the
 * challenge opens at once (once per secret); without one (the page was reloaded) "continue" first asks
 * our authenticate, whose answer carries it. Either way our authenticate then reads the outcome.
 */
export function StripeAuthenticate({ publishableKey, clientSecret, busy, onAuthenticate }: { publishableKey: string; clientSecret: string | null; busy: boolean; onAuthenticate: () => void }) {
  const { t } = useI18n()
  const [running, setRunning] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const opened = useRef<string | null>(null)
  const challenge = async (secret: string) => {
    opened.current = secret
    setRunning(true)
    setError(null)
    try {
      const stripe = await stripeFor(publishableKey)
      if (!stripe) throw new Error(t.paymentFormUnavailable)
      const result = await stripe.handleNextAction({ clientSecret: secret })
      if (result.error) setError(result.error.message ?? null)
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setRunning(false)
    }
    // whatever the challenge said, Stripe has the outcome: our server reads it from there
    onAuthenticate()
  }
  useEffect(() => {
    if (clientSecret && opened.current !== clientSecret) void challenge(clientSecret)
    // once per secret (challenge is a fresh closure every render)
  }, [clientSecret])
  return (
    <Flex vertical gap={12} data-testid="payment-authenticate">
      <Typography.Text>{t.paymentStripeAuthText}</Typography.Text>
      {error && <Alert type="error" showIcon title={error} />}
      <Button type="primary" disabled={busy || running} loading={running} onClick={() => (clientSecret ? void challenge(clientSecret) : onAuthenticate())}>
        {t.paymentStripeAuthContinue}
      </Button>
    </Flex>
  )
}
