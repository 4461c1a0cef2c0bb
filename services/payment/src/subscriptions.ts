import { MeetingEvents, STREAMS } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/**
 * Payment's one durable consumer and what each event does. The durable name and filter are deployed
 * state (every replica shares the consumer and its position): keep them.
 */
export default subscriptions((app, consumer) => {
  const bookings = app.bookingHandlers
  /** a handler queued a refund or a provider cancel: the worker runs it soon instead of at its next interval */
  const wake = (queued: boolean) => {
    if (queued) app.reconciler.soon()
  }

  // one booking's events in the stream's order (held before released / cancelled)
  consumer({ stream: STREAMS.meeting, durable: 'payment_meeting_bookings', filterSubject: 'meeting.booking.>' }, (on) => {
    on(MeetingEvents.bookingHeld, (d, { trx }) => bookings.onBookingHeld(d, trx))
    on(MeetingEvents.bookingConfirmed, (d, { trx }) => bookings.onBookingConfirmed(d, trx))
    on(MeetingEvents.bookingReleased, async (d, { trx }) => wake(await bookings.onBookingReleased(d, trx)))
    on(MeetingEvents.bookingCancelled, async (d, { trx }) => wake(await bookings.onBookingCancelled(d, trx)))
  })
})
