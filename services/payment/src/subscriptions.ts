import { BUS_CONSUMERS, MeetingEvents } from '@sunbae/contracts'
import { subscriptions, type EventContext } from '@sunbae/service-kit'

/**
 * Payment's one durable consumer and what each event does. The durable name and filter are deployed
 * state (every replica shares the consumer and its position): keep them.
 */
export default subscriptions((app, consumer) => {
  const bookings = app.bookingHandlers
  /**
   * A handler queued a refund or a provider cancel: the worker runs it soon instead of at its next
   * interval — once the consumer's transaction has committed, since a pass before the commit would
   * not see the row and leave it to the next interval.
   */
  const wakeAfterCommit = (ctx: Pick<EventContext, 'afterCommit'>, queued: boolean) => {
    if (queued) ctx.afterCommit(() => app.reconciler.soon())
  }

  // one booking's events in the stream's order (held before released / cancelled)
  consumer(BUS_CONSUMERS.payment.meetingBookings, (on) => {
    on(MeetingEvents.bookingHeld, (d, { trx }) => bookings.onBookingHeld(d, trx))
    on(MeetingEvents.bookingConfirmed, (d, { trx }) => bookings.onBookingConfirmed(d, trx))
    on(MeetingEvents.bookingReleased, async (d, ctx) => wakeAfterCommit(ctx, await bookings.onBookingReleased(d, ctx.trx)))
    on(MeetingEvents.bookingCancelled, async (d, ctx) => wakeAfterCommit(ctx, await bookings.onBookingCancelled(d, ctx.trx)))
  })
})
