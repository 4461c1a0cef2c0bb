// My payments (as a mentee: state, amount, the session, refunds; an open one links to its pay page)
// and a mentor's earnings (totals per currency and per payment, from the ledger). Tabs of the my page.
import { Button, Card, Col, Flex, Row, Statistic, Table, Typography } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { Link } from 'react-router'
import type { Booking, Earnings, Payment } from '@sunbae/contracts'
import { ItemList } from '../../components/ItemList.tsx'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { browserZone, formatInZone } from '../../lib/meetings.ts'
import { formatMoney, paymentStatus } from '../../lib/payments.ts'
import { listPast, listUpcoming } from '../../services/meeting.ts'
import { myEarnings, myPayments } from '../../services/payment.ts'
import { failureText, PaymentStateTag, paymentPath, payPath } from './shared.tsx'

/** My bookings by id, to say which session a payment is for (payments carry only the booking id). */
function useMyBookings(): Map<string, Booking> {
  const upcoming = useQuery({ queryKey: ['meetings', 'upcoming'], queryFn: () => listUpcoming() })
  const past = useQuery({ queryKey: ['meetings', 'past'], queryFn: () => listPast() })
  return useMemo(() => new Map([...(upcoming.data?.items ?? []), ...(past.data?.items ?? [])].map((b) => [b.id, b])), [upcoming.data, past.data])
}

function PaymentRow({ payment, booking }: { payment: Payment; booking: Booking | undefined }) {
  const { t, lang } = useI18n()
  const step = paymentStatus(payment.state).step
  return (
    <Flex wrap gap={12} justify="space-between" align="center" data-testid="my-payment">
      <Flex vertical gap={2} style={{ minWidth: 0 }}>
        <Flex wrap gap={8} align="center">
          <Typography.Text strong>{formatMoney(payment.amount, payment.currency, lang)}</Typography.Text>
          <PaymentStateTag state={payment.state} />
        </Flex>
        <Typography.Text type="secondary">
          {booking ? `${formatInZone(booking.start, browserZone(), lang)} · ${t.meetingMinutes(booking.duration)}` : `${t.paymentBooking} ${payment.bookingId.slice(0, 8)}`}
        </Typography.Text>
        {payment.refundedAmount > 0 && <Typography.Text>{t.paymentRefunded(formatMoney(payment.refundedAmount, payment.currency, lang))}</Typography.Text>}
        {payment.failureReason && <Typography.Text type="danger">{failureText(t, payment.failureReason)}</Typography.Text>}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>{new Date(payment.createdAt).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US')}</Typography.Text>
      </Flex>
      <Flex gap={8}>
        {(step === 'pay' || step === 'authenticate') && <Link to={payPath(payment.bookingId)}><Button type="primary">{t.paymentPayNow}</Button></Link>}
        <Link to={paymentPath(payment.id)}><Button>{t.paymentOpen}</Button></Link>
      </Flex>
    </Flex>
  )
}

export function MyPaymentsTab() {
  const { t } = useI18n()
  const q = useQuery({ queryKey: ['payments', 'mine'], queryFn: () => myPayments(100) })
  const bookings = useMyBookings()
  return (
    <Card title={t.paymentTabMine}>
      <QueryView query={q} isEmpty={(d) => d.items.length === 0} empty={t.paymentMineEmpty}>
        {(d) => <ItemList data-testid="my-payments" items={d.items} itemKey={(p) => p.id} render={(p) => <PaymentRow payment={p} booking={bookings.get(p.bookingId)} />} />}
      </QueryView>
    </Card>
  )
}

function EarningsView({ data }: { data: Earnings }) {
  const { t, lang } = useI18n()
  const money = (n: number, c: string) => formatMoney(n, c, lang)
  return (
    <Flex vertical gap={16}>
      {data.totals.map((x) => (
        <Card key={x.currency} size="small" title={`${t.earningsTotals} (${x.currency})`} data-testid="earnings-totals">
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}><Statistic title={t.earningsGross} value={money(x.gross, x.currency)} /></Col>
            <Col xs={12} md={6}><Statistic title={t.earningsFee} value={money(x.fee, x.currency)} /></Col>
            <Col xs={12} md={6}><Statistic title={t.earningsRefunded} value={money(x.refunded, x.currency)} /></Col>
            <Col xs={12} md={6}><Statistic title={t.earningsNet} value={money(x.net, x.currency)} /></Col>
          </Row>
        </Card>
      ))}
      <Table
        rowKey="paymentId"
        size="small"
        scroll={{ x: true }}
        data-testid="earnings"
        dataSource={data.items}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t.earningsPaidAt, key: 'at', render: (_, e) => (e.succeededAt ? new Date(e.succeededAt).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US') : '—') },
          { title: t.paymentState, key: 'state', render: (_, e) => <PaymentStateTag state={e.state} /> },
          { title: t.earningsGross, key: 'gross', align: 'right', render: (_, e) => money(e.gross, e.currency) },
          { title: t.earningsFee, key: 'fee', align: 'right', render: (_, e) => money(e.fee, e.currency) },
          { title: t.earningsRefunded, key: 'refunded', align: 'right', render: (_, e) => money(e.refunded, e.currency) },
          { title: t.earningsNet, key: 'net', align: 'right', render: (_, e) => <Typography.Text strong>{money(e.net, e.currency)}</Typography.Text> },
        ]}
      />
    </Flex>
  )
}

export function EarningsTab() {
  const { t } = useI18n()
  const q = useQuery({ queryKey: ['payments', 'earnings'], queryFn: myEarnings })
  return (
    <Card title={t.paymentTabEarnings}>
      <QueryView query={q} isEmpty={(d) => d.items.length === 0 && d.totals.length === 0} empty={t.earningsEmpty}>
        {(d) => <EarningsView data={d} />}
      </QueryView>
    </Card>
  )
}
