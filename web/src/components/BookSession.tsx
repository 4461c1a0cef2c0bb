// "Book a session" on the mentor page: the slot picker, and the book button for a mentee with an
// active match with this mentor (anyone else is told why they cannot book). A free session is
// confirmed at once; a paid one is held until the payment page takes payment (its expiry is shown).
import { Alert, Button, Card, Flex, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useLocation } from 'react-router'
import type { Booking } from '@sunbae/contracts'
import { useAuth } from '../auth/AuthProvider.tsx'
import { useI18n } from '../i18n/index.tsx'
import { formatInZone, sessionPrice } from '../lib/meetings.ts'
import { activeMatches, createBooking } from '../services/meeting.ts'
import { myMentorProfile } from '../services/catalog.ts'
import { useFeedback } from './feedback.ts'
import { SlotPicker, type PickedSlot } from './SlotPicker.tsx'

export const SESSIONS_PATH = '/me?tab=sessions'

export function BookingOutcome({ booking, timezone }: { booking: Booking; timezone: string }) {
  const { t, lang } = useI18n()
  const when = formatInZone(booking.start, timezone, lang, { withZone: true })
  if (booking.state === 'held') {
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="booking-outcome"
        title={`${t.meetingHeld} · ${when}`}
        description={
          <Flex vertical gap={4}>
            {booking.holdExpiresAt && <span>{t.meetingHeldUntil(formatInZone(booking.holdExpiresAt, timezone, lang))}</span>}
            <span>{t.meetingPrice}: {t.meetingMoney(booking.price)}</span>
            <span>{t.meetingPaymentLater}</span>
          </Flex>
        }
        action={
          <Flex vertical gap={4}>
            {booking.price > 0 && <Link to={`/payments/booking/${encodeURIComponent(booking.id)}`}><Button type="primary" size="small" data-testid="pay-now">{t.paymentPayNow}</Button></Link>}
            <Link to={SESSIONS_PATH}>{t.meetingSeeSessions}</Link>
          </Flex>
        }
      />
    )
  }
  return <Alert type="success" showIcon data-testid="booking-outcome" title={`${t.meetingBooked} · ${when}`} action={<Link to={SESSIONS_PATH}>{t.meetingSeeSessions}</Link>} />
}

/** `initiallyOpen`: the slots at once (the visitor asked for them already, on the mentor page's plain card). */
export function BookSession({ mentorId, initiallyOpen = false }: { mentorId: string; initiallyOpen?: boolean }) {
  const { t, lang } = useI18n()
  const { viewer, role } = useAuth()
  const loc = useLocation()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [slot, setSlot] = useState<PickedSlot | null>(null)
  const [booked, setBooked] = useState<{ booking: Booking; timezone: string } | null>(null)
  // The slots load at once for a mentee who may book, on request for everyone else: a mentor without
  // a schedule answers 404, which the browser would log as an error on every visit of their page.
  const [opened, setOpen] = useState(initiallyOpen)
  const matches = useQuery({ queryKey: ['matches', 'mentee', 'active'], queryFn: () => activeMatches('mentee'), enabled: !!viewer })
  const mine = useQuery({ queryKey: ['my-mentor-profile'], queryFn: myMentorProfile, enabled: role === 'mentor' })
  const matched = !!matches.data?.items.some((m) => m.mentor.id === mentorId && m.state === 'active')
  const own = mine.data?.id === mentorId
  const open = opened || matched
  const book = useMutation({
    mutationFn: (s: PickedSlot) => createBooking(mentorId, s.start, s.duration),
    onSuccess: (b, s) => {
      setBooked({ booking: b, timezone: s.timezone })
      setSlot(null)
      void qc.invalidateQueries({ queryKey: ['slots', mentorId] })
      void qc.invalidateQueries({ queryKey: ['meetings'] })
    },
    onError: (err) => {
      fb.error(err)
      // the slot may have been taken meanwhile: show what is free now
      void qc.invalidateQueries({ queryKey: ['slots', mentorId] })
    },
  })

  const why = !viewer ? null : own ? t.meetingOwnSchedule : matches.isSuccess && !matched ? t.meetingNeedMatch : null
  return (
    <Card title={t.meetingBookTitle} data-testid="book-session">
      <Flex vertical gap={12}>
        {booked && <BookingOutcome booking={booked.booking} timezone={booked.timezone} />}
        {!open && <div><Button size="large" onClick={() => setOpen(true)}>{t.meetingShowTimes}</Button></div>}
        {open && <SlotPicker
          mentorId={mentorId}
          value={slot}
          onChange={(s) => {
            setSlot(s)
            if (s) setBooked(null)
          }}
          footer={(data) => (
            <Flex vertical gap={8}>
              {data && (
                <Typography.Text type="secondary">
                  {t.meetingPrice}: {data.policy.pricePerHour === 0 ? t.meetingFree : t.meetingMoney(sessionPrice(data.policy.pricePerHour, slot?.duration ?? data.duration))} · {t.meetingPriceNote}
                </Typography.Text>
              )}
              {slot && <Typography.Text strong data-testid="slot-selected">{t.meetingSelected(formatInZone(slot.start, slot.timezone, lang, { withZone: true }))}</Typography.Text>}
              {why && <Alert type="info" showIcon title={why} data-testid="book-unavailable" />}
              {!viewer ? (
                <Link to={`/login?next=${encodeURIComponent(loc.pathname)}`}><Button type="primary" size="large">{t.meetingLoginToBook}</Button></Link>
              ) : (
                <div>
                  <Button type="primary" size="large" disabled={!slot || !matched || own} loading={book.isPending} onClick={() => slot && book.mutate(slot)}>
                    {t.meetingBook}
                  </Button>
                </div>
              )}
            </Flex>
          )}
        />}
      </Flex>
    </Card>
  )
}
