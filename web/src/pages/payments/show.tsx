// One payment (/payments/:paymentId): the result page of a payment (success, failure, cancelled,
// refunded) with its details and refunds; still open → the way back to the pay page. Kept fresh
// while the provider has not answered.
import { Button, Card, Descriptions, Flex, Typography } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import type { Payment } from '@sunbae/contracts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { formatMoney, paymentStatus, shouldPoll } from '../../lib/payments.ts'
import { getPayment } from '../../services/payment.ts'
import { failureText, PaymentResult, PaymentStateTag, payPath, RefundList } from './shared.tsx'

export function PaymentDetails({ payment }: { payment: Payment }) {
  const { t, lang } = useI18n()
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US')
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2 }} items={[
      { key: 'state', label: t.paymentState, children: <PaymentStateTag state={payment.state} /> },
      { key: 'amount', label: t.paymentAmount, children: formatMoney(payment.amount, payment.currency, lang) },
      ...(payment.refundedAmount > 0 ? [{ key: 'refunded', label: t.paymentRefunds, children: formatMoney(payment.refundedAmount, payment.currency, lang) }] : []),
      ...(payment.failureReason ? [{ key: 'reason', label: t.paymentReason, children: failureText(t, payment.failureReason) }] : []),
      { key: 'provider', label: t.paymentProvider, children: payment.provider },
      { key: 'booking', label: t.paymentBooking, children: <Typography.Text copyable code>{payment.bookingId}</Typography.Text> },
      { key: 'created', label: t.paymentCreatedAt, children: when(payment.createdAt) },
    ]} />
  )
}

export default function PaymentPage() {
  const { t } = useI18n()
  const { paymentId = '' } = useParams()
  const q = useQuery({
    queryKey: ['payments', paymentId],
    queryFn: () => getPayment(paymentId),
    refetchInterval: (query) => (shouldPoll(query.state.data?.state) ? 1500 : false),
  })
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.paymentDetail}</Typography.Title>
      <QueryView query={q}>
        {(p) => (
          <Flex vertical gap={16}>
            {paymentStatus(p.state).settled ? (
              <Card><PaymentResult payment={p} /></Card>
            ) : (
              <Card>
                <Flex wrap gap={8} align="center" justify="space-between">
                  <PaymentStateTag state={p.state} />
                  <Link to={payPath(p.bookingId)}><Button type="primary">{t.paymentPayNow}</Button></Link>
                </Flex>
              </Card>
            )}
            <Card><Flex vertical gap={12}><PaymentDetails payment={p} /><RefundList payment={p} /></Flex></Card>
          </Flex>
        )}
      </QueryView>
    </Flex>
  )
}
