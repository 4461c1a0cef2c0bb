// Pieces shared by the payment pages: the state tag, the refunds list and the result of a settled
// payment (success, failure, cancellation, refund) with where to go next.
import { Button, Flex, Result, Tag, Typography } from 'antd'
import { Link } from 'react-router'
import type { Payment, PaymentState } from '@sunbae/contracts'
import { ItemList } from '../../components/ItemList.tsx'
import type { Dict } from '../../i18n/dict.ts'
import { useI18n } from '../../i18n/index.tsx'
import { failureKind, formatMoney, paymentStatus } from '../../lib/payments.ts'

const SESSIONS_PATH = '/me?tab=sessions'
export const MY_PAYMENTS_PATH = '/me?tab=payments'
/** The pay page of a held booking: the one link other pages add for "pay now". */
export const payPath = (bookingId: string) => `/payments/booking/${encodeURIComponent(bookingId)}`
export const paymentPath = (paymentId: string) => `/payments/${encodeURIComponent(paymentId)}`

export function PaymentStateTag({ state }: { state: PaymentState }) {
  const { t } = useI18n()
  return <Tag color={paymentStatus(state).tone} data-testid="payment-state">{t.paymentStates[state] ?? state}</Tag>
}

export function failureText(t: Dict, reason: string | null): string {
  const kind = failureKind(reason)
  const text = t.paymentFailure[kind] ?? t.paymentFailure.other!
  return kind === 'other' && reason ? `${text} (${reason})` : text
}

export function RefundList({ payment }: { payment: Payment }) {
  const { t, lang } = useI18n()
  if (!payment.refunds.length) return null
  return (
    <Flex vertical gap={4} data-testid="payment-refunds">
      <Typography.Text strong>{t.paymentRefunds}</Typography.Text>
      <ItemList
        items={payment.refunds}
        itemKey={(r) => r.id}
        render={(r) => (
          <Flex wrap gap={8} justify="space-between">
            <span>{formatMoney(r.amount, payment.currency, lang)} · {r.reason}</span>
            <Typography.Text type="secondary">
              {r.state === 'pending' ? t.paymentRefundPending : t.paymentRefundDone} · {new Date(r.createdAt).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US')}
            </Typography.Text>
          </Flex>
        )}
      />
    </Flex>
  )
}

/** The outcome of a payment that needs nothing more from the payer. */
export function PaymentResult({ payment, mentorId }: { payment: Payment; mentorId?: string | undefined }) {
  const { t, lang } = useI18n()
  const step = paymentStatus(payment.state).step
  const amount = formatMoney(payment.amount, payment.currency, lang)
  const next = (
    <Flex key="next" wrap gap={8} justify="center">
      <Link to={SESSIONS_PATH}><Button type={step === 'paid' ? 'primary' : 'default'}>{t.paymentSeeSessions}</Button></Link>
      {mentorId && step !== 'paid' && <Link to={`/mentors/${encodeURIComponent(mentorId)}`}><Button type="primary">{t.paymentBackToMentor}</Button></Link>}
      <Link to={MY_PAYMENTS_PATH}><Button>{t.paymentSeeMine}</Button></Link>
    </Flex>
  )
  if (step === 'paid') return <Result status="success" data-testid="payment-result" title={t.paymentSucceeded} subTitle={`${amount} · ${t.paymentSucceededText}`} extra={next} />
  if (step === 'failed') {
    return <Result status="error" data-testid="payment-result" title={t.paymentFailedTitle} subTitle={<Flex vertical gap={4}><span>{failureText(t, payment.failureReason)}</span><span>{t.paymentFailedReleased}</span></Flex>} extra={next} />
  }
  if (step === 'cancelled') return <Result status="info" data-testid="payment-result" title={t.paymentCancelledTitle} subTitle={t.paymentCancelledText} extra={next} />
  return (
    <Result
      status="info"
      data-testid="payment-result"
      title={t.paymentRefundedTitle}
      subTitle={`${amount} · ${t.paymentRefunded(formatMoney(payment.refundedAmount, payment.currency, lang))}`}
      extra={[<RefundList key="refunds" payment={payment} />, next]}
    />
  )
}
