// The pay page of a held booking (/payments/booking/:bookingId): the booking (mentor, time in the
// viewer's zone, length), the amount the server set, the hold countdown, and payment with one of the
// providers payment offers that take its currency (GET /api/payments/providers; picking one moves the
// payment to it while nothing was sent yet): the sandbox's test cards, Stripe's Payment Element (stripe-form.tsx) or the
// Toss Payments widget (toss-widget.tsx; it returns through toss-return.tsx). The order of calls
// follows services/payment: create (retried while meeting's held event is on its way) → confirm →
// authenticate when asked (Stripe: after Stripe.js's 3-D Secure) → poll while processing. Every POST
// carries one Idempotency-Key per user action (lib/payments.ts).
import { Alert, Button, Card, Col, Descriptions, Flex, Popconfirm, Radio, Row, Spin, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { Link, useParams } from 'react-router'
import { takesCurrency, type Booking, type Payment, type PaymentProviderName } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { Loading, QueryError, QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { errorMessage, isEmailUnverified } from '../../lib/errors.ts'
import { VerifyRequired } from '../../components/VerifyRequired.tsx'
import { browserZone, formatInZone } from '../../lib/meetings.ts'
import { ActionKeys, formatCountdown, formatMoney, holdRemaining, isRetryable, isSandbox, paymentStatus, SANDBOX_CARDS, shouldPoll, type SandboxCard } from '../../lib/payments.ts'
import { getMentor } from '../../services/catalog.ts'
import { getBooking } from '../../services/meeting.ts'
import { authenticatePayment, cancelPayment, confirmPayment, createPayment, getPayment, myPayments, paymentProviders } from '../../services/payment.ts'
import { PaymentResult, PaymentStateTag } from './shared.tsx'
import { StripeAuthenticate, StripePay } from './stripe-form.tsx'
import { TossPay } from './toss-widget.tsx'

const POLL_MS = 1500
const PROVIDER_NAMES: Record<string, string> = { toss: 'Toss Payments', stripe: 'Stripe', sandbox: 'Sandbox' }

/** The current time, ticking every second while `active`. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return
    const h = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(h)
  }, [active])
  return now
}

function BookingSummary({ booking }: { booking: Booking }) {
  const { t, lang } = useI18n()
  const mentor = useQuery({ queryKey: ['mentor', booking.mentorId], queryFn: () => getMentor(booking.mentorId), retry: false })
  return (
    <Card title={t.paymentSummary} data-testid="payment-summary">
      <Descriptions size="small" column={1} items={[
        { key: 'mentor', label: t.paymentMentor, children: mentor.data ? <Link to={`/mentors/${encodeURIComponent(booking.mentorId)}`}>{mentor.data.displayName}</Link> : '—' },
        { key: 'when', label: t.paymentWhen, children: formatInZone(booking.start, browserZone(), lang, { withZone: true }) },
        { key: 'duration', label: t.paymentDuration, children: t.meetingMinutes(booking.duration) },
        { key: 'amount', label: t.paymentAmount, children: <Typography.Text strong data-testid="payment-amount">{booking.price === 0 ? t.meetingFree : formatMoney(booking.price, booking.currency, lang)}</Typography.Text> },
      ]} />
      <Typography.Text type="secondary">{t.paymentAmountNote}</Typography.Text>
    </Card>
  )
}

function PayForm({ booking, payment, keys }: { booking: Booking; payment: Payment; keys: ActionKeys }) {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [card, setCard] = useState<SandboxCard>('tok_success')
  const providers = useQuery({ queryKey: ['payments', 'providers'], queryFn: paymentProviders, staleTime: Infinity })
  // the providers that take this payment's currency, as payment reports them (Toss: KRW only)
  const offered = (providers.data?.items ?? []).filter((p) => takesCurrency(p, payment.currency))
  const publicKey = offered.find((p) => p.name === payment.provider)?.publicKey ?? null
  // Stripe's 3-D Secure: the client secret comes only in the payer's confirm / authenticate answer
  const [clientSecret, setClientSecret] = useState<string | null>(null)
  const status = paymentStatus(payment.state)
  const now = useNow(!status.settled)
  const left = holdRemaining(payment.holdExpiresAt ?? booking.holdExpiresAt, now)
  const expired = left === 0 && !status.settled
  const amount = formatMoney(payment.amount, payment.currency, lang)
  // the hold is over: payment learns it from meeting's release a moment later, then shows the outcome
  useEffect(() => {
    if (!expired) return
    const h = setInterval(() => void qc.invalidateQueries({ queryKey: ['payments', payment.id] }), 3000)
    return () => clearInterval(h)
  }, [expired, qc, payment.id])

  const settle = (p: Payment) => {
    setClientSecret(p.nextAction?.clientSecret ?? null)
    qc.setQueryData(['payments', p.id], p)
    // my sessions change; this page's booking is not refetched, so the outcome stays on screen
    void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'meetings' && q.queryKey[1] !== 'booking' })
    void qc.invalidateQueries({ queryKey: ['payments', 'mine'] })
  }
  const onError = (err: unknown) => {
    // an unverified address: the form says so, with the way to verify
    if (!isEmailUnverified(err)) fb.error(err)
    // the answer is known (hold over, already moved): show the payment as it is now
    if (!isRetryable(err)) void qc.invalidateQueries({ queryKey: ['payments', payment.id] })
  }
  const confirm = useMutation({
    mutationFn: (token: string) => keys.run(`confirm:${payment.id}:${token}`, (k) => confirmPayment(payment.id, token, k)),
    onSuccess: settle,
    onError,
  })
  const authenticate = useMutation({
    mutationFn: (outcome: 'approve' | 'deny') => keys.run(`authenticate:${payment.id}:${outcome}`, (k) => authenticatePayment(payment.id, outcome, k)),
    onSuccess: settle,
    onError,
  })
  const choose = useMutation({
    mutationFn: (provider: PaymentProviderName) => keys.run(`provider:${payment.id}:${provider}`, (k) => createPayment(booking.id, k, provider)),
    onSuccess: settle,
    onError,
  })
  const cancel = useMutation({
    mutationFn: () => keys.run(`cancel:${payment.id}`, (k) => cancelPayment(payment.id, k)),
    onSuccess: settle,
    onError,
  })
  const lastError = confirm.error ?? authenticate.error ?? cancel.error ?? choose.error
  const busy = confirm.isPending || authenticate.isPending || cancel.isPending || choose.isPending
  const payLabel = t.paymentPay(amount)

  if (status.settled) return <Card><PaymentResult payment={payment} mentorId={booking.mentorId} /></Card>

  return (
    <Card title={<Flex gap={8} align="center" wrap>{t.paymentTitle}<PaymentStateTag state={payment.state} /></Flex>} data-testid="payment-form">
      <Flex vertical gap={16}>
        {left !== null && !expired && <Alert type="warning" showIcon data-testid="hold-countdown" title={t.paymentHoldLeft(formatCountdown(left))} />}
        {expired && <Alert type="error" showIcon title={t.paymentHoldOver} />}
        {isEmailUnverified(lastError) ? <VerifyRequired /> : lastError ? <Alert type="error" showIcon data-testid="payment-error" title={errorMessage(lastError, t)} /> : null}

        {status.step === 'wait' && (
          <Alert type="info" showIcon data-testid="payment-processing" icon={<Spin size="small" />} title={t.paymentProcessing} />
        )}

        {status.step === 'authenticate' && payment.provider === 'stripe' && publicKey && (
          <Card type="inner" title={t.paymentAuthTitle}>
            <StripeAuthenticate publishableKey={publicKey} clientSecret={clientSecret} busy={busy || expired} onAuthenticate={() => authenticate.mutate('approve')} />
          </Card>
        )}
        {status.step === 'authenticate' && payment.provider !== 'stripe' && (
          <Card type="inner" title={t.paymentAuthTitle} data-testid="payment-authenticate">
            <Flex vertical gap={12}>
              <Typography.Text>{t.paymentAuthText}</Typography.Text>
              <Flex wrap gap={8}>
                <Button type="primary" disabled={expired || busy} loading={authenticate.isPending && authenticate.variables === 'approve'} onClick={() => authenticate.mutate('approve')}>{t.paymentAuthApprove}</Button>
                <Button danger disabled={expired || busy} loading={authenticate.isPending && authenticate.variables === 'deny'} onClick={() => authenticate.mutate('deny')}>{t.paymentAuthDeny}</Button>
              </Flex>
            </Flex>
          </Card>
        )}

        {status.step === 'pay' && offered.length > 1 && (
          <Radio.Group
            aria-label={t.paymentMethodLabel}
            data-testid="payment-providers"
            value={choose.isPending ? choose.variables : payment.provider}
            onChange={(e) => choose.mutate(e.target.value as PaymentProviderName)}
            disabled={busy || expired}
            optionType="button"
            options={offered.map((p) => ({ value: p.name, label: t.paymentProviderNames[p.name] ?? p.name }))}
          />
        )}

        {status.step === 'pay' && !choose.isPending && (isSandbox(payment.provider) ? (
          <Flex vertical gap={12}>
            <Alert type="info" showIcon title={t.paymentSandboxTitle} description={t.paymentSandboxNote} data-testid="sandbox-notice" />
            <Radio.Group
              aria-label={t.paymentCardLabel}
              value={card}
              onChange={(e) => setCard(e.target.value as SandboxCard)}
              disabled={busy || expired}
              style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
              options={SANDBOX_CARDS.map((c) => ({ value: c, label: <span>{t.paymentCards[c]} <Typography.Text code>{c}</Typography.Text></span> }))}
            />
            <Button type="primary" size="large" block data-testid="pay-button" disabled={expired || busy} loading={confirm.isPending} onClick={() => confirm.mutate(card)}>
              {payLabel}
            </Button>
          </Flex>
        ) : providers.isPending ? (
          <Loading />
        ) : payment.provider === 'stripe' && publicKey ? (
          <StripePay key={payment.id} payment={payment} publishableKey={publicKey} label={payLabel} busy={busy || expired} onPaymentMethod={(id) => confirm.mutate(id)} />
        ) : payment.provider === 'toss' && publicKey ? (
          <TossPay key={payment.id} payment={payment} clientKey={publicKey} orderName={t.paymentTossOrderName} label={payLabel} busy={busy || expired} />
        ) : (
          <Alert type="info" showIcon data-testid="real-provider" title={t.paymentRealProvider(PROVIDER_NAMES[payment.provider] ?? payment.provider)} description={t.paymentRealProviderNote} />
        ))}

        {(status.step === 'pay' || status.step === 'authenticate') && !expired && (
          <Popconfirm title={t.paymentGiveUpConfirm} okText={t.paymentGiveUp} cancelText={t.meetingKeep} onConfirm={() => cancel.mutate()}>
            <Button danger type="text" disabled={busy}>{t.paymentGiveUp}</Button>
          </Popconfirm>
        )}
      </Flex>
    </Card>
  )
}

/** Payment of a held booking: created on arrival (or the existing one answered), then kept fresh. */
function PayHeld({ booking }: { booking: Booking }) {
  const { t } = useI18n()
  // one key store per visit of the page: a retry of an action reuses its key
  const [actions] = useState(() => new ActionKeys())
  const created = useQuery({
    queryKey: ['payments', 'for-booking', booking.id],
    queryFn: () => actions.run(`create:${booking.id}`, (k) => createPayment(booking.id, k)),
    // 404 BOOKING_NOT_FOUND for a moment while meeting's held event reaches payment
    retry: (n, err) => isRetryable(err) && n < 10,
    retryDelay: (n) => Math.min(400 * 2 ** n, 3000),
    staleTime: Infinity,
  })
  const id = created.data?.id
  const payment = useQuery({
    queryKey: ['payments', id],
    queryFn: () => getPayment(id!),
    enabled: !!id,
    ...(created.data ? { initialData: created.data } : {}),
    refetchInterval: (q) => (shouldPoll(q.state.data?.state) ? POLL_MS : false),
  })
  if (created.isPending) return <Card><Flex vertical align="center" gap={8}><Loading /><Typography.Text type="secondary">{t.paymentPreparing}</Typography.Text></Flex></Card>
  if (created.isError) return isEmailUnverified(created.error) ? <VerifyRequired /> : <QueryError error={created.error} onRetry={() => void created.refetch()} />
  if (!payment.data) return <Loading />
  return <PayForm booking={booking} payment={payment.data} keys={actions} />
}

/** A booking no longer held: its payment's outcome if there is one. */
function NotHeld({ booking }: { booking: Booking }) {
  const { t } = useI18n()
  const mine = useQuery({ queryKey: ['payments', 'mine'], queryFn: () => myPayments(), enabled: booking.price > 0 })
  const payment = mine.data?.items.find((p) => p.bookingId === booking.id)
  if (booking.price === 0) return <Alert type="info" showIcon title={t.paymentFree} />
  if (mine.isPending) return <Loading />
  if (payment) return <Card><PaymentResult payment={payment} mentorId={booking.mentorId} /></Card>
  return <Alert type="info" showIcon title={t.paymentNotHeld} description={t.meetingStates[booking.state] ?? booking.state} />
}

export default function PayPage() {
  const { t } = useI18n()
  const { bookingId = '' } = useParams()
  const booking = useQuery({ queryKey: ['meetings', 'booking', bookingId], queryFn: () => getBooking(bookingId) })
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.paymentTitle}</Typography.Title>
      <QueryView query={booking}>
        {(b) => (
          <Row gutter={[16, 16]}>
            <Col xs={24} md={10}><BookingSummary booking={b} /></Col>
            <Col xs={24} md={14}>{b.state === 'held' && b.price > 0 ? <PayHeld booking={b} /> : <NotHeld booking={b} />}</Col>
          </Row>
        )}
      </QueryView>
    </Flex>
  )
}
