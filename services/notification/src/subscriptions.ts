import { BUS_CONSUMERS, CatalogEvents, ChatEvents, MatchingEvents, MeetingEvents, PaymentEvents } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/**
 * Notification's durable consumers, one per stream, and what each event does. Durable names and
 * filters are deployed state (every replica shares the consumer and its position): keep them.
 */
export default subscriptions((app, consumer) => {
  const recipients = app.recipientEventHandlers
  const matching = app.matchingEventHandlers
  const meeting = app.meetingEventHandlers
  const payments = app.receiptEventHandlers
  const applications = app.applicationEventHandlers
  const reviews = app.reviewEventHandlers
  const chat = app.chatEventHandlers

  // who people are, which language they read and which zone they live in; application decisions
  consumer(BUS_CONSUMERS.notification.catalog, (on) => {
    on(CatalogEvents.userRegistered, (d, { event, trx }) => recipients.onUserRegistered(d, event, trx))
    on(CatalogEvents.userUpdated, (d, { event, trx }) => recipients.onUserUpdated(d, event, trx))
    on(CatalogEvents.userRoleChanged, (d, { event, trx }) => recipients.onUserRoleChanged(d, event, trx))
    // a deleted account: the person's address, name, feed and emails go; others' notifications no longer name them
    on(CatalogEvents.userDeleted, async (d, ctx) => {
      const erased = await app.recipientErasure.onUserDeleted(d, ctx.event, ctx)
      app.log.info({ uid: d.uid, ...erased }, 'deleted account erased')
    })
    on(CatalogEvents.mentorApproved, async (d, ctx) => {
      await recipients.onMentorProfile(d, ctx.event, ctx.trx)
      await applications.onMentorApproved(d, ctx)
    })
    on(CatalogEvents.applicationRejected, (d, ctx) => applications.onApplicationRejected(d, ctx))
    on(CatalogEvents.reviewCreated, (d, ctx) => reviews.onReviewCreated(d, ctx))
    on(CatalogEvents.mentorUpdated, (d, { event, trx }) => recipients.onMentorProfile(d, event, trx))
    on(CatalogEvents.mentorReinstated, (d, { event, trx }) => recipients.onMentorProfile(d, event, trx))
  })

  // requests of different people are independent; each notification is keyed by its event. 4 at
  // once: a handler is ~2 ms of CPU and 5 statements, so 4 keep up with far more than 200 events/s;
  // 8 here and 8 for meeting made 16 transactions queue for the pool's 10 connections ahead of the
  // feed sync's writers (see DB_POOL_MAX in service.ts)
  consumer({ ...BUS_CONSUMERS.notification.matching, concurrency: 4 }, (on) => {
    on(MatchingEvents.requestCreated, (d, ctx) => matching.onRequestCreated(d, ctx))
    on(MatchingEvents.requestAccepted, (d, ctx) => matching.onRequestAccepted(d, ctx))
    on(MatchingEvents.requestDeclined, (d, ctx) => matching.onRequestDeclined(d, ctx))
    on(MatchingEvents.requestExpired, (d, ctx) => matching.onRequestExpired(d, ctx))
    on(MatchingEvents.requestCancelled, (d, ctx) => matching.onRequestCancelled(d, ctx))
  })

  // bookings and reminders (NATS 2.9: one filter subject; the kit skips meeting.* types not handled here)
  consumer({ ...BUS_CONSUMERS.notification.meeting, concurrency: 4 }, (on) => {
    on(MeetingEvents.bookingConfirmed, (d, ctx) => meeting.onBookingConfirmed(d, ctx))
    on(MeetingEvents.bookingCancelled, (d, ctx) => meeting.onBookingCancelled(d, ctx))
    on(MeetingEvents.bookingRescheduled, (d, ctx) => meeting.onBookingRescheduled(d, ctx))
    on(MeetingEvents.reminderDue, (d, ctx) => meeting.onReminderDue(d, ctx))
    on(MeetingEvents.bookingCompleted, (d, ctx) => reviews.onBookingCompleted(d, ctx))
  })

  // receipts, failures, refunds; one at a time, in stream order: payment.created names the payer
  consumer(BUS_CONSUMERS.notification.payment, (on) => {
    on(PaymentEvents.created, (d, ctx) => payments.onPaymentCreated(d, ctx))
    on(PaymentEvents.succeeded, (d, ctx) => payments.onPaymentSucceeded(d, ctx))
    on(PaymentEvents.failed, (d, ctx) => payments.onPaymentFailed(d, ctx))
    on(PaymentEvents.refunded, (d, ctx) => payments.onPaymentRefunded(d, ctx))
  })

  // unread chat, counted per person and room for the digest (chat-bridge publishes the messages and the reads)
  consumer(BUS_CONSUMERS.notification.chat, (on) => {
    on(ChatEvents.messagePosted, (d, { trx }) => chat.onMessagePosted(d, trx))
    on(ChatEvents.roomRead, (d, { trx }) => chat.onRoomRead(d, trx))
  })
})
