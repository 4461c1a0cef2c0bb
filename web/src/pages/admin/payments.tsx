// Admin: every payment, newest first, filtered by state and booking (the API's filters) and paged
// here (the API answers up to `limit` rows, no cursor); a paid one can be refunded in full or in
// part with a reason (the refund runs through the provider; the list shows it once booked).
import { Alert, Button, Flex, Form, Input, InputNumber, Modal, Select, Table, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { Payment, PaymentState } from '@sunbae/contracts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { formatMoney } from '../../lib/payments.ts'
import { adminPayments } from '../../services/payment.ts'
import { adminRefund } from '../../services/admin-ops.ts'
import { useFeedback } from '../../components/feedback.ts'
import { failureText, PaymentStateTag, paymentPath } from '../payments/shared.tsx'

// needs_review first: the payments reconciliation could not settle wait for an admin
const STATES: PaymentState[] = ['needs_review', 'requires_payment', 'processing', 'requires_action', 'succeeded', 'failed', 'cancelled', 'partially_refunded', 'refunded']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const LIMITS = [50, 100, 200]

const refundable = (p: Payment) => p.amount - p.refundedAmount - p.refunds.filter((r) => r.state === 'pending').reduce((n, r) => n + r.amount, 0)

/** The refund dialog: an amount (empty: all that is left) and a reason; one Idempotency-Key per dialog, so a retry never refunds twice. */
function RefundDialog({ payment, onClose }: { payment: Payment; onClose: () => void }) {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<{ amount?: number | null; reason: string }>()
  const [key] = useState(() => crypto.randomUUID())
  const left = refundable(payment)
  const refund = useMutation({
    mutationFn: (v: { amount?: number | null; reason: string }) => adminRefund(payment.id, { ...(v.amount ? { amount: v.amount } : {}), reason: v.reason.trim() }, key),
    onSuccess: () => {
      fb.success(t.refundQueued)
      void qc.invalidateQueries({ queryKey: ['admin-payments'] })
      onClose()
    },
    onError: fb.error,
  })
  return (
    <Modal open title={t.refundTitle} onCancel={onClose} onOk={() => form.submit()} okText={t.refund} okButtonProps={{ danger: true }} cancelText={t.cancel} confirmLoading={refund.isPending} destroyOnHidden>
      <Typography.Paragraph type="secondary">{formatMoney(payment.amount, payment.currency, lang)} · {payment.bookingId}</Typography.Paragraph>
      <Form form={form} layout="vertical" name="admin-refund" onFinish={(v) => refund.mutate(v)}>
        <Form.Item label={t.refundAmount} name="amount" extra={t.refundAmountHint(formatMoney(left, payment.currency, lang))}
          rules={[{ validator: async (_, v: number | null | undefined) => { if (v != null && v > left) throw new Error(t.refundTooMuch) } }]}>
          <InputNumber min={1} max={left} precision={0} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item label={t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  )
}

export default function PaymentsAdmin() {
  const { t, lang } = useI18n()
  const [state, setState] = useState<PaymentState | 'all'>('all')
  const [bookingText, setBookingText] = useState('')
  const [bookingId, setBookingId] = useState<string | undefined>()
  const [limit, setLimit] = useState(50)
  const [page, setPage] = useState(1)
  const [refunding, setRefunding] = useState<Payment | null>(null)
  const badBooking = bookingText.trim() !== '' && !UUID.test(bookingText.trim())
  const q = useQuery({
    queryKey: ['admin-payments', state, bookingId, limit],
    queryFn: () => adminPayments({ state: state === 'all' ? undefined : state, bookingId, limit }),
  })
  // payments reconciliation could not settle wait for an admin: say so whatever the filter
  const review = useQuery({ queryKey: ['admin-payments', 'needs_review', 'count'], queryFn: () => adminPayments({ state: 'needs_review', limit: 200 }) })
  const reviewCount = review.data?.items.length ?? 0
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US')
  return (
    <Flex vertical gap={12}>
      {reviewCount > 0 && (
        <Alert
          type="error"
          showIcon
          data-testid="admin-payments-needs-review"
          message={t.adminPaymentsNeedsReview(reviewCount)}
          action={state === 'needs_review' ? undefined : <Button size="small" onClick={() => { setState('needs_review'); setPage(1) }}>{t.adminPaymentsShowNeedsReview}</Button>}
        />
      )}
      <Flex wrap gap={8}>
        <Select<PaymentState | 'all'>
          aria-label={t.adminPaymentsState}
          style={{ minWidth: 180 }}
          value={state}
          onChange={(v) => { setState(v); setPage(1) }}
          options={[{ value: 'all', label: t.adminPaymentsAll }, ...STATES.map((s) => ({ value: s, label: t.paymentStates[s] ?? s }))]}
        />
        <Input.Search
          aria-label={t.adminPaymentsBooking}
          placeholder={t.adminPaymentsBooking}
          allowClear
          style={{ maxWidth: 380 }}
          status={badBooking ? 'error' : undefined}
          value={bookingText}
          onChange={(e) => { setBookingText(e.target.value); if (!e.target.value) { setBookingId(undefined); setPage(1) } }}
          onSearch={(v) => { const id = v.trim(); if (!id || UUID.test(id)) { setBookingId(id || undefined); setPage(1) } }}
        />
        <Select<number> aria-label={t.adminPaymentsLimit} style={{ width: 100 }} value={limit} onChange={(v) => { setLimit(v); setPage(1) }} options={LIMITS.map((n) => ({ value: n, label: String(n) }))} />
      </Flex>
      {badBooking && <Typography.Text type="danger">{t.adminPaymentsBadBooking}</Typography.Text>}
      <QueryView query={q} isEmpty={(d) => d.items.length === 0} empty={t.adminPaymentsEmpty}>
        {(d) => (
          <Table<Payment>
            rowKey="id"
            size="small"
            scroll={{ x: 'max-content' }}
            data-testid="admin-payments"
            dataSource={d.items}
            pagination={{ current: page, pageSize: 20, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
            columns={[
              { title: t.paymentCreatedAt, key: 'created', render: (_, p) => when(p.createdAt) },
              { title: t.paymentState, key: 'state', render: (_, p) => <Flex vertical><PaymentStateTag state={p.state} />{p.failureReason && <Typography.Text type="secondary" title={failureText(t, p.failureReason)}>{p.failureReason}</Typography.Text>}</Flex> },
              { title: t.paymentAmount, key: 'amount', align: 'right', render: (_, p) => formatMoney(p.amount, p.currency, lang) },
              { title: t.paymentRefunds, key: 'refunded', align: 'right', render: (_, p) => (p.refundedAmount ? formatMoney(p.refundedAmount, p.currency, lang) : '—') },
              { title: t.adminPaymentsPayer, key: 'payer', render: (_, p) => <Typography.Text code>{p.menteeUid}</Typography.Text> },
              { title: t.paymentProvider, dataIndex: 'provider' },
              { title: t.paymentBooking, key: 'booking', render: (_, p) => <Typography.Text copyable={{ text: p.bookingId }} code>{p.bookingId.slice(0, 8)}</Typography.Text> },
              { title: '', key: 'open', render: (_, p) => (
                <Flex gap={4}>
                  <Link to={paymentPath(p.id)}><Button size="small">{t.paymentOpen}</Button></Link>
                  {(p.state === 'succeeded' || p.state === 'partially_refunded') && refundable(p) > 0 && <Button size="small" danger onClick={() => setRefunding(p)}>{t.refund}</Button>}
                </Flex>
              ) },
            ]}
          />
        )}
      </QueryView>
      {refunding && <RefundDialog payment={refunding} onClose={() => setRefunding(null)} />}
    </Flex>
  )
}
