import { BUS_CONSUMERS, CatalogEvents, MatchingEvents, MeetingEvents, PaymentEvents } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/**
 * Meeting's durable consumers, one per stream, and what each event does. Durable names and filters
 * are deployed state (every replica shares the consumer and its position): keep them.
 */
export default subscriptions((app, consumer) => {
  const readModel = app.readModelEventHandlers
  const payments = app.paymentEventHandlers

  consumer(BUS_CONSUMERS.meeting.catalogMentors, (on) => {
    on(CatalogEvents.mentorApproved, (d, { event, trx }) => readModel.onMentorProfile(d, event, trx))
    on(CatalogEvents.mentorUpdated, (d, { event, trx }) => readModel.onMentorProfile(d, event, trx))
    on(CatalogEvents.mentorReinstated, (d, { event, trx }) => readModel.onMentorProfile(d, event, trx))
    on(CatalogEvents.mentorSuspended, (d, { event, trx }) => readModel.onMentorSuspended(d, event, trx))
  })

  consumer(BUS_CONSUMERS.meeting.matching, (on) => {
    on(MatchingEvents.requestAccepted, (d, { trx }) => readModel.onRequestAccepted(d, trx))
    on(MatchingEvents.matchEnded, (d, { trx }) => readModel.onMatchEnded(d, trx))
  })

  // payments of different bookings are independent
  consumer({ ...BUS_CONSUMERS.meeting.payments, concurrency: 8 }, (on) => {
    on(PaymentEvents.succeeded, (d, { trx }) => payments.onPaymentSucceeded(d, trx))
    on(PaymentEvents.failed, (d, { trx }) => payments.onPaymentFailed(d, trx))
    // the payer gave up before paying: the hold is released as for a failed payment
    on(PaymentEvents.cancelled, (d, { trx }) => payments.onPaymentFailed(d, trx))
  })

  // a deleted account's sessions still to come are cancelled with a full refund (bookings keep no name or email)
  consumer(BUS_CONSUMERS.meeting.catalogUserDeleted, (on) => {
    on(CatalogEvents.userDeleted, async (d, { trx, afterCommit }) => {
      const cancelled = await app.bookings.onAccountDeleted(d.uid, trx)
      if (cancelled > 0) afterCommit(() => app.events.flushSoon())
      app.log.info({ uid: d.uid, cancelled }, 'deleted account: upcoming sessions cancelled')
    })
  })

  // its own events: a session that is no longer on closes its video room in Firestore — after the
  // commit, retried until Firestore takes it (a failed write fails the delivery, which comes again)
  consumer(BUS_CONSUMERS.meeting.videoRooms, (on) => {
    on(MeetingEvents.bookingCancelled, (d) => app.videoRooms.closeRoom(d.bookingId))
    on(MeetingEvents.bookingRescheduled, (d) => app.videoRooms.closeRoom(d.previousBookingId))
    on(MeetingEvents.bookingNoShow, (d) => app.videoRooms.closeRoom(d.bookingId))
  })
})
