// Admin: bookings — every booking by state, mentor, mentee and session start (the page's time range,
// kept in the URL), paged by the API; one opens with its history and what cancelling it now would
// refund on each party's behalf, and can be cancelled on a party's behalf with a reason.
import { Button, Descriptions, Drawer, Flex, Form, Input, Radio, Select, Table, Tag, Timeline, Typography } from 'antd'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { BOOKING_STATES, MEETING_LIMITS, type AdminBooking, type BookingState, type CancelledBy, type Refund } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { TimeRangePicker } from '../../components/TimeRange.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { formatMoney } from '../../lib/payments.ts'
import { useTimeRange } from '../../lib/time-range.ts'
import { adminBooking, adminBookings, adminCancelBooking } from '../../services/admin-ops.ts'

const PAGE_SIZE = 20
// sessions are booked ahead: a preset (30 days by default) is how far back the sessions start, with
// every later one included; a custom range bounds both ends
const FALLBACK = '30d'

function RefundText({ refund }: { refund: Refund | null }) {
  const { t, lang } = useI18n()
  if (!refund || refund.amount === 0) return <>{t.refundNone}</>
  return <>{t.refundShown(formatMoney(refund.amount, refund.currency, lang), refund.percent)}</>
}

function BookingDetail({ id }: { id: string }) {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<{ onBehalfOf: CancelledBy; reason: string }>()
  const detail = useQuery({ queryKey: ['admin-booking', id], queryFn: () => adminBooking(id) })
  const cancel = useMutation({
    mutationFn: (v: { onBehalfOf: CancelledBy; reason: string }) => adminCancelBooking(id, v.onBehalfOf, v.reason.trim()),
    onSuccess: (d) => {
      qc.setQueryData(['admin-booking', id], d)
      void qc.invalidateQueries({ queryKey: ['admin-bookings'] })
      form.resetFields()
      fb.success(t.bookingCancelledByAdmin)
    },
    onError: fb.error,
  })
  const when = (iso: string) => new Date(iso).toLocaleString(lang)
  return (
    <QueryView query={detail}>
      {(d) => (
        <Flex vertical gap={16} data-testid="admin-booking-detail">
          <Descriptions size="small" column={1} bordered items={[
            { key: 'state', label: t.bookingState, children: <Tag>{t.bookingStates[d.booking.state] ?? d.booking.state}</Tag> },
            { key: 'start', label: t.sessionStart, children: `${when(d.booking.start)} (${d.booking.duration}′)` },
            { key: 'price', label: t.paymentAmount, children: formatMoney(d.booking.price, d.booking.currency, lang) },
            { key: 'mentor', label: t.filterMentorUid, children: <Typography.Text copyable code>{d.booking.mentorUid}</Typography.Text> },
            { key: 'mentee', label: t.filterMenteeUid, children: <Typography.Text copyable code>{d.booking.menteeUid}</Typography.Text> },
            ...(d.booking.refund ? [{ key: 'refund', label: t.refund, children: <RefundText refund={d.booking.refund} /> }] : []),
          ]} />
          <div>
            <Typography.Title level={5}>{t.bookingHistory}</Typography.Title>
            <Timeline items={d.history.map((h) => ({
              key: `${h.bookingId}:${h.state}:${h.at}`,
              children: (
                <Flex vertical>
                  <Typography.Text strong>{t.bookingStates[h.state] ?? h.state} · {t.historyBy[h.by] ?? h.by}</Typography.Text>
                  <Typography.Text type="secondary">{when(h.at)}{h.actorUid ? ` · ${h.actorUid}` : ''}</Typography.Text>
                  {h.reason && <Typography.Text>{h.reason}</Typography.Text>}
                  {h.refund && <Typography.Text type="secondary"><RefundText refund={h.refund} /></Typography.Text>}
                </Flex>
              ),
            }))} />
          </div>
          {d.refundIfCancelled ? (
            <Form form={form} layout="vertical" name="admin-cancel-booking" initialValues={{ onBehalfOf: 'mentee' }} onFinish={(v) => cancel.mutate(v)}>
              <Typography.Title level={5}>{t.cancelOnBehalf}</Typography.Title>
              <Form.Item label={t.onBehalfOf} name="onBehalfOf">
                <Radio.Group options={[
                  { value: 'mentee', label: <>{t.onBehalfMentee} — <RefundText refund={d.refundIfCancelled.mentee} /></> },
                  { value: 'mentor', label: <>{t.onBehalfMentor} — <RefundText refund={d.refundIfCancelled.mentor} /></> },
                ]} />
              </Form.Item>
              <Form.Item label={t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
                <Input.TextArea rows={2} maxLength={MEETING_LIMITS.reason} showCount />
              </Form.Item>
              <Button danger htmlType="submit" loading={cancel.isPending}>{t.cancelOnBehalf}</Button>
            </Form>
          ) : <Typography.Text type="secondary">{t.notCancellable}</Typography.Text>}
        </Flex>
      )}
    </QueryView>
  )
}

export default function BookingsAdmin() {
  const { t, lang } = useI18n()
  const { range, bounds, key } = useTimeRange(FALLBACK)
  const window = 'preset' in range ? { from: bounds.from } : bounds
  const [state, setState] = useState<BookingState | 'all'>('all')
  const [who, setWho] = useState<{ mentorUid?: string; menteeUid?: string }>({})
  const [page, setPage] = useState(1)
  const [open, setOpen] = useState<string | null>(null)
  const list = useQuery({
    queryKey: ['admin-bookings', key, state, who, page],
    queryFn: () => adminBookings({ ...window, ...who, state: state === 'all' ? undefined : state, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  })
  return (
    <Flex vertical gap={12}>
      <TimeRangePicker fallback={FALLBACK} />
      <Flex wrap gap={8}>
        <Select<BookingState | 'all'> aria-label={t.bookingState} style={{ minWidth: 160 }} value={state} onChange={(v) => { setState(v); setPage(1) }}
          options={[{ value: 'all', label: t.allStates }, ...BOOKING_STATES.map((s) => ({ value: s, label: t.bookingStates[s] ?? s }))]} />
        <Form layout="inline" name="admin-bookings-filter" onFinish={(v: { mentorUid?: string; menteeUid?: string }) => {
          setWho(Object.fromEntries(Object.entries(v).filter(([, x]) => x && x.trim()).map(([k, x]) => [k, x!.trim()])))
          setPage(1)
        }}>
          <Form.Item label={t.filterMentorUid} name="mentorUid"><Input style={{ width: 200 }} /></Form.Item>
          <Form.Item label={t.filterMenteeUid} name="menteeUid"><Input style={{ width: 200 }} /></Form.Item>
          <Button htmlType="submit">{t.filterApply}</Button>
        </Form>
      </Flex>
      <QueryView query={list} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<AdminBooking> rowKey="id" size="small" scroll={{ x: 'max-content' }} dataSource={d.items} data-testid="admin-bookings"
            pagination={{ current: page, pageSize: PAGE_SIZE, total: d.total, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
            columns={[
              { title: t.sessionStart, key: 'start', render: (_, b) => new Date(b.start).toLocaleString(lang) },
              { title: t.bookingState, key: 'state', render: (_, b) => <Tag>{t.bookingStates[b.state] ?? b.state}</Tag> },
              { title: t.paymentAmount, key: 'price', align: 'right', render: (_, b) => formatMoney(b.price, b.currency, lang) },
              { title: t.filterMentorUid, key: 'mentor', render: (_, b) => <Typography.Text code>{b.mentorUid}</Typography.Text> },
              { title: t.filterMenteeUid, key: 'mentee', render: (_, b) => <Typography.Text code>{b.menteeUid}</Typography.Text> },
              { title: t.refund, key: 'refund', render: (_, b) => (b.refund ? <RefundText refund={b.refund} /> : '—') },
              { title: '', key: 'open', render: (_, b) => <Button size="small" onClick={() => setOpen(b.id)}>{t.details}</Button> },
            ]} />
        )}
      </QueryView>
      <Drawer open={!!open} onClose={() => setOpen(null)} title={t.bookingDetail} size={640} destroyOnHidden>
        {open && <BookingDetail id={open} />}
      </Drawer>
    </Flex>
  )
}
