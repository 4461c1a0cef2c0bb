// My sessions (mentee and mentor alike): upcoming and past, with the join link of confirmed ones, the
// .ics entry, reschedule (pick a new slot), cancel with a reason and the refund it would earn shown
// before confirming, and — for the mentor, after the start — marking a no-show.
import { Alert, Button, Card, Flex, Form, Input, Modal, Popconfirm, Space, Tag, Typography } from 'antd'
import { CalendarOutlined, VideoCameraOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { MEETING_LIMITS, type Booking } from '@sunbae/contracts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { ItemList } from '../../components/ItemList.tsx'
import { SlotPicker, type PickedSlot } from '../../components/SlotPicker.tsx'
import { QueryView } from '../../components/States.tsx'
import type { Dict } from '../../i18n/dict.ts'
import { useI18n } from '../../i18n/index.tsx'
import { bookingActions, browserZone, formatInZone, partyOf, refundPreview, timeInZone, type Party, type RefundPreview } from '../../lib/meetings.ts'
import { roomPath } from '../../lib/room.ts'
import { payPath } from '../payments/shared.tsx'
import { allMatches, cancelBooking, getBookingIcs, listPast, listUpcoming, markNoShow, rescheduleBooking } from '../../services/meeting.ts'

const STATE_COLORS: Record<string, string> = { held: 'warning', confirmed: 'success', released: 'default', cancelled: 'default', rescheduled: 'processing', completed: 'blue', no_show: 'error' }

export const bookingStateTag = (t: Dict, state: string) => <Tag color={STATE_COLORS[state]}>{t.meetingStates[state] ?? state}</Tag>

/** The refund line for a preview or an outcome. */
export function refundText(t: Dict, r: RefundPreview): string {
  switch (r.kind) {
    case 'nothing_paid':
      return t.meetingRefundNothingPaid
    case 'full':
      return t.meetingRefundFull(t.meetingMoney(r.amount))
    case 'partial':
      return t.meetingRefundPartial(r.percent, t.meetingMoney(r.amount))
    case 'none':
      return t.meetingRefundNone
  }
}

/** Saves the session's calendar entry: the route needs the bearer token, so no plain link. */
async function downloadIcs(id: string) {
  const text = await getBookingIcs(id)
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar;charset=utf-8' }))
  const a = document.createElement('a')
  a.href = url
  a.download = `sunbae-${id}.ics`
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Names of the other party: my mentors by public id, my mentees by uid (bookings carry only ids). */
function useNames() {
  const { role } = useAuth()
  const mentors = useQuery({ queryKey: ['matches', 'mentee', 'all'], queryFn: () => allMatches('mentee') })
  const mentees = useQuery({ queryKey: ['matches', 'mentor', 'all'], queryFn: () => allMatches('mentor'), enabled: role === 'mentor' })
  return useMemo(() => {
    const byMentor = new Map<string, string>()
    const byMentee = new Map<string, string>()
    for (const m of mentors.data?.items ?? []) if (m.mentor.displayName) byMentor.set(m.mentor.id, m.mentor.displayName)
    for (const m of mentees.data?.items ?? []) if (m.mentee.displayName) byMentee.set(m.mentee.uid, m.mentee.displayName)
    return { mentor: (id: string) => byMentor.get(id), mentee: (uid: string) => byMentee.get(uid) }
  }, [mentors.data, mentees.data])
}

function CancelDialog({ booking, party, onClose }: { booking: Booking; party: Party; onClose: () => void }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<{ reason: string }>()
  // The booking carries its refund terms (the policy as first booked, what earlier moves left), so
  // the dialog computes the very refund the service will: the same rule from @sunbae/contracts.
  const [now] = useState(() => Date.now())
  const preview = refundPreview(booking, party, now)
  const cancel = useMutation({
    mutationFn: (reason: string) => cancelBooking(booking.id, reason),
    onSuccess: (b) => {
      fb.success(b.refund ? `${t.meetingCancelledDone} · ${refundText(t, { kind: b.refund.outcome, percent: b.refund.percent, amount: b.refund.amount, currency: b.refund.currency })}` : t.meetingCancelledDone)
      void qc.invalidateQueries({ queryKey: ['meetings'] })
      void qc.invalidateQueries({ queryKey: ['slots', booking.mentorId] })
      onClose()
    },
    onError: fb.error,
  })
  return (
    <Modal open title={t.meetingCancelTitle} onCancel={onClose} cancelText={t.meetingKeep} okText={t.meetingCancelOk} okButtonProps={{ danger: true }} onOk={() => form.submit()} confirmLoading={cancel.isPending} destroyOnHidden>
      <Flex vertical gap={12}>
        <Alert type={preview.kind === 'none' ? 'warning' : 'info'} showIcon data-testid="refund-preview" title={`${t.meetingRefundLabel}: ${refundText(t, preview)}`} description={party === 'mentor' && booking.price > 0 ? t.meetingRefundMentorFull : undefined} />
        <Form form={form} layout="vertical" name={`cancel-${booking.id}`} onFinish={(v) => cancel.mutate(v.reason.trim())}>
          <Form.Item label={t.meetingCancelReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={3} maxLength={MEETING_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Flex>
    </Modal>
  )
}

function RescheduleDialog({ booking, onClose }: { booking: Booking; onClose: () => void }) {
  const { t } = useI18n()
  const { user } = useAuth()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [slot, setSlot] = useState<PickedSlot | null>(null)
  // A mentee's move keeps the refund that cancelling now would earn (the policy of the session as
  // first booked): say so when that is less than everything.
  const [now] = useState(() => Date.now())
  const kept = partyOf(booking, user?.uid) === 'mentee' ? refundPreview(booking, 'mentee', now) : null
  const [form] = Form.useForm<{ reason: string }>()
  const move = useMutation({
    mutationFn: (v: { start: string; reason: string }) => rescheduleBooking(booking.id, v.start, v.reason),
    onSuccess: () => {
      fb.success(t.meetingRescheduledDone)
      void qc.invalidateQueries({ queryKey: ['meetings'] })
      void qc.invalidateQueries({ queryKey: ['slots', booking.mentorId] })
      onClose()
    },
    onError: (err) => {
      fb.error(err)
      void qc.invalidateQueries({ queryKey: ['slots', booking.mentorId] })
    },
  })
  return (
    <Modal open width={720} title={t.meetingRescheduleTitle} onCancel={onClose} cancelText={t.cancel} okText={t.meetingRescheduleOk} onOk={() => form.submit()} okButtonProps={{ disabled: !slot }} confirmLoading={move.isPending} destroyOnHidden>
      <Flex vertical gap={12}>
        {kept && (kept.kind === 'partial' || kept.kind === 'none') && (
          <Alert type="warning" showIcon data-testid="reschedule-refund" title={t.meetingRescheduleKeepsRefund(refundText(t, kept))} />
        )}
        <SlotPicker mentorId={booking.mentorId} fixedDuration={booking.duration} value={slot} onChange={setSlot} idPrefix={`reschedule-${booking.id.slice(0, 8)}`} />
        <Form form={form} layout="vertical" name={`reschedule-${booking.id}`} onFinish={(v) => (slot ? move.mutate({ start: slot.start, reason: v.reason.trim() }) : fb.error(new Error(t.meetingPickSlotFirst)))}>
          <Form.Item label={t.meetingRescheduleReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={2} maxLength={MEETING_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Flex>
    </Modal>
  )
}

function SessionItem({ b, uid, names, onCancel, onReschedule }: {
  b: Booking
  uid: string | undefined
  names: ReturnType<typeof useNames>
  onCancel: (b: Booking, party: Party) => void
  onReschedule: (b: Booking) => void
}) {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const tz = browserZone()
  const navigate = useNavigate()
  const party = partyOf(b, uid)
  const can = bookingActions(b, party, Date.now())
  const noShow = useMutation({
    mutationFn: () => markNoShow(b.id),
    onSuccess: () => {
      fb.success(t.meetingNoShowDone)
      void qc.invalidateQueries({ queryKey: ['meetings'] })
    },
    onError: fb.error,
  })
  const ics = useMutation({ mutationFn: () => downloadIcs(b.id), onError: fb.error })
  const other = party === 'mentor'
    ? (names.mentee(b.menteeUid) ?? t.mentee)
    : <Link to={`/mentors/${b.mentorId}`}>{names.mentor(b.mentorId) ?? t.mentor}</Link>
  return (
    <Flex wrap gap={12} justify="space-between" align="flex-start" data-testid="session" data-booking={b.id}>
      <Flex vertical gap={4} style={{ minWidth: 0, flex: '1 1 280px' }}>
        <Typography.Text strong>
          {formatInZone(b.start, tz, lang)} – {timeInZone(b.end, tz, lang)} <Typography.Text type="secondary">({tz})</Typography.Text>
        </Typography.Text>
        <Flex wrap gap={6} align="center">
          {bookingStateTag(t, b.state)}
          <Tag>{party === 'mentor' ? t.meetingAsMentor : t.meetingAsMentee}</Tag>
          <Typography.Text>{t.meetingWith}: {other}</Typography.Text>
          <Typography.Text type="secondary">· {t.meetingMinutes(b.duration)} · {b.price === 0 ? t.meetingFree : t.meetingMoney(b.price)}</Typography.Text>
          {b.previousBookingId && <Tag color="processing">{t.meetingRescheduledFrom}</Tag>}
        </Flex>
        {b.state === 'held' && (
          <Typography.Text type="warning">
            {b.holdExpiresAt ? `${t.meetingHeldUntil(formatInZone(b.holdExpiresAt, tz, lang))} ` : ''}{t.meetingPaymentLater}
          </Typography.Text>
        )}
        {b.state === 'cancelled' && (
          <Typography.Text type="secondary">
            {b.cancelledBy ? t.meetingCancelledBy(b.cancelledBy === 'mentor' ? t.mentor : t.mentee) : ''}{b.reason ? ` · ${t.reason}: ${b.reason}` : ''}
            {b.refund ? ` · ${t.meetingRefundLabel}: ${refundText(t, { kind: b.refund.outcome, percent: b.refund.percent, amount: b.refund.amount, currency: b.refund.currency })}` : ''}
          </Typography.Text>
        )}
      </Flex>
      <Space wrap>
        {b.state === 'held' && party === 'mentee' && b.price > 0 && <Link to={payPath(b.id)}><Button type="primary" data-testid="pay-now">{t.paymentPayNow}</Button></Link>}
        {can.join && (
          <Button type="primary" icon={<VideoCameraOutlined />} href={roomPath(b.id)} onClick={(e) => { e.preventDefault(); void navigate(roomPath(b.id)) }} data-testid="join-room">{t.meetingJoin}</Button>
        )}
        {can.ics && <Button icon={<CalendarOutlined />} loading={ics.isPending} onClick={() => ics.mutate()}>{t.meetingIcs}</Button>}
        {can.reschedule && <Button onClick={() => onReschedule(b)}>{t.meetingReschedule}</Button>}
        {can.cancel && party && <Button danger onClick={() => onCancel(b, party)}>{t.meetingCancel}</Button>}
        {can.noShow && (
          <Popconfirm title={t.meetingNoShowConfirm} okText={t.meetingNoShow} cancelText={t.cancel} onConfirm={() => noShow.mutate()}>
            <Button danger loading={noShow.isPending}>{t.meetingNoShow}</Button>
          </Popconfirm>
        )}
      </Space>
    </Flex>
  )
}

/** Upcoming and past sessions, as a tab of my page. */
export function SessionsTab() {
  const { t } = useI18n()
  const { user } = useAuth()
  const names = useNames()
  const upcoming = useQuery({ queryKey: ['meetings', 'upcoming'], queryFn: () => listUpcoming() })
  const past = useQuery({ queryKey: ['meetings', 'past'], queryFn: () => listPast() })
  const [cancelling, setCancelling] = useState<{ b: Booking; party: Party } | null>(null)
  const [moving, setMoving] = useState<Booking | null>(null)
  const item = (b: Booking) => (
    <SessionItem b={b} uid={user?.uid} names={names} onCancel={(x, party) => setCancelling({ b: x, party })} onReschedule={setMoving} />
  )
  return (
    <Flex vertical gap={16}>
      <Card title={t.meetingUpcoming}>
        <QueryView query={upcoming} isEmpty={(d) => d.items.length === 0} empty={t.meetingEmptyUpcoming}>
          {(d) => <ItemList items={d.items} itemKey={(b) => b.id} render={item} data-testid="sessions-upcoming" />}
        </QueryView>
      </Card>
      <Card title={t.meetingPast}>
        <QueryView query={past} isEmpty={(d) => d.items.length === 0} empty={t.meetingEmptyPast}>
          {(d) => <ItemList items={d.items} itemKey={(b) => b.id} render={item} data-testid="sessions-past" />}
        </QueryView>
      </Card>
      {cancelling && <CancelDialog booking={cancelling.b} party={cancelling.party} onClose={() => setCancelling(null)} />}
      {moving && <RescheduleDialog booking={moving} onClose={() => setMoving(null)} />}
    </Flex>
  )
}
