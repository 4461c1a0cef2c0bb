// Where the Toss Payments window sends the payer back (requestPayment's successUrl / failUrl):
//   /payments/toss/success?paymentType=…&orderId=<our payment id>&paymentKey=…&amount=…
//     → our server confirms the paymentKey for the payment's own amount (Toss refuses another), under an
//       Idempotency-Key of the paymentKey (a reload replays the answer), then the pay page shows the outcome;
//   /payments/toss/fail?code=…&message=…&orderId=… → why, and the way back to the pay page (the payment
//     is still waiting: nothing was charged).
import { Alert, Button, Card, Flex, Typography } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { Link, Navigate, useSearchParams } from 'react-router'
import { Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { confirmPayment, getPayment } from '../../services/payment.ts'

const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PAYMENT_KEY = /^[A-Za-z0-9_-]{1,200}$/

function Success({ orderId, paymentKey }: { orderId: string; paymentKey: string }) {
  const { t } = useI18n()
  const confirmed = useQuery({
    queryKey: ['payments', 'toss-confirm', paymentKey],
    queryFn: () => confirmPayment(orderId, paymentKey, `toss:${paymentKey}`),
    retry: false,
    staleTime: Infinity,
  })
  if (confirmed.isPending) return <Flex vertical align="center" gap={8}><Loading /><Typography.Text type="secondary">{t.paymentTossConfirming}</Typography.Text></Flex>
  if (confirmed.isError) return <QueryError error={confirmed.error} onRetry={() => void confirmed.refetch()} />
  return <Navigate replace to={`/payments/booking/${encodeURIComponent(confirmed.data.bookingId)}`} />
}

function Failure({ orderId, message }: { orderId: string; message: string }) {
  const { t } = useI18n()
  const payment = useQuery({ queryKey: ['payments', orderId], queryFn: () => getPayment(orderId), retry: false })
  return (
    <Flex vertical gap={12} data-testid="toss-failed">
      <Alert type="error" showIcon title={t.paymentTossFailed(message)} />
      {payment.data && (
        <Link to={`/payments/booking/${encodeURIComponent(payment.data.bookingId)}`}>
          <Button type="primary">{t.paymentBackToPay}</Button>
        </Link>
      )}
    </Flex>
  )
}

export default function TossReturn({ outcome }: { outcome: 'success' | 'fail' }) {
  const { t } = useI18n()
  const [params] = useSearchParams()
  const orderId = params.get('orderId') ?? ''
  const paymentKey = params.get('paymentKey') ?? ''
  const valid = ORDER_ID.test(orderId) && (outcome === 'fail' || PAYMENT_KEY.test(paymentKey))
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.paymentTossReturnTitle}</Typography.Title>
      <Card>
        {!valid ? (
          <Alert type="error" showIcon title={t.paymentTossBadReturn} />
        ) : outcome === 'success' ? (
          <Success orderId={orderId.toLowerCase()} paymentKey={paymentKey} />
        ) : (
          <Failure orderId={orderId.toLowerCase()} message={params.get('message') ?? params.get('code') ?? ''} />
        )}
      </Card>
    </Flex>
  )
}
